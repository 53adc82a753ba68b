// The machine beyond the per-version tables: v3 interval adoption, IPv6 tie-break, and a random
// walk over every event in every reachable state checking the invariants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MachineEvent } from '../../../src/vrrp/machine.js';
import { advert, cfgFor, DOWN_100, Harness, HIGHER_ADDR, ip, LOWER_ADDR, master, timer } from './machine-harness.js';

test('v3 BACKUP adopts the master\'s advertisement interval (RFC 5798 §6.4.2)', () => {
  const h = new Harness(cfgFor(3));
  h.at(0, { type: 'startup' });
  // Master at 37 cs: Master_Down_Interval = 3*37 + 156*37/256 cs = 111 + 22.546875 cs = 1335.46875 ms
  assert.deepEqual(h.at(100, advert(150, HIGHER_ADDR, 37)), [
    { type: 'adoptMasterAdvertInterval', intervalCs: 37 },
    { type: 'armTimer', timer: 'masterDown', at: 100 + 1335.46875 },
  ]);
  assert.deepEqual(h.at(200, advert(150, HIGHER_ADDR, 37)), [{ type: 'armTimer', timer: 'masterDown', at: 200 + 1335.46875 }], 'adopted once');
  // priority 0: Skew_Time with the adopted interval: 156*37/256 cs = 225.46875 ms
  assert.deepEqual(h.at(300, advert(0, HIGHER_ADDR, 37)), [{ type: 'armTimer', timer: 'masterDown', at: 300 + 225.46875 }]);
  h.at(525.46875, timer('masterDown'));
  assert.equal(h.state, 'MASTER');
  assert.equal(h.s.masterAdverIntervalCs, 100, 'a master advertises at its own interval');
});

test('v3 MASTER that loses adopts the winner\'s interval', () => {
  const h = master(3);
  const a = h.at(5000, advert(150, LOWER_ADDR, 20));
  assert.deepEqual(a.find((x) => x.type === 'adoptMasterAdvertInterval'), { type: 'adoptMasterAdvertInterval', intervalCs: 20 });
  // 3*20 + 156*20/256 cs = 60 + 12.1875 cs
  assert.deepEqual(a.at(-1), { type: 'armTimer', timer: 'masterDown', at: 5000 + 721.875 });
});

test('v2 never adopts another interval (validation already dropped a mismatch)', () => {
  const h = new Harness(cfgFor(2));
  h.at(0, { type: 'startup' });
  assert.deepEqual(h.at(100, advert(150, HIGHER_ADDR, 37)), [{ type: 'armTimer', timer: 'masterDown', at: 100 + DOWN_100 }]);
});

test('IPv6 primary addresses compare as 128-bit numbers in the tie-break', () => {
  const h = new Harness({ ...cfgFor(3), primaryAddr: ip('fe80::5'), priority: 255 });
  h.at(0, { type: 'startup' });
  h.at(1, advert(255, ip('fe80::4')));
  assert.equal(h.state, 'MASTER');
  h.at(2, advert(255, ip('fe80::1:0')));
  assert.equal(h.state, 'BACKUP');
});

test('exhaustive: every event in every reachable state keeps the machine consistent', () => {
  const events: MachineEvent[] = [
    { type: 'startup' }, { type: 'shutdown' }, { type: 'fault' }, { type: 'faultCleared' },
    advert(0), advert(50, LOWER_ADDR), advert(100, LOWER_ADDR), advert(100, HIGHER_ADDR), advert(200),
    timer('masterDown'), timer('advert'), timer('preemptDelay'), { type: 'priorityChanged', effective: 150 },
    { type: 'syncGroup', to: 'MASTER' }, { type: 'syncGroup', to: 'BACKUP' },
  ];
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (const version of [2, 3] as const) {
    for (const over of [{}, { priority: 255 }, { nopreempt: true }, { preemptDelayMs: 2000 }, { initialState: 'MASTER' as const }]) {
      const h = new Harness(cfgFor(version, over));
      let now = 0;
      let vipsHeld = false;
      for (let i = 0; i < 3000; i++) {
        now += rnd(700);
        // Timers fire at their deadline most of the time, which is what a runtime does.
        const armed = Object.entries(h.s.timers);
        const ev = armed.length && rnd(2) ? timer(armed[0]![0] as 'advert') : events[rnd(events.length)]!;
        if (ev.type === 'timer' && h.s.timers[ev.timer] !== undefined && rnd(2)) now = Math.max(now, h.s.timers[ev.timer]!);
        const acts = h.at(now, ev);
        for (const a of acts) {
          if (a.type === 'addVips') { assert.ok(!vipsHeld, 'VIPs added twice'); vipsHeld = true; }
          if (a.type === 'removeVips') { assert.ok(vipsHeld, 'VIPs removed while not held'); vipsHeld = false; }
          if (a.type === 'armTimer') assert.ok(a.at >= now, 'deadline in the past');
        }
        assert.equal(vipsHeld, h.state === 'MASTER', `VIPs held exactly in MASTER (state ${h.state})`);
        const t = h.s.timers;
        if (h.state === 'MASTER') assert.ok(t.advert !== undefined && t.masterDown === undefined && t.preemptDelay === undefined);
        if (h.state === 'BACKUP') assert.ok(t.masterDown !== undefined && t.advert === undefined);
        if (h.state === 'FAULT' || h.state === 'STOPPED' || h.state === 'INIT') assert.deepEqual(t, {});
      }
    }
  }
});
