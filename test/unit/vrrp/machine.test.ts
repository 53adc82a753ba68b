// The VRRP machine, event by event, with explicit times (a fake clock is just a number here).
// Every scenario runs for both versions; expected deadlines come from the RFC formulas worked
// out by hand below, not from timers.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  initialMachineState, step, type MachineAction, type MachineConfig, type MachineEvent, type MachineState,
} from '../../../src/vrrp/machine.js';
import { parseIP } from '../../../src/lib/ip.js';

const ip = (s: string): Uint8Array => parseIP(s).addr;
const ME = ip('10.0.0.5');
const LOWER_ADDR = ip('10.0.0.2');
const HIGHER_ADDR = ip('10.0.0.9');

// Both versions with a 1 s interval and priority 100:
//   Skew_Time = 156/256 s = 609.375 ms, Master_Down_Interval = 3609.375 ms (v2 and v3 agree at 100 cs).
const SKEW_100 = 609.375;
const DOWN_100 = 3609.375;

function cfgFor(version: 2 | 3, over: Partial<MachineConfig> = {}): MachineConfig {
  return { version, priority: 100, advertIntervalCs: 100, initialState: 'BACKUP', nopreempt: false, preemptDelayMs: 0, primaryAddr: ME, ...over };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !ArrayBuffer.isView(o)) { Object.freeze(o); for (const v of Object.values(o)) deepFreeze(v); }
  return o;
}

/** Drives one machine; every step checks purity by freezing the input state. */
class Harness {
  s: MachineState;
  constructor(readonly cfg: MachineConfig) { this.s = initialMachineState(cfg); }
  at(now: number, ev: MachineEvent): MachineAction[] {
    const r = step(this.cfg, deepFreeze(this.s), ev, now);
    this.s = r.state;
    return r.actions;
  }
  get state(): string { return this.s.state; }
}

const advert = (priority: number, primaryAddr = HIGHER_ADDR, maxAdvertIntervalCs = 100): MachineEvent =>
  ({ type: 'advertReceived', priority, primaryAddr, maxAdvertIntervalCs });
const timer = (t: 'masterDown' | 'advert' | 'preemptDelay'): MachineEvent => ({ type: 'timer', timer: t });

/** The exact action list of a transition to Master at `now` with priority p (1 s interval). */
const toMaster = (now: number, p: number, reason: string, from = 'BACKUP', cancels: MachineAction[] = []): MachineAction[] => [
  ...cancels,
  { type: 'sendAdvert', priority: p },
  { type: 'addVips' },
  { type: 'sendGarp', reason: 'takeover' },
  { type: 'notify', state: 'MASTER', from, reason } as MachineAction,
  { type: 'armTimer', timer: 'advert', at: now + 1000 },
];

/** A machine that is BACKUP since t=0 having accepted a master of priority 150 at t=100. */
function backupWithMaster(version: 2 | 3, over: Partial<MachineConfig> = {}): Harness {
  const h = new Harness(cfgFor(version, over));
  h.at(0, { type: 'startup' });
  h.at(100, advert(150));
  return h;
}
/** A machine that became MASTER at t=DOWN_100 by master-down. */
function master(version: 2 | 3, over: Partial<MachineConfig> = {}): Harness {
  const h = new Harness(cfgFor(version, over));
  h.at(0, { type: 'startup' });
  h.at(DOWN_100, timer('masterDown'));
  assert.equal(h.state, 'MASTER');
  return h;
}

