// GARP pacing per interface across instances (garp-pacer.ts, pure; interface-pacer.ts on a fake
// clock): keepalived keeps one "next ARP may leave" time per interface, so two instances on one
// interface with garp_interval share the spacing; another interface, or NAs, are paced apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { due, dropOwner, emptyPacer, offer, type PacedAddress } from '../../../src/vrrp/garp-pacer.js';
import { InterfacePacer } from '../../../src/vrrp/interface-pacer.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';

const v4 = (address: string, dev = 'eth0'): PacedAddress => ({ dev, address, family: 4 });
const A = { owner: 1, rank: 0 }, B = { owner: 2, rank: 1 };
const GAP = { arp: 200, na: 0 };

test('pacer: two instances on one interface share the interval; the pending leave in instance order', () => {
  let r = offer(emptyPacer(), 0, A, [v4('10.0.0.1')], GAP);
  assert.deepEqual(r.sends, [{ owner: 1, dev: 'eth0', addresses: ['10.0.0.1'] }]);
  r = offer(r.state, 0, A, [v4('10.0.0.1')], GAP); // a repeat round: pending once
  r = offer(r.state, 10, B, [v4('10.0.0.2')], GAP);
  assert.deepEqual(r.sends, [], 'the interface is busy until 200');
  assert.equal(r.wakeAtMs, 200);
  r = offer(r.state, 20, B, [v4('10.0.0.2')], GAP);
  assert.equal(r.state.pending.length, 2, 'one flag per instance and address');
  r = due(r.state, 200);
  assert.deepEqual(r.sends, [{ owner: 1, dev: 'eth0', addresses: ['10.0.0.1'] }], 'the first instance first, one per interval');
  assert.equal(r.wakeAtMs, 400);
  assert.deepEqual(due(r.state, 399).sends, [], 'not before the interval has passed');
  r = due(r.state, 400);
  assert.deepEqual(r.sends, [{ owner: 2, dev: 'eth0', addresses: ['10.0.0.2'] }]);
  assert.equal(r.wakeAtMs, undefined);
});

test('pacer: another interface and NAs are paced on their own lines; no interval holds nothing back', () => {
  let r = offer(emptyPacer(), 0, A, [v4('10.0.0.1')], GAP);
  r = offer(r.state, 0, B, [v4('10.1.0.1', 'eth1'), { dev: 'eth0', address: 'fd00::1', family: 6 }], GAP);
  assert.deepEqual(r.sends, [{ owner: 2, dev: 'eth1', addresses: ['10.1.0.1'] }, { owner: 2, dev: 'eth0', addresses: ['fd00::1'] }]);
  const free = offer(offer(emptyPacer(), 0, A, [v4('10.0.0.1')], { arp: 0, na: 0 }).state, 0, B, [v4('10.0.0.2')], { arp: 0, na: 0 });
  assert.deepEqual(free.sends, [{ owner: 2, dev: 'eth0', addresses: ['10.0.0.2'] }]);
  assert.equal(free.wakeAtMs, undefined);
});

test('pacer: a dropped owner\'s pending addresses are never sent', () => {
  let r = offer(emptyPacer(), 0, A, [v4('10.0.0.1')], GAP);
  r = offer(r.state, 0, B, [v4('10.0.0.2'), v4('10.0.0.3')], GAP);
  const s = dropOwner(r.state, 2);
  assert.equal(s.pending.length, 0);
  assert.deepEqual(due(s, 1000).sends, []);
});

test('InterfacePacer: two instances\' takeover bursts (repeat 3) on one interface: 3 ARPs, 200 ms apart, none together', () => {
  const clock = new FakeClock();
  const pacer = new InterfacePacer(clock);
  const log: { ms: number; who: string; addrs: string[] }[] = [];
  const a = pacer.join(0, (_dev, addrs) => log.push({ ms: clock.now(), who: 'a', addrs }));
  const b = pacer.join(1, (_dev, addrs) => log.push({ ms: clock.now(), who: 'b', addrs }));
  const start = clock.now();
  for (let i = 0; i < 3; i++) a.offer([v4('10.0.0.1')], GAP);
  for (let i = 0; i < 3; i++) b.offer([v4('10.0.0.2')], GAP);
  clock.advance(2000);
  assert.deepEqual(log.map((x) => [x.ms - start, x.who]), [[0, 'a'], [200, 'a'], [400, 'b']]);
  // Each instance's repeats collapsed into one pending flag; per instance pacing would have sent
  // a's and b's first ARPs together at 0.
  assert.equal(pacer.pendingCount(), 0);
  log.length = 0;
  const t0 = clock.now();
  b.offer([v4('10.0.0.2')], GAP);
  a.offer([v4('10.0.0.1')], GAP);
  b.leave();
  clock.advance(1000);
  assert.deepEqual(log.map((x) => [x.ms - t0, x.who]), [[0, 'b'], [200, 'a']], 'a left instance sends nothing more; the others go on');
});

test('InterfacePacer: a member that left before its pending message was due sends nothing; the timer is released', () => {
  const clock = new FakeClock();
  const pacer = new InterfacePacer(clock);
  const sent: string[] = [];
  const a = pacer.join(0, (_d, addrs) => sent.push(...addrs));
  a.offer([v4('10.0.0.1'), v4('10.0.0.2')], GAP);
  assert.deepEqual(sent, ['10.0.0.1']);
  a.leave();
  a.offer([v4('10.0.0.3')], GAP);
  clock.advance(5000);
  assert.deepEqual(sent, ['10.0.0.1']);
  assert.equal(pacer.pendingCount(), 0);
});
