// keepalived's advert variations in the pure machine (vrrp.c, vrrp_state_master_rx):
// - lower_prio_no_advert: a master hearing a lower priority keeps quiet (RFC §6.4.3: discard) but
//   still GARPs ('heal', paced by garp_lower_prio_*) and reports masterRxLowerPri; its advert
//   timer is not moved, so the next advert goes out on the regular schedule.
// - higher_prio_send_advert (stepDownAdvert): one advert at the old priority before stepping down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advert, DOWN_100, HIGHER_ADDR, LOWER_ADDR, master, timer } from './machine-harness.js';

for (const version of [2, 3] as const) {
  const v = `v${version}`;
  // master() took over at DOWN_100: adverts are due at DOWN_100 + k * 1000.
  const due = DOWN_100 + 1000;

  test(`${v} lower_prio_no_advert: a master hearing a lower priority sends no advert, GARPs and notifies, timer unchanged`, () => {
    const h = master(version, { lowerPrioNoAdvert: true });
    assert.deepEqual(h.at(DOWN_100 + 400, advert(50, HIGHER_ADDR)), [
      { type: 'sendGarp', reason: 'heal' },
      { type: 'event', event: 'masterRxLowerPri' },
    ]);
    assert.equal(h.state, 'MASTER');
    assert.equal(h.s.timers.advert, due, 'the advert timer keeps its deadline');
    assert.deepEqual(h.at(due, timer('advert')), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'armTimer', timer: 'advert', at: due + 1000 },
    ]);
  });

  test(`${v} lower_prio_no_advert: an equal priority from a lower address is a lower router too`, () => {
    const h = master(version, { lowerPrioNoAdvert: true });
    assert.ok(!h.at(DOWN_100 + 400, advert(100, LOWER_ADDR)).some((a) => a.type === 'sendAdvert'));
    assert.equal(h.state, 'MASTER');
  });

  test(`${v} lower_prio_no_advert off (default): the master answers a lower priority at once and restarts its timer`, () => {
    const h = master(version, { lowerPrioNoAdvert: false });
    const a = h.at(DOWN_100 + 400, advert(50, HIGHER_ADDR));
    assert.deepEqual(a.filter((x) => x.type === 'sendAdvert'), [{ type: 'sendAdvert', priority: 100 }]);
    assert.equal(h.s.timers.advert, DOWN_100 + 1400);
  });

  test(`${v} lower_prio_no_advert does not silence the answer to a priority-0 advert (keepalived answers it always)`, () => {
    const h = master(version, { lowerPrioNoAdvert: true });
    assert.deepEqual(h.at(DOWN_100 + 400, advert(0, HIGHER_ADDR)), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'armTimer', timer: 'advert', at: DOWN_100 + 1400 },
    ]);
  });

  test(`${v} lower_prio_no_advert does not change losing to a higher priority`, () => {
    const h = master(version, { lowerPrioNoAdvert: true, stepDownAdvert: false });
    assert.deepEqual(h.at(DOWN_100 + 400, advert(150, LOWER_ADDR)).map((a) => a.type), ['cancelTimer', 'removeVips', 'notify', 'armTimer']);
    assert.equal(h.state, 'BACKUP');
  });

  test(`${v} higher_prio_send_advert: one advert at the own priority, before the VIPs go, on a higher priority or a tie lost`, () => {
    for (const ev of [advert(150, LOWER_ADDR), advert(100, HIGHER_ADDR)]) {
      const h = master(version, { stepDownAdvert: true, lowerPrioNoAdvert: true });
      const a = h.at(DOWN_100 + 400, ev);
      assert.deepEqual(a.slice(0, 3), [
        { type: 'cancelTimer', timer: 'advert' },
        { type: 'sendAdvert', priority: 100 },
        { type: 'removeVips' },
      ]);
      assert.equal(a.filter((x) => x.type === 'sendAdvert').length, 1);
      assert.equal(h.state, 'BACKUP');
    }
  });

  test(`${v} a backup is not affected by either option (it never answers adverts)`, () => {
    for (const lowerPrioNoAdvert of [true, false]) {
      for (const stepDownAdvert of [true, false]) {
        const h = master(version, { lowerPrioNoAdvert, stepDownAdvert });
        h.at(DOWN_100 + 400, advert(150, LOWER_ADDR));
        assert.equal(h.state, 'BACKUP');
        for (const p of [50, 150, 200]) {
          assert.ok(!h.at(DOWN_100 + 500 + p, advert(p, LOWER_ADDR)).some((x) => x.type === 'sendAdvert'), `backup answered priority ${p}`);
        }
      }
    }
  });
}
