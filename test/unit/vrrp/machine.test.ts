// The VRRP machine, event by event, with explicit times (a fake clock is just a number here).
// Every scenario runs for both versions; expected deadlines come from the RFC formulas worked
// out by hand (machine-harness.ts), not from timers.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MachineEvent } from '../../../src/vrrp/machine.js';
import {
  advert, backupWithMaster, cfgFor, DOWN_100, Harness, HIGHER_ADDR, LOWER_ADDR, master, ME, SKEW_100, timer, toMaster,
} from './machine-harness.js';

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
      { type: 'event', event: 'masterRxLowerPri' },
      { type: 'armTimer', timer: 'advert', at: 6000 },
    ]);
    assert.equal(h.state, 'MASTER');
  });

  test(`${v} MASTER hears a lower priority (split brain healing): re-advertise at once and GARP`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, advert(50, HIGHER_ADDR)), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'sendGarp', reason: 'heal' },
      { type: 'event', event: 'masterRxLowerPri' },
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
      { type: 'priorityNotify', state: 'MASTER', priority: 80 },
    ]);
    assert.deepEqual(h.at(4001, { type: 'priorityChanged', effective: 80 }), [], 'no change, nothing sent');
    assert.equal(h.s.effectivePriority, 80);
  });

  test(`${v} priority change in BACKUP: used by the next Master_Down_Interval (effective priority skew)`, () => {
    const h = backupWithMaster(version);
    assert.deepEqual(h.at(200, { type: 'priorityChanged', effective: 200 }), [{ type: 'priorityNotify', state: 'BACKUP', priority: 200 }]);
    // priority 200 at 100 cs: 3000 + 56/256 s = 3218.75 ms; and 150 < 200 so preempt discards:
    assert.deepEqual(h.at(300, advert(150)), []);
    h.at(400, advert(250));
    assert.deepEqual(h.s.timers, { masterDown: 400 + 3218.75 });
  });

  test(`${v} effective priority is clamped to 1..254; 255 stays the owner's (RFC 3768 §5.3.4, RFC 5798 §5.2.4)`, () => {
    const h = master(version);
    assert.deepEqual(h.at(4000, { type: 'priorityChanged', effective: -20 })[0], { type: 'sendAdvert', priority: 1 });
    assert.deepEqual(h.at(4000, { type: 'priorityChanged', effective: 999 })[0], { type: 'sendAdvert', priority: 254 });
    assert.deepEqual(h.at(4000, { type: 'priorityChanged', effective: 255 }), [], 'a non-owner never claims 255');
    assert.deepEqual(h.at(4000, { type: 'priorityChanged', effective: NaN }), [], 'a non-finite priority is ignored');
    assert.equal(h.s.effectivePriority, 254);
    const owner = new Harness(cfgFor(version, { priority: 255 }));
    owner.at(0, { type: 'startup' });
    assert.deepEqual(owner.at(10, { type: 'priorityChanged', effective: 120 }), [], 'an owner keeps 255');
    assert.equal(owner.s.effectivePriority, 255);
  });

  test(`${v} stale and early timer events`, () => {
    const h = new Harness(cfgFor(version));
    h.at(0, { type: 'startup' });
    assert.deepEqual(h.at(10, timer('advert')), [], 'not armed: ignored');
    assert.deepEqual(h.at(10, timer('preemptDelay')), [], 'not armed: ignored');
    assert.deepEqual(h.at(3000, timer('masterDown')), [{ type: 'armTimer', timer: 'masterDown', at: DOWN_100 }], 'early: re-armed');
    assert.equal(h.state, 'BACKUP');
  });

  test(`${v} sync group: a BACKUP member follows to MASTER at once, a MASTER member leaves silently`, () => {
    const h = backupWithMaster(version);
    assert.deepEqual(h.at(500, { type: 'syncGroup', to: 'MASTER' }),
      toMaster(500, 100, 'sync-group', 'BACKUP', [{ type: 'cancelTimer', timer: 'masterDown' }]));
    assert.deepEqual(h.at(600, { type: 'syncGroup', to: 'MASTER' }), [], 'already MASTER');
    assert.deepEqual(h.at(700, { type: 'syncGroup', to: 'BACKUP' }), [
      { type: 'cancelTimer', timer: 'advert' },
      { type: 'removeVips' },
      { type: 'notify', state: 'BACKUP', from: 'MASTER', reason: 'sync-group' },
      { type: 'armTimer', timer: 'masterDown', at: 700 + DOWN_100 },
    ]);
    h.at(800, { type: 'fault' });
    assert.deepEqual(h.at(900, { type: 'syncGroup', to: 'MASTER' }), [], 'FAULT does not follow');
  });

  test(`${v} INIT ignores adverts and timers`, () => {
    const h = new Harness(cfgFor(version));
    assert.deepEqual(h.at(0, advert(200)), []);
    assert.deepEqual(h.at(0, timer('masterDown')), []);
    assert.deepEqual(h.at(0, { type: 'priorityChanged', effective: 50 }), []);
    assert.equal(h.state, 'INIT');
  });
}
