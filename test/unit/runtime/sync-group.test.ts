import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, spec, settle, type Node } from './harness.js';
import { SyncGroup } from '../../../src/vrrp/sync-group.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import { FakeLinks } from '../../../src/ports/fake/net.js';
import { InterfaceTracker } from '../../../src/track/interface-tracker.js';

const vip2 = [{ address: '10.0.1.100', family: 4 as const, prefixLen: 24, dev: 'eth1', scope: 'global', noTrack: false }];

test('sync group: a member that takes over pulls the others to MASTER; group state notified once', async () => {
  const w = new World();
  // VI_2 alone would lose (priority 50 vs the peer's 150), VI_1 wins: the group follows VI_1.
  const a1 = w.add('a1', '10.0.0.1', spec({ name: 'VI_1', priority: 200 }));
  const a2 = w.add('a2', '10.0.1.1', spec({ name: 'VI_2', vrid: 52, priority: 50, virtualIps: vip2 }));
  const g = new SyncGroup('G', [a1.inst, a2.inst], new MemoryLogger());
  const states: string[] = [];
  g.onGroupState((s) => states.push(s));
  a1.inst.start(); a2.inst.start();
  await w.run(3500); // VI_1 goes at 3.22 s, VI_2 alone would wait until 3.8 s
  assert.equal(a1.inst.state, 'MASTER');
  assert.equal(a2.inst.state, 'MASTER', 'moved with VI_1');
  assert.equal(a2.transitions.at(-1)!.reason, 'sync-group');
  assert.ok(a2.addrs.has('eth1', '10.0.1.100/24'));
  assert.deepEqual(states, ['BACKUP', 'MASTER']);
});

test('sync group: one member faults, all fault; recovery brings them back', async () => {
  const w = new World();
  const links = new FakeLinks([{ ifname: 'eth9', index: 9, up: true }]);
  const tr = new InterfaceTracker('eth9', links);
  tr.start();
  const a1 = w.add('a1', '10.0.0.1', spec({ name: 'VI_1', priority: 200 }), { tracking: [{ source: tr, weight: 0 }] });
  const a2 = w.add('a2', '10.0.1.1', spec({ name: 'VI_2', vrid: 52, priority: 200, virtualIps: vip2 }));
  new SyncGroup('G', [a1.inst, a2.inst], new MemoryLogger());
  a1.inst.start(); a2.inst.start();
  await w.run(4000);
  assert.deepEqual([a1.inst.state, a2.inst.state], ['MASTER', 'MASTER']);
  links.set('eth9', { up: false });
  await settle();
  assert.deepEqual([a1.inst.state, a2.inst.state], ['FAULT', 'FAULT']);
  assert.ok(!a2.addrs.has('eth1', '10.0.1.100/24'));
  links.set('eth9', { up: true });
  await settle();
  assert.deepEqual([a1.inst.state, a2.inst.state], ['BACKUP', 'BACKUP']);
  await w.run(4000);
  assert.deepEqual([a1.inst.state, a2.inst.state], ['MASTER', 'MASTER']);
});

/** VI_1 and VI_2 master together, then a better peer for VI_1 appears; `watch` runs before the group exists. */
async function loseToBetterPeer(watch: (a1: Node, a2: Node) => void = () => {}) {
  const w = new World();
  const a1 = w.add('a1', '10.0.0.1', spec({ name: 'VI_1', priority: 100 }));
  const a2 = w.add('a2', '10.0.1.1', spec({ name: 'VI_2', vrid: 52, priority: 100, virtualIps: vip2 }));
  watch(a1, a2);
  new SyncGroup('G', [a1.inst, a2.inst], new MemoryLogger());
  a1.inst.start(); a2.inst.start();
  await w.run(4000);
  assert.deepEqual([a1.inst.state, a2.inst.state], ['MASTER', 'MASTER']);
  const peer = w.add('p', '10.0.0.9', spec({ name: 'VI_1', priority: 250 }));
  peer.inst.start();
  await w.run(4000);
  return { a1, a2 };
}

test('sync group: a member that loses to a better master takes the others to BACKUP', async () => {
  const { a1, a2 } = await loseToBetterPeer();
  assert.equal(a1.inst.state, 'BACKUP');
  assert.equal(a2.inst.state, 'BACKUP');
  assert.ok(!a2.addrs.has('eth1', '10.0.1.100/24'));
});

test('sync group: a member forced to BACKUP leaves silently (no step-down advert)', async () => {
  // Runs before the group moves VI_2: a snapshot of VI_2's side effects at the moment VI_1 loses.
  let mark = -1;
  const { a1, a2 } = await loseToBetterPeer((a1, a2) => {
    a1.inst.onTransition((t) => { if (t.to === 'BACKUP' && t.from === 'MASTER') mark = a2.journal.length; });
  });
  assert.deepEqual([a1.inst.state, a2.inst.state], ['BACKUP', 'BACKUP']);
  assert.ok(mark >= 0, 'VI_1 stepped down');
  const after = a2.journal.slice(mark);
  assert.deepEqual(after.filter((e) => e.startsWith('advert')), [], `VI_2 sent no advert after VI_1 lost: ${after.join(', ')}`);
  assert.ok(after.some((e) => e.startsWith('del eth1')), `VI_2 removed its VIPs: ${after.join(', ')}`);
  assert.equal(a2.transitions.at(-1)!.reason, 'sync-group');
});
