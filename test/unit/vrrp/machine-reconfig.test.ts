// configChanged: a reload applied in place. The machine is called with the NEW cfg; nothing about
// the running state moves except what the change requires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step, type MachineConfig } from '../../../src/vrrp/machine.js';
import { advert, backupWithMaster, cfgFor, deepFreeze, DOWN_100, HIGHER_ADDR, master, timer, toMaster } from './machine-harness.js';

const reconfig = (h: { s: ReturnType<typeof master>['s'] }, cfg: MachineConfig, now: number, effective = cfg.priority) => {
  const r = step(cfg, deepFreeze(h.s), { type: 'configChanged', effective }, now);
  h.s = r.state;
  return r.actions;
};

for (const v of [2, 3] as const) {
  test(`v${v} MASTER: a new priority is advertised at once and the advert timer restarts from it`, () => {
    const h = master(v);
    const now = DOWN_100 + 400;
    assert.deepEqual(reconfig(h, cfgFor(v, { priority: 120 }), now), [
      { type: 'sendAdvert', priority: 120 },
      { type: 'armTimer', timer: 'advert', at: now + 1000 },
      { type: 'priorityNotify', state: 'MASTER', priority: 120 },
    ]);
    assert.equal(h.s.state, 'MASTER');
    assert.equal(h.s.effectivePriority, 120);
  });

  test(`v${v} MASTER lowered below the peer steps down by the protocol, with no restart`, () => {
    const h = master(v);
    reconfig(h, cfgFor(v, { priority: 50 }), DOWN_100 + 100);
    assert.equal(h.s.state, 'MASTER', 'still master until a better advert arrives');
    const r = step(cfgFor(v, { priority: 50 }), h.s, advert(100, HIGHER_ADDR), DOWN_100 + 200);
    assert.equal(r.state.state, 'BACKUP');
    assert.ok(!r.actions.some((a) => a.type === 'sendAdvert' && a.priority === 0), 'no priority-0 advert: not a stop');
  });
}

test('MASTER: a shorter advert interval applies now, a longer one from the next advert on', () => {
  const h = master(3);
  const t0 = DOWN_100; // advert armed for t0 + 1000
  assert.deepEqual(reconfig(h, cfgFor(3, { advertIntervalCs: 20 }), t0 + 100), [{ type: 'armTimer', timer: 'advert', at: t0 + 300 }]);
  const h2 = master(3);
  assert.deepEqual(reconfig(h2, cfgFor(3, { advertIntervalCs: 300 }), t0 + 100), [], 'the armed advert still goes out on time');
  const next = step(cfgFor(3, { advertIntervalCs: 300 }), h2.s, timer('advert'), t0 + 1000);
  assert.deepEqual(next.actions, [{ type: 'sendAdvert', priority: 100 }, { type: 'armTimer', timer: 'advert', at: t0 + 4000 }]);
});

test('MASTER: an unchanged configuration changes nothing', () => {
  const h = master(2);
  const before = h.s;
  assert.deepEqual(reconfig(h, cfgFor(2), DOWN_100 + 10), []);
  assert.deepEqual(h.s, before);
});

test('BACKUP: nopreempt set by reload drops a running preempt_delay timer', () => {
  const h = backupWithMaster(3, { priority: 200, preemptDelayMs: 5000 });
  // the master (150) is lower: preempt_delay is running
  h.s = step(cfgFor(3, { priority: 200, preemptDelayMs: 5000 }), h.s, advert(150), 200).state;
  assert.ok(h.s.timers.preemptDelay !== undefined);
  assert.deepEqual(reconfig(h, cfgFor(3, { priority: 200, preemptDelayMs: 5000, nopreempt: true }), 300), [{ type: 'cancelTimer', timer: 'preemptDelay' }]);
  assert.equal(h.s.state, 'BACKUP');
});

test('BACKUP raised above the master takes over by the protocol: its adverts are discarded until Master_Down', () => {
  const h = backupWithMaster(3);
  assert.deepEqual(reconfig(h, cfgFor(3, { priority: 200 }), 150), [{ type: 'priorityNotify', state: 'BACKUP', priority: 200 }]);
  const r = step(cfgFor(3, { priority: 200 }), h.s, advert(150), 200);
  assert.deepEqual(r.actions, [], 'a lower master is no longer accepted');
  const down = r.state.timers.masterDown!;
  const m = step(cfgFor(3, { priority: 200 }), r.state, timer('masterDown'), down);
  assert.deepEqual(m.actions, toMaster(down, 200, 'master-down'));
  assert.equal(m.state.state, 'MASTER');
});

test('BACKUP that becomes the address owner takes over at once; INIT and FAULT only record the priority', () => {
  const h = backupWithMaster(2);
  const a = reconfig(h, cfgFor(2, { priority: 255 }), 500);
  assert.equal(h.s.state, 'MASTER');
  assert.ok(a.some((x) => x.type === 'notify' && x.reason === 'owner'));
  for (const ev of [undefined, 'fault'] as const) {
    const f = backupWithMaster(2);
    if (ev) f.s = step(cfgFor(2), f.s, { type: 'fault' }, 200).state;
    else f.s = { ...f.s, state: 'INIT', timers: {} };
    // FAULT still reports the change (keepalived: BACKUP_PRIORITY outside MASTER); INIT does not.
    assert.deepEqual(reconfig(f, cfgFor(2, { priority: 180 }), 300), ev ? [{ type: 'priorityNotify', state: 'FAULT', priority: 180 }] : []);
    assert.equal(f.s.effectivePriority, 180);
  }
});
