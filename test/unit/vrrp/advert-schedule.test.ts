// The master's advert timer runs on an absolute schedule: a late timer does not delay the adverts
// after it (issue 12: 100 adverts a second at advert_int 0.01, not ~90).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAdvertAt } from '../../../src/vrrp/timers.js';
import { cfgFor, DOWN_100, Harness, timer } from './machine-harness.js';

test('nextAdvertAt: one interval after the deadline, whatever the lateness below an interval', () => {
  assert.equal(nextAdvertAt(1000, 1000, 10), 1010);
  assert.equal(nextAdvertAt(1000, 1000.9, 10), 1010);
  assert.equal(nextAdvertAt(1000, 1009.99, 10), 1010);
});

test('nextAdvertAt: a master late by whole intervals skips the missed slots, stays on its schedule and in the future', () => {
  assert.equal(nextAdvertAt(1000, 1010, 10), 1020);
  assert.equal(nextAdvertAt(1000, 1035, 10), 1040);
  assert.equal(nextAdvertAt(1000, 1040, 10), 1050);
  for (const now of [1000, 1003.5, 1010, 1099.999, 1500]) assert.ok(nextAdvertAt(1000, now, 10) > now, `now ${now}`);
});

for (const version of [2, 3] as const) {
  test(`v${version} MASTER: adverts fired late keep the schedule (no drift over 1,000 adverts)`, () => {
    const h = new Harness(cfgFor(version));
    h.at(0, { type: 'startup' });
    h.at(DOWN_100, timer('masterDown'));
    let sent = 0;
    // Every firing 0.9 ms late, as setTimeout does: the deadlines stay DOWN_100 + k * 1000.
    for (let k = 1; k <= 1000; k++) {
      const due = h.s.timers.advert!;
      assert.equal(due, DOWN_100 + k * 1000);
      const acts = h.at(due + 0.9, timer('advert'));
      sent += acts.filter((a) => a.type === 'sendAdvert').length;
    }
    assert.equal(sent, 1000);
  });

  test(`v${version} MASTER: an advert timer 2.5 intervals late sends one advert and resumes on the old schedule`, () => {
    const h = new Harness(cfgFor(version));
    h.at(0, { type: 'startup' });
    h.at(DOWN_100, timer('masterDown'));
    const due = h.s.timers.advert!;
    assert.deepEqual(h.at(due + 2500, timer('advert')), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'armTimer', timer: 'advert', at: due + 3000 },
    ]);
  });
}
