// An instance's virtual_routes / virtual_rules on the in-memory port: in after the VIPs on
// entering MASTER, out before them on leaving it and at stop; a reload of a master changes only
// what changed; a failing route is logged with its error and does not stop the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, spec } from './harness.js';
import { FakeAddresses } from '../../../src/ports/fake/net.js';
import { FakeVirtualRoutes } from '../../../src/ports/fake/virtual-routes.js';
import { SysError } from '../../../src/lib/errors.js';
import type { VirtualRoute, VirtualRule } from '../../../src/config/model.js';
import { FakeLinks } from '../../../src/ports/fake/net.js';
import { InterfaceTracker } from '../../../src/track/interface-tracker.js';

const route = (to: string, over: Partial<VirtualRoute> = {}): VirtualRoute => ({ to, family: 4, type: 'unicast', table: 100, noTrack: false, via: '10.0.0.254', ...over });
const rule = (from: string, over: Partial<VirtualRule> = {}): VirtualRule => ({ family: 4, action: 'table', table: 100, noTrack: false, from, ...over });
const routing = { virtualRoutes: [route('10.77.0.0/16', { src: '10.0.0.100' }), route('10.78.0.0/16', { type: 'blackhole', via: undefined })], virtualRules: [rule('10.0.0.100/32')] };

function node(w: World, name: string, addr: string, priority: number, over = {}) {
  const journal: string[] = [];
  const rt = new FakeVirtualRoutes(journal);
  const n = w.add(name, addr, spec({ priority, ...routing, ...over }), { addrs: new FakeAddresses(journal), virtualRoutes: rt });
  return { ...n, rt, order: journal };
}

test('routes and rules are present exactly while MASTER: VIPs, routes, rules in; rules, routes, VIPs out', async () => {
  const w = new World();
  const b = node(w, 'b', '10.0.0.2', 100);
  b.inst.start();
  await w.run(5000);
  assert.equal(b.inst.state, 'MASTER');
  // (what precedes is the start-up clean-up of a crashed run's routes and rules: see below)
  b.order.splice(0, b.order.indexOf('add eth0 10.0.0.100/24'));
  assert.deepEqual(b.order, [
    'add eth0 10.0.0.100/24', 'add route 10.77.0.0/16 src 10.0.0.100 via 10.0.0.254 table 100', 'add route blackhole 10.78.0.0/16 table 100',
    'add rule v4 from 10.0.0.100/32 table 100',
  ]);
  const a = node(w, 'a', '10.0.0.1', 200);
  a.inst.start();
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  assert.equal(b.inst.state, 'BACKUP');
  assert.deepEqual(b.order.slice(4), [
    'del rule v4 from 10.0.0.100/32 table 100', 'del route 10.77.0.0/16 src 10.0.0.100 via 10.0.0.254 table 100',
    'del route blackhole 10.78.0.0/16 table 100', 'del eth0 10.0.0.100/24',
  ]);
  assert.equal(b.rt.routes.size + b.rt.rules.size, 0);
  assert.equal(a.rt.routes.size, 2);
  assert.equal(a.rt.rules.size, 1);
  await a.inst.stop();
  assert.equal(a.rt.routes.size + a.rt.rules.size, 0, 'a graceful stop removes them');
});

test('a backup removes what a crashed run left at start, never installs them, and a stop while BACKUP removes nothing more', async () => {
  const w = new World();
  const a = node(w, 'a', '10.0.0.1', 200);
  const b = node(w, 'b', '10.0.0.2', 100);
  b.rt.routes.add('blackhole 10.78.0.0/16 table 100'); // left by a crashed run
  a.inst.start(); b.inst.start();
  await w.run(5000);
  assert.equal(b.inst.state, 'BACKUP');
  assert.equal(b.rt.routes.size + b.rt.rules.size, 0);
  const atStart = b.order.length;
  assert.ok(b.order.every((l) => !l.startsWith('add')), b.order.join('\n'));
  await b.inst.stop();
  assert.deepEqual(b.order.slice(atStart).filter((l) => /route|rule/.test(l)), []);
});

test('reload of a master: a removed route goes, an added rule comes, unchanged ones are not touched', async () => {
  const w = new World();
  const a = node(w, 'a', '10.0.0.1', 200);
  a.inst.start();
  await w.run(5000);
  const before = a.order.length;
  a.inst.reconfigure(spec({ priority: 200, virtualRoutes: [routing.virtualRoutes[0]!], virtualRules: [...routing.virtualRules, rule('10.0.0.0/24', { priority: 50 })] }), { destinations: ['224.0.0.18'], tracking: [] });
  await a.inst.settled();
  assert.deepEqual(a.order.slice(before), ['del route blackhole 10.78.0.0/16 table 100', 'add rule v4 from 10.0.0.0/24 priority 50 table 100']);
  assert.equal(a.inst.state, 'MASTER');
});

