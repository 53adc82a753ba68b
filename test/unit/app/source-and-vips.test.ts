// Start-up waits for a usable source address (absent interface, IPv6 link-local in DAD), and VIP
// changes are retried: an add that keeps failing is a FAULT reason, a failed removal is retried in
// the background, and releaseVips() is the last resort of a stop that cannot finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon } from '../../../src/app/daemon.js';
import { SysError } from '../../../src/lib/errors.js';
import { fakePlatform } from './fake-platform.js';
import { conf, settle } from './helpers.js';

async function run(f: ReturnType<typeof fakePlatform>, ms: number, stepMs = 50) {
  for (let t = 0; t < ms; t += stepMs) { f.clock.advance(stepMs); await settle(); }
}
const inst = (o: { iface?: string; prio?: number; vip?: string } = {}) => `global_defs {\n  vrrp_version 3\n}\nvrrp_instance VI_1 {
  interface ${o.iface ?? 'eth0'}
  virtual_router_id 51
  priority ${o.prio ?? 150}
  advert_int 1
  virtual_ipaddress {
    ${o.vip ?? '10.0.51.100/24'}
  }
}\n`;

test('an IPv6 instance whose link-local address is tentative stays in INIT, says why, and starts once DAD is over', async () => {
  const f = fakePlatform();
  let ll: string | undefined;
  f.p.primaryAddress = (_i, fam) => (fam === 6 ? ll : '10.0.0.1');
  f.links.set('eth0', { up: true, addrs: [], tentative: ['fe80::1/64'] });
  const d = new Daemon(f.p, conf(inst({ vip: 'fd00::100/64' })));
  d.start();
  await run(f, 6000);
  assert.equal(d.stateOf('VI_1'), 'INIT');
  assert.equal(f.lan.members.length, 0, 'no socket, nothing sent');
  const w = f.log.records.find((r) => r.level === 'warn' && r['instance'] === 'VI_1');
  assert.match(String(w?.['reason']), /link-local address fe80::1 on eth0 is tentative/);
  ll = 'fe80::1';
  f.links.set('eth0', { addrs: ['fe80::1/64'], tentative: [] });
  assert.equal(d.stateOf('VI_1'), 'BACKUP', 'the Master_Down wait starts now');
  await run(f, 3000);
  assert.equal(d.stateOf('VI_1'), 'BACKUP', 'a full Master_Down_Interval from the attach, not from start');
  await run(f, 1000);
  assert.equal(d.stateOf('VI_1'), 'MASTER');
  await d.stop();
});

test('an instance on an interface that does not exist yet waits in INIT until it appears', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(inst({ iface: 'eth7', vip: '10.0.51.100/24 dev eth7' })));
  d.start();
  await settle();
  assert.equal(d.stateOf('VI_1'), 'INIT');
  assert.match(String(f.log.records.find((r) => r.level === 'warn')?.['reason']), /interface eth7 does not exist/);
  f.links.set('eth7', { up: true });
  await run(f, 5000);
  assert.equal(d.stateOf('VI_1'), 'MASTER');
  await d.stop();
  assert.equal(d.stateOf('VI_1'), 'STOPPED');
});

test('a VIP that cannot be added faults the instance (logged); the peer takes over; it is tried again later', async () => {
  const f = fakePlatform();
  const peer = fakePlatform({ clock: f.clock, lan: f.lan, addr: '10.0.0.2' });
  f.addresses.failWhen = (op) => (op === 'add' ? new SysError('add address 10.0.51.100/24 on ifindex 2', 'EEXIST') : undefined);
  const d = new Daemon(f.p, conf(inst()));
  const p = new Daemon(peer.p, conf(inst({ prio: 100 })));
  d.start(); p.start();
  await run(f, 5000);
  assert.equal(d.stateOf('VI_1'), 'FAULT');
  assert.equal(p.stateOf('VI_1'), 'MASTER');
  const e = f.log.records.find((r) => r.level === 'error' && /cannot be added: instance in FAULT/.test(String(r.msg)));
  assert.ok(e, JSON.stringify(f.log.records.filter((r) => r.level !== 'debug')));
  assert.equal(e['code'], 'EEXIST');
  assert.ok(f.log.records.some((r) => r['to'] === 'FAULT' && r['reason'] === 'fault'));
  f.addresses.failWhen = undefined;
  await run(f, 10_000);
  assert.equal(d.stateOf('VI_1'), 'MASTER', 'after the hold the fault clears and it preempts again');
  assert.ok(f.addresses.has('eth0', '10.0.51.100/24'));
  assert.ok(!peer.addresses.has('eth0', '10.0.51.100/24'));
  await d.stop(); await p.stop();
});

test('a VIP removal that fails is retried in the background until it holds', async () => {
  const f = fakePlatform();
  const peer = fakePlatform({ clock: f.clock, lan: f.lan, addr: '10.0.0.2' });
  const d = new Daemon(f.p, conf(inst({ prio: 100 })));
  d.start();
  await run(f, 5000);
  assert.equal(d.stateOf('VI_1'), 'MASTER');
  f.addresses.failWhen = (op) => (op === 'remove' ? new SysError('delete address', 'EBUSY') : undefined);
  const p = new Daemon(peer.p, conf(inst({ prio: 200 })));
  p.start();
  await run(f, 5000);
  assert.equal(d.stateOf('VI_1'), 'BACKUP');
  assert.ok(f.addresses.has('eth0', '10.0.51.100/24'), 'still there while removal fails');
  f.addresses.failWhen = undefined;
  await run(f, 3000);
  assert.ok(!f.addresses.has('eth0', '10.0.51.100/24'), 'removed by a background retry');
  await d.stop(); await p.stop();
});

test('releaseVips removes every VIP when the orderly stop could not', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(inst()));
  d.start();
  await run(f, 5000);
  f.addresses.failWhen = (op) => (op === 'remove' ? new SysError('delete address', 'ENOBUFS') : undefined);
  const stopped = d.stop();
  await run(f, 2000);
  await stopped;
  assert.ok(f.addresses.has('eth0', '10.0.51.100/24'));
  f.addresses.failWhen = undefined;
  await d.releaseVips();
  assert.ok(!f.addresses.has('eth0', '10.0.51.100/24'));
});