for (const version of [2, 3] as const) {
  const v = `v${version}`;

  test(`${v} startup: INIT -> BACKUP, Master_Down_Timer armed`, () => {
    const h = new Harness(cfgFor(version));
    assert.equal(h.state, 'INIT');
    assert.deepEqual(h.at(0, { type: 'startup' }), [
      { type: 'notify', state: 'BACKUP', from: 'INIT', reason: 'startup' },
      { type: 'armTimer', timer: 'masterDown', at: DOWN_100 },
    ]);
    assert.equal(h.state, 'BACKUP');
    assert.deepEqual(h.at(5, { type: 'startup' }), [], 'a second startup is ignored');
  });

  test(`${v} startup of the owner (255): straight to MASTER`, () => {
    const h = new Harness(cfgFor(version, { priority: 255 }));
    assert.deepEqual(h.at(0, { type: 'startup' }), toMaster(0, 255, 'owner', 'INIT'));
  });

  test(`${v} startup with state MASTER (not owner): BACKUP for one interval plus the minimal skew`, () => {
    const h = new Harness(cfgFor(version, { initialState: 'MASTER' }));
    const a = h.at(0, { type: 'startup' });
    assert.equal(h.state, 'BACKUP');
    // 1000 ms + Skew_Time at priority 255 (1/256 s = 3.90625 ms, for v2 and for v3 at 100 cs)
    assert.deepEqual(a.at(-1), { type: 'armTimer', timer: 'masterDown', at: 1003.90625 });
    assert.deepEqual(h.at(1003.90625, timer('masterDown')), toMaster(1003.90625, 100, 'master-down'));
  });

  test(`${v} startup with a fault present: INIT -> FAULT, no timer`, () => {
    const h = new Harness(cfgFor(version));
    assert.deepEqual(h.at(0, { type: 'fault' }), []);
    assert.deepEqual(h.at(1, { type: 'startup' }), [{ type: 'notify', state: 'FAULT', from: 'INIT', reason: 'fault' }]);
    assert.deepEqual(h.s.timers, {});
  });

  test(`${v} BACKUP: Master_Down_Timer expiry -> MASTER (advert, VIPs, GARP, notify, advert timer)`, () => {
    const h = new Harness(cfgFor(version));
    h.at(0, { type: 'startup' });
    assert.deepEqual(h.at(DOWN_100, timer('masterDown')), toMaster(DOWN_100, 100, 'master-down'));
    assert.deepEqual(h.s.timers, { advert: DOWN_100 + 1000 });
  });

  test(`${v} MASTER: advert timer sends and re-arms`, () => {
    const h = master(version);
    const t = DOWN_100 + 1000;
    assert.deepEqual(h.at(t, timer('advert')), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'armTimer', timer: 'advert', at: t + 1000 },
    ]);
  });

  test(`${v} BACKUP: an advert of higher or equal priority restarts Master_Down_Timer`, () => {
    for (const p of [100, 150, 255]) {
      const h = new Harness(cfgFor(version));
      h.at(0, { type: 'startup' });
      assert.deepEqual(h.at(2000, advert(p, LOWER_ADDR)), [{ type: 'armTimer', timer: 'masterDown', at: 2000 + DOWN_100 }], `priority ${p}`);
      assert.equal(h.state, 'BACKUP');
      assert.equal(h.s.masterPriority, p);
      assert.deepEqual(h.s.masterAddr, LOWER_ADDR);
    }
  });

  test(`${v} BACKUP with preempt: a lower-priority master is ignored, then preempted at Master_Down_Interval`, () => {
    const h = new Harness(cfgFor(version));
    h.at(0, { type: 'startup' });
    assert.deepEqual(h.at(1000, advert(50)), []);
    assert.deepEqual(h.at(2000, advert(50)), []);
    assert.deepEqual(h.at(DOWN_100, timer('masterDown')), toMaster(DOWN_100, 100, 'master-down'));
  });

  test(`${v} nopreempt (state BACKUP): a lower-priority master is kept`, () => {
    const h = new Harness(cfgFor(version, { nopreempt: true }));
    h.at(0, { type: 'startup' });
    assert.deepEqual(h.at(1000, advert(50)), [{ type: 'armTimer', timer: 'masterDown', at: 1000 + DOWN_100 }]);
    // A late event for the replaced deadline is early for the new one: re-armed, not acted on.
    assert.deepEqual(h.at(DOWN_100, timer('masterDown')), [{ type: 'armTimer', timer: 'masterDown', at: 1000 + DOWN_100 }]);
    assert.equal(h.state, 'BACKUP');
  });

  test(`${v} nopreempt is ignored with state MASTER (as keepalived documents)`, () => {
    const h = new Harness(cfgFor(version, { nopreempt: true, initialState: 'MASTER' }));
    h.at(0, { type: 'startup' });
    assert.deepEqual(h.at(500, advert(50)), []);
  });

  test(`${v} preempt_delay: the lower master is kept until the delay, then preempted`, () => {
    const h = new Harness(cfgFor(version, { preemptDelayMs: 5000 }));
    h.at(0, { type: 'startup' });
    assert.deepEqual(h.at(1000, advert(50)), [
      { type: 'armTimer', timer: 'preemptDelay', at: 6000 },
      { type: 'armTimer', timer: 'masterDown', at: 1000 + DOWN_100 },
    ]);
    assert.deepEqual(h.at(2000, advert(50)), [{ type: 'armTimer', timer: 'masterDown', at: 2000 + DOWN_100 }], 'the delay is not restarted');
    assert.deepEqual(h.at(5999, timer('preemptDelay')), [{ type: 'armTimer', timer: 'preemptDelay', at: 6000 }], 'early delivery re-arms');
    assert.deepEqual(h.at(6000, timer('preemptDelay')), toMaster(6000, 100, 'preempt', 'BACKUP', [{ type: 'cancelTimer', timer: 'masterDown' }]));
  });

  test(`${v} preempt_delay: a higher-priority master cancels the pending preemption`, () => {
    const h = new Harness(cfgFor(version, { preemptDelayMs: 5000 }));
    h.at(0, { type: 'startup' });
    h.at(1000, advert(50));
    assert.deepEqual(h.at(2000, advert(150)), [
      { type: 'cancelTimer', timer: 'preemptDelay' },
      { type: 'armTimer', timer: 'masterDown', at: 2000 + DOWN_100 },
    ]);
    assert.deepEqual(h.at(6000, timer('preemptDelay')), [], 'stale');
    assert.equal(h.state, 'BACKUP');
  });

  test(`${v} preempt_delay: an advert after the deadline (timer not yet delivered) is discarded`, () => {
    const h = new Harness(cfgFor(version, { preemptDelayMs: 500 }));
    h.at(0, { type: 'startup' });
    h.at(100, advert(50));
    assert.deepEqual(h.at(700, advert(50)), []);
  });

  test(`${v} BACKUP: a priority-0 advert shortens Master_Down_Timer to Skew_Time`, () => {
    const h = backupWithMaster(version);
    assert.deepEqual(h.at(1000, advert(0)), [{ type: 'armTimer', timer: 'masterDown', at: 1000 + SKEW_100 }]);
    assert.deepEqual(h.at(1000 + SKEW_100, timer('masterDown')), toMaster(1000 + SKEW_100, 100, 'master-stopped'));
  });

  test(`${v} BACKUP: a priority-0 advert and then a new master: no take-over`, () => {
    const h = backupWithMaster(version);
    h.at(1000, advert(0));
    h.at(1200, advert(120, LOWER_ADDR));
    assert.deepEqual(h.at(1000 + SKEW_100, timer('masterDown')), [{ type: 'armTimer', timer: 'masterDown', at: 1200 + DOWN_100 }]);
    assert.equal(h.state, 'BACKUP');
    assert.equal(h.s.masterStopped, false);
  });

  test(`${v} MASTER hears a higher priority: -> BACKUP, VIPs removed`, () => {
    const h = master(version);
    const t = 5000;
    assert.deepEqual(h.at(t, advert(150, LOWER_ADDR)), [
      { type: 'cancelTimer', timer: 'advert' },
      { type: 'sendAdvert', priority: 100 },
      { type: 'removeVips' },
      { type: 'notify', state: 'BACKUP', from: 'MASTER', reason: 'higher-priority' },
      { type: 'armTimer', timer: 'masterDown', at: t + DOWN_100 },
    ]);
    assert.deepEqual(h.s.timers, { masterDown: t + DOWN_100 });
  });

  test(`${v} MASTER steps down silently with stepDownAdvert false (keepalived's way)`, () => {
    const h = master(version, { stepDownAdvert: false });
    assert.deepEqual(h.at(5000, advert(150, LOWER_ADDR)).map((a) => a.type), ['cancelTimer', 'removeVips', 'notify', 'armTimer']);
  });

  test(`${v} MASTER tie-break: equal priority, higher primary address wins`, () => {
    const h = master(version);
    const a = h.at(5000, advert(100, HIGHER_ADDR));
    assert.equal(h.state, 'BACKUP');
    assert.ok(a.some((x) => x.type === 'removeVips'));
  });

  test(`${v} MASTER tie-break: equal priority, lower primary address loses -> re-advertise and GARP`, () => {
    const h = master(version);
    assert.deepEqual(h.at(5000, advert(100, LOWER_ADDR)), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'sendGarp', reason: 'heal' },
      { type: 'armTimer', timer: 'advert', at: 6000 },
    ]);
    assert.equal(h.state, 'MASTER');
  });

  test(`${v} MASTER hears a lower priority (split brain healing): re-advertise at once and GARP`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, advert(50, HIGHER_ADDR)), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'sendGarp', reason: 'heal' },
      { type: 'armTimer', timer: 'advert', at: 5000 },
    ]);
  });

  test(`${v} MASTER hears a priority-0 advert: answers at once, no GARP`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, advert(0, HIGHER_ADDR)), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'armTimer', timer: 'advert', at: 5000 },
    ]);
  });

  test(`${v} MASTER ignores its own advert looped back`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, advert(100, ME)), []);
  });

  test(`${v} fault in MASTER: priority-0 advert, VIPs removed, FAULT; cleared -> BACKUP`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, { type: 'fault', reason: 'eth1 down' }), [
      { type: 'cancelTimer', timer: 'advert' },
      { type: 'sendAdvert', priority: 0 },
      { type: 'removeVips' },
      { type: 'notify', state: 'FAULT', from: 'MASTER', reason: 'fault' },
    ]);
    assert.deepEqual(h.at(4500, advert(150)), [], 'FAULT ignores adverts');
    assert.deepEqual(h.at(4600, timer('advert')), [], 'no timer left');
    assert.deepEqual(h.at(5000, { type: 'faultCleared' }), [
      { type: 'notify', state: 'BACKUP', from: 'FAULT', reason: 'fault-cleared' },
      { type: 'armTimer', timer: 'masterDown', at: 5000 + DOWN_100 },
    ]);
  });

  test(`${v} fault in BACKUP: FAULT, timers cancelled`, () => {
    const h = backupWithMaster(version, { preemptDelayMs: 1000 });
    h.at(200, advert(50));
    assert.deepEqual(h.at(300, { type: 'fault' }), [
      { type: 'cancelTimer', timer: 'masterDown' },
      { type: 'cancelTimer', timer: 'preemptDelay' },
      { type: 'notify', state: 'FAULT', from: 'BACKUP', reason: 'fault' },
    ]);
    assert.deepEqual(h.at(301, { type: 'fault' }), [], 'a second fault changes nothing');
  });

  test(`${v} fault cleared for the owner: straight back to MASTER`, () => {
    const h = new Harness(cfgFor(version, { priority: 255 }));
    h.at(0, { type: 'startup' });
    h.at(10, { type: 'fault' });
    assert.deepEqual(h.at(20, { type: 'faultCleared' }), toMaster(20, 255, 'owner', 'FAULT'));
  });

  test(`${v} faultCleared outside FAULT only clears the flag`, () => {
    const h = new Harness(cfgFor(version));
    h.at(0, { type: 'fault' });
    assert.deepEqual(h.at(1, { type: 'faultCleared' }), []);
    h.at(2, { type: 'startup' });
    assert.equal(h.state, 'BACKUP');
  });

  test(`${v} shutdown from MASTER: priority-0 advert, VIPs removed, STOPPED`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, { type: 'shutdown' }), [
      { type: 'cancelTimer', timer: 'advert' },
      { type: 'sendAdvert', priority: 0 },
      { type: 'removeVips' },
      { type: 'notify', state: 'STOPPED', from: 'MASTER', reason: 'shutdown' },
    ]);
    for (const ev of [advert(200), timer('advert'), { type: 'fault' } as MachineEvent, { type: 'shutdown' } as MachineEvent]) {
      assert.deepEqual(h.at(4100, ev), [], `STOPPED ignores ${ev.type}`);
    }
  });

  test(`${v} shutdown from BACKUP and FAULT`, () => {
    const h = backupWithMaster(version);
    assert.deepEqual(h.at(500, { type: 'shutdown' }), [
      { type: 'cancelTimer', timer: 'masterDown' },
      { type: 'notify', state: 'STOPPED', from: 'BACKUP', reason: 'shutdown' },
    ]);
    const f = new Harness(cfgFor(version));
    f.at(0, { type: 'fault' });
    f.at(0, { type: 'startup' });
    assert.deepEqual(f.at(1, { type: 'shutdown' }), [{ type: 'notify', state: 'STOPPED', from: 'FAULT', reason: 'shutdown' }]);
  });

  test(`${v} startup after STOPPED begins again`, () => {
    const h = master(version);
    h.at(4000, { type: 'shutdown' });
    h.at(5000, { type: 'startup' });
    assert.equal(h.state, 'BACKUP');
    assert.deepEqual(h.s.timers, { masterDown: 5000 + DOWN_100 });
  });

  test(`${v} priority change in MASTER is advertised at once`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, { type: 'priorityChanged', effective: 80 }), [
      { type: 'sendAdvert', priority: 80 },
      { type: 'armTimer', timer: 'advert', at: 5000 },
    ]);
    assert.deepEqual(h.at(4001, { type: 'priorityChanged', effective: 80 }), [], 'no change, nothing sent');
    assert.equal(h.s.effectivePriority, 80);
  });

  test(`${v} priority change in BACKUP: used by the next Master_Down_Interval (effective priority skew)`, () => {
    const h = backupWithMaster(version);
    assert.deepEqual(h.at(200, { type: 'priorityChanged', effective: 200 }), []);
    // priority 200 at 100 cs: 3000 + 56/256 s = 3218.75 ms; and 150 < 200 so preempt discards:
    assert.deepEqual(h.at(300, advert(150)), []);
    h.at(400, advert(250));
    assert.deepEqual(h.s.timers, { masterDown: 400 + 3218.75 });
  });

  test(`${v} effective priority is clamped to 1..255`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, { type: 'priorityChanged', effective: -20 })[0], { type: 'sendAdvert', priority: 1 });
    assert.deepEqual(h.at(4000, { type: 'priorityChanged', effective: 999 })[0], { type: 'sendAdvert', priority: 255 });
  });

  test(`${v} stale and early timer events`, () => {
    const h = new Harness(cfgFor(version));
    h.at(0, { type: 'startup' });
    assert.deepEqual(h.at(10, timer('advert')), [], 'not armed: ignored');
    assert.deepEqual(h.at(10, timer('preemptDelay')), [], 'not armed: ignored');
    assert.deepEqual(h.at(3000, timer('masterDown')), [{ type: 'armTimer', timer: 'masterDown', at: DOWN_100 }], 'early: re-armed');
    assert.equal(h.state, 'BACKUP');
  });

  test(`${v} INIT ignores adverts and timers`, () => {
    const h = new Harness(cfgFor(version));
    assert.deepEqual(h.at(0, advert(200)), []);
    assert.deepEqual(h.at(0, timer('masterDown')), []);
    assert.deepEqual(h.at(0, { type: 'priorityChanged', effective: 50 }), []);
    assert.equal(h.state, 'INIT');
  });
}

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
