// The machine's non-transition outputs and start-up hold: notify_master_rx_lower_pri, priority
// change notifications, vrrp_startup_delay and the 'deleted' stop reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advert, cfgFor, DOWN_100, Harness, HIGHER_ADDR, LOWER_ADDR, timer } from './machine-harness.js';

function master(v: 2 | 3): Harness {
  const h = new Harness(cfgFor(v));
  h.at(0, { type: 'startup' });
  h.at(DOWN_100, timer('masterDown'));
  assert.equal(h.state, 'MASTER');
  return h;
}

for (const v of [2, 3] as const) {
  test(`v${v} a master hearing a lower priority (or an equal one from a lower address) reports masterRxLowerPri once per advert`, () => {
    const h = master(v);
    const count = (a: ReturnType<Harness['at']>) => a.filter((x) => x.type === 'event' && x.event === 'masterRxLowerPri').length;
    assert.equal(count(h.at(4000, advert(50, HIGHER_ADDR))), 1);
    assert.equal(count(h.at(4100, advert(100, LOWER_ADDR))), 1);
    assert.equal(count(h.at(4200, advert(0, HIGHER_ADDR))), 0, 'priority 0 is a leaving master, not a lower one');
    assert.equal(count(h.at(4300, advert(150, HIGHER_ADDR))), 0, 'a higher one makes us backup');
    assert.equal(h.state, 'BACKUP');
    assert.equal(count(h.at(4400, advert(50, HIGHER_ADDR))), 0, 'a backup never reports it');
  });
}

test('priority changes are reported with the state they happen in (keepalived MASTER_PRIORITY / BACKUP_PRIORITY)', () => {
  const h = master(3);
  assert.deepEqual(h.at(5000, { type: 'priorityChanged', effective: 90 }).filter((a) => a.type === 'priorityNotify'),
    [{ type: 'priorityNotify', state: 'MASTER', priority: 90 }]);
  const b = new Harness(cfgFor(3));
  b.at(0, { type: 'startup' });
  assert.deepEqual(b.at(10, { type: 'priorityChanged', effective: 254.7 }), [{ type: 'priorityNotify', state: 'BACKUP', priority: 254 }]);
  assert.deepEqual(b.at(20, { type: 'priorityChanged', effective: 254 }), [], 'no change, no report');
});

test('vrrp_startup_delay: BACKUP at once; Master_Down counts from the end of the hold (keepalived: delay + Master_Down_Interval)', () => {
  const h = new Harness(cfgFor(3));
  const a = h.at(0, { type: 'startup', holdUntil: 10_000 });
  assert.equal(h.state, 'BACKUP');
  assert.ok(a.some((x) => x.type === 'notify' && x.state === 'BACKUP'));
  assert.equal(h.s.timers.masterDown, 10_000 + DOWN_100);
  // An accepted advert during the hold re-arms from the hold's end too.
  h.at(5000, advert(200));
  assert.equal(h.s.timers.masterDown, 10_000 + DOWN_100);
  assert.deepEqual(h.at(10_000, timer('masterDown')).filter((x) => x.type === 'notify'), [], 'an early delivery is not acted on');
  h.at(10_000 + DOWN_100, timer('masterDown'));
  assert.equal(h.state, 'MASTER');
});

test('vrrp_startup_delay: after the hold, adverts and timings are the RFC ones (a lower master is preempted)', () => {
  const h = new Harness(cfgFor(3));
  h.at(0, { type: 'startup', holdUntil: 2000 });
  h.at(3000, advert(200));
  assert.equal(h.s.timers.masterDown, 3000 + DOWN_100);
  const l = new Harness(cfgFor(3));
  l.at(0, { type: 'startup', holdUntil: 2000 });
  for (let t = 500; t < 2000 + DOWN_100; t += 1000) l.at(t, advert(50));
  l.at(2000 + DOWN_100, timer('masterDown'));
  assert.equal(l.state, 'MASTER', 'lower adverts are discarded; Master_Down runs out after the hold');
});

test('vrrp_startup_delay: the address owner waits for the hold too, then takes over as owner', () => {
  const h = new Harness(cfgFor(2, { priority: 255 }));
  h.at(0, { type: 'startup', holdUntil: 5000 });
  assert.equal(h.state, 'BACKUP');
  const at = h.s.timers.masterDown!;
  assert.ok(at > 5000, `owner waits past the hold: ${at}`);
  const a = h.at(at, timer('masterDown'));
  assert.equal(h.state, 'MASTER');
  assert.ok(a.some((x) => x.type === 'notify' && x.reason === 'owner'));
});

test('vrrp_startup_delay: a hold already over, or none, changes nothing; a restart drops it', () => {
  const h = new Harness(cfgFor(3));
  h.at(100, { type: 'startup', holdUntil: 50 });
  assert.equal(h.s.timers.masterDown, 100 + DOWN_100);
  const g = new Harness(cfgFor(3));
  g.at(0, { type: 'startup', holdUntil: 60_000 });
  g.at(10, { type: 'shutdown' });
  g.at(20, { type: 'startup' });
  assert.equal(g.s.timers.masterDown, 20 + DOWN_100);
});

test('shutdown of an instance removed by a reload: same actions, reason deleted', () => {
  const h = master(2);
  const a = h.at(5000, { type: 'shutdown', deleted: true });
  assert.deepEqual(a.filter((x) => x.type === 'sendAdvert'), [{ type: 'sendAdvert', priority: 0 }]);
  assert.ok(a.some((x) => x.type === 'removeVips'));
  assert.deepEqual(a.at(-1), { type: 'notify', state: 'STOPPED', from: 'MASTER', reason: 'deleted' });
  const b = master(2);
  assert.deepEqual(b.at(5000, { type: 'shutdown' }).at(-1), { type: 'notify', state: 'STOPPED', from: 'MASTER', reason: 'shutdown' });
});
