import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon } from '../../../src/app/daemon.js';
import { fakePlatform } from './fake-platform.js';
import { planReload } from '../../../src/app/reload.js';
import { conf, instanceText, settle } from './helpers.js';

const inst = instanceText;

const base = 'global_defs {\n  vrrp_version 3\n  notify_fifo /run/vk.fifo\n}\n';

async function run(f: ReturnType<typeof fakePlatform>, ms: number) {
  for (let t = 0; t < ms; t += 50) { f.clock.advance(50); await settle(); }
}

test('daemon: start, become master, notify scripts and fifo, graceful stop', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base + inst('VI_1', 51, 150, 'notify_master "/bin/m arg"\n  notify_stop /bin/s\n  notify /bin/n')));
  d.start();
  await run(f, 4000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  assert.ok(f.addresses.has('eth0', '10.0.51.100/24'));
  assert.ok(f.journal.includes('run /bin/m arg'));
  assert.ok(f.journal.includes('run /bin/n INSTANCE VI_1 MASTER 150'));
  assert.ok(f.fifoLines.includes('INSTANCE "VI_1" MASTER 150\n'));
  await d.stop();
  assert.ok(!f.addresses.has('eth0', '10.0.51.100/24'));
  const tail = f.journal.slice(f.journal.indexOf('del eth0 10.0.51.100/24'));
  assert.deepEqual(tail, ['del eth0 10.0.51.100/24', 'run /bin/s', 'run /bin/n INSTANCE VI_1 STOP 0']);
  assert.equal(f.fifoLines.at(-1), 'INSTANCE "VI_1" STOP 0\n');
});

test('daemon: reload keeps unchanged instances, updates changed ones in place, stops removed, starts new', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base + inst('KEEP', 51, 150) + inst('CHANGE', 52, 150) + inst('GONE', 53, 150)));
  d.start();
  await run(f, 4000);
  const keep = d.instance('KEEP')!;
  const change = d.instance('CHANGE')!;
  assert.equal(keep.state, 'MASTER');
  const before = f.journal.length;
  const plan = await d.reload(conf(base + inst('KEEP', 51, 150) + inst('CHANGE', 52, 140) + inst('NEW', 54, 150)));
  assert.deepEqual(plan, { keep: ['KEEP'], update: ['CHANGE'], restart: [], stop: ['GONE'], start: ['NEW'] });
  assert.equal(d.instance('KEEP'), keep, 'same object, untouched');
  assert.equal(d.instance('CHANGE'), change, 'same object, updated in place');
  assert.equal(keep.state, 'MASTER');
  assert.equal(change.state, 'MASTER');
  assert.equal(change.priority, 140);
  await settle();
  const after = f.journal.slice(before);
  assert.ok(!after.includes('del eth0 10.0.51.100/24'), 'the kept VIP was never removed');
  assert.ok(!after.includes('del eth0 10.0.52.100/24'), 'the updated VIP was never removed');
  assert.ok(after.includes('del eth0 10.0.53.100/24'), 'the removed instance gave its VIP back');
  assert.ok(!f.addresses.has('eth0', '10.0.53.100/24'));
  await run(f, 4000);
  assert.equal(d.instance('NEW')!.state, 'MASTER');
  await d.stop();
});

test('daemon: a failing vrrp_script with a weight lowers the priority and a peer takes over', async () => {
  const f = fakePlatform();
  const peer = fakePlatform({ clock: f.clock, lan: f.lan, addr: '10.0.0.2' });
  const text = (prio: number) => base + 'vrrp_script chk {\n  script "/bin/chk"\n  interval 1\n  weight -60\n  fall 2\n  rise 1\n}\n' + inst('VI_1', 51, prio, 'track_script {\n    chk\n  }');
  const a = new Daemon(f.p, conf(text(150)));
  const b = new Daemon(peer.p, conf(text(120)));
  a.start(); b.start();
  await run(f, 5000);
  assert.equal(a.instance('VI_1')!.state, 'MASTER');
  f.scripts.program = (s) => ({ code: s.argv[0] === '/bin/chk' ? 1 : 0 });
  await run(f, 6000);
  assert.equal(a.instance('VI_1')!.priority, 90);
  assert.equal(b.instance('VI_1')!.state, 'MASTER');
  assert.equal(a.instance('VI_1')!.state, 'BACKUP');
  await a.stop(); await b.stop();
});

test('daemon: VIPs left by a crashed run are removed at start when not becoming master', async () => {
  const f = fakePlatform();
  await f.addresses.add({ ifname: 'eth0', prefix: '10.0.51.100/24' });
  const d = new Daemon(f.p, conf(base + inst('VI_1', 51, 150)));
  d.start();
  await settle();
  assert.ok(!f.addresses.has('eth0', '10.0.51.100/24'));
  await d.stop();
});

test('daemon: sync group members move together and the group is notified', async () => {
  const f = fakePlatform();
  const text = base + inst('VI_1', 51, 150) + inst('VI_2', 52, 150) + '\nvrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  notify /bin/g\n}\n';
  const d = new Daemon(f.p, conf(text));
  d.start();
  await run(f, 5000);
  assert.deepEqual([d.instance('VI_1')!.state, d.instance('VI_2')!.state], ['MASTER', 'MASTER']);
  assert.ok(f.journal.includes('run /bin/g GROUP G MASTER 0'), f.journal.join('\n'));
  f.links.set('eth0', { up: false });
  await settle();
  assert.deepEqual([d.instance('VI_1')!.state, d.instance('VI_2')!.state], ['FAULT', 'FAULT']);
  await d.stop();
});

test('planReload is a pure diff: settings change = update in place, identity change = restart', () => {
  const m = (o: Record<string, [string, string]>) => new Map(Object.entries(o).map(([k, [identity, settings]]) => [k, { identity, settings }]));
  const old = m({ a: ['i', '1'], b: ['i', '2'], c: ['i', '3'], e: ['i', '5'] });
  const next = m({ a: ['i', '1'], b: ['i', '9'], e: ['j', '5'], d: ['i', '4'] });
  assert.deepEqual(planReload(old, next), { keep: ['a'], update: ['b'], restart: ['e'], stop: ['c', 'e'], start: ['e', 'd'] });
});

test('daemon: a reload whose new instance cannot open its socket is refused before anything changes', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base + inst('KEEP', 51, 150)));
  d.start();
  await run(f, 4000);
  const keep = d.instance('KEEP')!;
  assert.equal(keep.state, 'MASTER');
  f.failOpen.add('eth1');
  const changed = inst('KEEP', 51, 140) + inst('NEW', 54, 150).replace('interface eth0', 'interface eth1');
  await assert.rejects(d.reload(conf(base + changed)), /reload refused.*NEW.*eth1/);
  assert.equal(d.instance('KEEP'), keep, 'the running instance was not stopped');
  assert.equal(keep.state, 'MASTER');
  assert.equal(keep.priority, 150);
  assert.ok(f.addresses.has('eth0', '10.0.51.100/24'));
  assert.equal(d.instance('NEW'), undefined);
  assert.deepEqual(d.instanceNames, ['KEEP']);
  await d.stop();
});
