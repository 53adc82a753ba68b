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
