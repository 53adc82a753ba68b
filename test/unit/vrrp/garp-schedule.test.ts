// keepalived's GARP timing as pure data: which bursts a reason gives, and how garp_interval /
// gna_interval space every single message on one interface (vrrp_arp.c), not the rounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bursts, pace, type GarpAddress } from '../../../src/vrrp/garp-schedule.js';
import type { GarpTiming } from '../../../src/config/model.js';

const T: GarpTiming = {
  masterDelayMs: 5000, masterRepeat: 5, lowerPrioDelayMs: 3000, lowerPrioRepeat: 2,
  masterRefreshMs: 0, masterRefreshRepeat: 1, intervalMs: 0, gnaIntervalMs: 0,
};
const v4 = (address: string, dev = 'eth0'): GarpAddress => ({ dev, address, family: 4 });
const v6 = (address: string, dev = 'eth0'): GarpAddress => ({ dev, address, family: 6 });

test('bursts: takeover = repeat now + repeat after garp_master_delay; delay 0 = one burst', () => {
  assert.deepEqual(bursts(T, 'takeover'), [{ atMs: 0, repeat: 5 }, { atMs: 5000, repeat: 5 }]);
  assert.deepEqual(bursts({ ...T, masterDelayMs: 0 }, 'takeover'), [{ atMs: 0, repeat: 5 }]);
});

test('bursts: a lower-priority advert = lower_prio_repeat now and again after lower_prio_delay', () => {
  assert.deepEqual(bursts(T, 'heal'), [{ atMs: 0, repeat: 2 }, { atMs: 3000, repeat: 2 }]);
  assert.deepEqual(bursts({ ...T, lowerPrioDelayMs: 0 }, 'heal'), [{ atMs: 0, repeat: 2 }]);
});

test('bursts: garp_lower_prio_repeat 0 sends nothing at all (keepalived: if (garp_lower_prio_rep))', () => {
  assert.deepEqual(bursts({ ...T, lowerPrioRepeat: 0 }, 'heal'), []);
  assert.deepEqual(pace(bursts({ ...T, lowerPrioRepeat: 0 }, 'heal'), [v4('10.0.0.1')], { arp: 0, na: 0 }), []);
});

test('bursts: refresh = garp_master_refresh_repeat rounds', () => {
  assert.deepEqual(bursts({ ...T, masterRefreshRepeat: 3 }, 'refresh'), [{ atMs: 0, repeat: 3 }]);
});

test('pace: no interval = every round of every address at once, round by round', () => {
  const out = pace([{ atMs: 0, repeat: 2 }], [v4('10.0.0.1'), v4('10.0.0.2')], { arp: 0, na: 0 });
  assert.deepEqual(out, [{ atMs: 0, dev: 'eth0', addresses: ['10.0.0.1', '10.0.0.2'] }, { atMs: 0, dev: 'eth0', addresses: ['10.0.0.1', '10.0.0.2'] }]);
});

test('pace: with garp_interval one VIP and repeat 3 give 2 ARPs an interval apart (repeats collapse into one pending)', () => {
  // keepalived 2.2.7 on the wire (garp-lower-prio.test.ts): 0, 202 ms.
  const out = pace([{ atMs: 0, repeat: 3 }], [v4('10.0.0.1')], { arp: 200, na: 0 });
  assert.deepEqual(out, [{ atMs: 0, dev: 'eth0', addresses: ['10.0.0.1'] }, { atMs: 200, dev: 'eth0', addresses: ['10.0.0.1'] }]);
  assert.equal(pace([{ atMs: 0, repeat: 1 }], [v4('10.0.0.1')], { arp: 200, na: 0 }).length, 1, 'repeat 1: one ARP');
});

test('pace: with garp_interval N VIPs give N+1 ARPs one interval apart, in list order', () => {
  const out = pace([{ atMs: 0, repeat: 5 }], [v4('10.0.0.1'), v4('10.0.0.2'), v4('10.0.0.3')], { arp: 100, na: 0 });
  assert.deepEqual(out.map((s) => [s.atMs, s.addresses]), [
    [0, ['10.0.0.1']], [100, ['10.0.0.1']], [200, ['10.0.0.2']], [300, ['10.0.0.3']],
  ]);
});

test('pace: ARPs and NAs, and two interfaces, are paced independently', () => {
  const out = pace([{ atMs: 0, repeat: 2 }], [v4('10.0.0.1'), v6('fd00::1'), v6('fd00::2'), v4('10.1.0.1', 'eth1')], { arp: 50, na: 20 });
  const on = (dev: string) => out.filter((s) => s.dev === dev).map((s) => [s.atMs, s.addresses]);
  assert.deepEqual(on('eth0'), [[0, ['10.0.0.1', 'fd00::1']], [20, ['fd00::1']], [40, ['fd00::2']], [50, ['10.0.0.1']]]);
  assert.deepEqual(on('eth1'), [[0, ['10.1.0.1']], [50, ['10.1.0.1']]]);
});

test('pace: a burst while addresses are pending only marks them again (sent in list order); a later one starts afresh', () => {
  const addrs = [v4('10.0.0.1'), v4('10.0.0.2')];
  const out = pace([{ atMs: 0, repeat: 2 }, { atMs: 150, repeat: 2 }], addrs, { arp: 100, na: 0 });
  assert.deepEqual(out.map((s) => [s.atMs, s.addresses]), [[0, ['10.0.0.1']], [100, ['10.0.0.1']], [200, ['10.0.0.1']], [300, ['10.0.0.2']]]);
  const late = pace([{ atMs: 0, repeat: 2 }, { atMs: 5000, repeat: 2 }], [v4('10.0.0.1')], { arp: 100, na: 0 });
  assert.deepEqual(late.map((s) => s.atMs), [0, 100, 5000, 5100]);
});
