// The daemon's wiring of notify_deleted, notify_master_rx_lower_pri, notify_priority_changes,
// unicast_fault_no_peer and vrrp_startup_delay, over the in-memory platform and fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon } from '../../../src/app/daemon.js';
import { encodeVrrp } from '../../../src/codec/vrrp.js';
import { parseIP } from '../../../src/lib/ip.js';
import { fakePlatform } from './fake-platform.js';
import { conf, instanceText, settle } from './helpers.js';

const inst = (name: string, vrid: number, prio: number, extra = '') => instanceText(name, vrid, prio, `notify_fault /bin/f\n  notify /bin/n\n  ${extra}`);
const base = (extra = '') => `global_defs {\n  vrrp_version 3\n  notify_fifo /run/vk.fifo\n  ${extra}\n}\n`;

async function run(f: ReturnType<typeof fakePlatform>, ms: number) {
  for (let t = 0; t < ms; t += 50) { f.clock.advance(50); await settle(); }
}
const after = <T>(list: T[], n: number): T[] => list.slice(n);

test('an instance removed by a reload notifies FAULT; with notify_deleted DELETED and its script; a restart still STOP', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base() + inst('PLAIN', 51, 150) + inst('DEL', 52, 150, 'notify_deleted "/bin/d x"') + inst('MOVE', 53, 150)));
  d.start();
  await run(f, 4000);
  const n = f.journal.length;
  const plan = await d.reload(conf(base() + inst('MOVE', 53, 150, 'mcast_src_ip 10.0.0.1')));
  assert.deepEqual(plan.restart, ['MOVE']);
  await settle();
  const j = after(f.journal, n);
  assert.ok(j.includes('run /bin/f') && j.includes('run /bin/n INSTANCE PLAIN FAULT 150'), j.join('\n'));
  assert.ok(j.includes('run /bin/d x') && j.includes('run /bin/n INSTANCE DEL DELETED 150'), j.join('\n'));
  assert.ok(j.includes('run /bin/n INSTANCE MOVE STOP 0'), 'a restarted instance is stopped, not deleted');
  assert.ok(!j.some((l) => /INSTANCE (PLAIN|DEL) STOP/.test(l)));
  assert.ok(f.fifoLines.includes('INSTANCE "PLAIN" FAULT 150\n') && f.fifoLines.includes('INSTANCE "DEL" DELETED 150\n'));
  assert.ok(!f.addresses.has('eth0', '10.0.51.100/24') && !f.addresses.has('eth0', '10.0.52.100/24'), 'the VIPs still go');
  await d.stop();
  assert.ok(f.journal.includes('run /bin/n INSTANCE MOVE STOP 0'));
});

test('vrrp_startup_delay: BACKUP at start, MASTER only after the delay plus Master_Down; an instance a reload adds is not delayed', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base('vrrp_startup_delay 8') + inst('VI_1', 51, 150)));
  d.start();
  await run(f, 10_500);
  assert.equal(d.stateOf('VI_1'), 'BACKUP', 'Master_Down (3.4 s) counts from the end of the delay (8 s)');
  await run(f, 1500);
  assert.equal(d.stateOf('VI_1'), 'MASTER');
  await d.reload(conf(base('vrrp_startup_delay 8') + inst('VI_1', 51, 150) + inst('VI_2', 52, 150)));
  await run(f, 4000);
  assert.equal(d.stateOf('VI_2'), 'MASTER', 'no delay at a reload (keepalived applies it at start only)');
  await d.stop();
});

test('unicast_fault_no_peer without peers: FAULT (fault script run); a reload dropping the keyword lets it run', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base() + inst('VI_1', 51, 150, 'unicast_src_ip 10.0.0.1\n  unicast_fault_no_peer')));
  d.start();
  await run(f, 5000);
  assert.equal(d.stateOf('VI_1'), 'FAULT');
  assert.ok(f.journal.includes('run /bin/f'));
  assert.ok(!f.addresses.has('eth0', '10.0.51.100/24'));
  await d.reload(conf(base() + inst('VI_1', 51, 150, 'unicast_src_ip 10.0.0.1')));
  await run(f, 5000);
  assert.equal(d.stateOf('VI_1'), 'MASTER', 'without the keyword keepalived falls back to multicast');
  await d.stop();
});

test('notify_priority_changes: a FIFO line per effective priority change; none without it', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base() + inst('ON', 51, 150, 'notify_priority_changes') + inst('OFF', 52, 150)));
  d.start();
  await run(f, 4000);
  await d.reload(conf(base() + inst('ON', 51, 140, 'notify_priority_changes') + inst('OFF', 52, 140)));
  await settle();
  assert.ok(f.fifoLines.includes('INSTANCE "ON" MASTER_PRIORITY 140\n'), f.fifoLines.join(''));
  assert.ok(!f.fifoLines.some((l) => l.includes('"OFF" MASTER_PRIORITY')));
  await d.stop();
});

test('notify_master_rx_lower_pri: a master hearing a lower priority runs it (own args), writes the FIFO line and re-announces', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(base() + inst('VI_1', 51, 150, 'notify_master_rx_lower_pri "/bin/lower VI_1"\n  garp_lower_prio_repeat 2\n  garp_lower_prio_delay 3\n  garp_master_delay 0')));
  d.start();
  await run(f, 4000);
  assert.equal(d.stateOf('VI_1'), 'MASTER');
  const garps = f.announcer.sent.length;
  const peer = f.lan.join('10.0.0.9', { group: parseIP('224.0.0.18').addr });
  const dst = parseIP('224.0.0.18').addr;
  peer.send(encodeVrrp({ version: 3, vrid: 51, priority: 100, interval: 100, addresses: [parseIP('10.0.51.100').addr] }, { src: parseIP('10.0.0.9').addr, dst, mode: 'pseudo-header' }), dst);
  await run(f, 200);
  assert.equal(d.stateOf('VI_1'), 'MASTER');
  assert.ok(f.journal.includes('run /bin/lower VI_1'), f.journal.slice(-10).join('\n'));
  assert.ok(!f.journal.some((l) => l.startsWith('run /bin/n') && l.includes('LOWER')), 'the generic script is not run');
  assert.ok(f.fifoLines.includes('INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150\n'));
  const heal = f.announcer.sent.slice(garps).flatMap((s) => s.addrs);
  assert.deepEqual(heal, ['10.0.51.100', '10.0.51.100'], 'garp_lower_prio_repeat rounds at once');
  await run(f, 3000);
  assert.equal(f.announcer.sent.slice(garps).flatMap((s) => s.addrs).length, 4, 'and again after garp_lower_prio_delay');
  await d.stop();
});