test('a route the kernel refuses is logged with its errno in words; the others still go in, and the instance stays MASTER', async () => {
  const w = new World();
  const a = node(w, 'a', '10.0.0.1', 200);
  a.rt.failWhen = (op, key) => (op === 'add route' && key.startsWith('10.77.') ? new SysError(`add route ${key}`, 'ENETUNREACH') : undefined);
  a.inst.start();
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  assert.deepEqual([...a.rt.routes], ['blackhole 10.78.0.0/16 table 100']);
  assert.equal(a.rt.rules.size, 1);
  const err = a.log.records.find((r) => String(r.msg).startsWith('could not add virtual route'));
  assert.ok(err, JSON.stringify(a.log.records.map((r) => r.msg)));
  assert.match(String(err.msg), /10\.77\.0\.0\/16.*unreachable/i);
  assert.equal(err.code, 'ENETUNREACH');
});

test('reload that makes a master leave MASTER: routes, rules and VIPs only the old configuration named go too', async () => {
  const w = new World();
  const a = node(w, 'a', '10.0.0.1', 200, { virtualIps: [...spec().virtualIps, { address: '10.0.0.101', family: 4, prefixLen: 24, dev: 'eth0', scope: 'global', noTrack: false }] });
  a.inst.start();
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  assert.equal(a.rt.routes.size, 2);
  // The new configuration tracks an interface that is down (a FAULT) and no longer names the
  // blackhole route, the rule, nor the second VIP.
  const links = new FakeLinks([{ ifname: 'eth1', index: 2, up: false }]);
  const tr = new InterfaceTracker('eth1', links);
  tr.start();
  a.inst.reconfigure(spec({ priority: 200, virtualRoutes: [routing.virtualRoutes[0]!], virtualRules: [] }), { destinations: ['224.0.0.18'], tracking: [{ source: tr, weight: 0 }] });
  await a.inst.settled();
  assert.equal(a.inst.state, 'FAULT');
  assert.deepEqual([...a.rt.routes], [], 'the blackhole route of the old configuration is removed too');
  assert.deepEqual([...a.rt.rules], [], 'the rule of the old configuration is removed too');
  assert.ok(!a.addrs.has('eth0', '10.0.0.101/24'), 'the VIP of the old configuration is removed too');
  assert.ok(!a.addrs.has('eth0', '10.0.0.100/24'));
});

test('a tracked route deleted under a master: priority-0 advert, BACKUP, all removed; alone, it is master again with the route back', async () => {
  const w = new World();
  const a = node(w, 'a', '10.0.0.1', 200);
  a.inst.start();
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  const before = a.order.length;
  a.rt.deleteExternally(routing.virtualRoutes[1]!);
  await a.inst.settled();
  assert.equal(a.inst.state, 'BACKUP');
  assert.ok(a.journal.includes('advert 0'), 'priority 0 tells a backup to take over at once');
  assert.deepEqual(a.order.slice(before + 1).filter((l) => !l.startsWith('del route blackhole')), [
    'del rule v4 from 10.0.0.100/32 table 100', 'del route 10.77.0.0/16 src 10.0.0.100 via 10.0.0.254 table 100', 'del eth0 10.0.0.100/24',
  ]);
  assert.equal(a.rt.routes.size + a.rt.rules.size, 0);
  assert.ok(a.log.records.some((r) => /virtual route blackhole 10\.78\.0\.0\/16 table 100 was deleted: leaving MASTER/.test(String(r.msg))));
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER', 'no other router: master again after Master_Down_Interval');
  assert.equal(a.rt.routes.size, 2, 'the deleted route is reinstated');
  assert.equal(a.rt.rules.size, 1);
});

test('a tracked rule deleted under a master: the backup peer takes over', async () => {
  const w = new World();
  const a = node(w, 'a', '10.0.0.1', 200);
  const b = node(w, 'b', '10.0.0.2', 100);
  a.inst.start(); b.inst.start();
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  a.rt.deleteExternally(routing.virtualRules[0]!);
  await w.run(1000);
  assert.equal(b.inst.state, 'MASTER', 'b heard priority 0 and took over within its skew time');
  assert.equal(b.rt.rules.size, 1);
  assert.equal(a.rt.routes.size + a.rt.rules.size, 0);
});

test('no_track: the deleted route is not reinstated and the master stays; deletions under a backup and our own removals change nothing', async () => {
  const w = new World();
  const nt = route('10.79.0.0/16', { noTrack: true });
  const a = node(w, 'a', '10.0.0.1', 200, { virtualRoutes: [...routing.virtualRoutes, nt] });
  const b = node(w, 'b', '10.0.0.2', 100, { virtualRoutes: [...routing.virtualRoutes, nt] });
  a.inst.start(); b.inst.start();
  await w.run(5000);
  a.rt.deleteExternally(nt);
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  assert.ok(!a.rt.routes.has('10.79.0.0/16 via 10.0.0.254 table 100'), 'stays deleted until the next mastership');
  assert.ok(a.log.records.some((r) => /no_track: staying MASTER/.test(String(r.msg))));
  b.rt.routes.add('blackhole 10.78.0.0/16 table 100');
  b.rt.deleteExternally(routing.virtualRoutes[1]!);
  await w.run(3000);
  assert.equal(b.inst.state, 'BACKUP');
  assert.equal(a.inst.state, 'MASTER');
  // a graceful handover: b takes over, a's own removals are reported by the kernel and ignored.
  await a.inst.stop();
  await w.run(5000);
  assert.equal(b.inst.state, 'MASTER');
  assert.equal(b.rt.routes.size, 3);
});
