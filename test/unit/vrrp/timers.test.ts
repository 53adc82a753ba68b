import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  masterDownIntervalMs, masterDownIntervalV2Seconds, masterDownIntervalV3Cs, skewTimeMs, skewTimeV2Seconds, skewTimeV3Cs,
} from '../../../src/vrrp/timers.js';

// Expected values worked out from the formulas of RFC 3768 §6.1 and RFC 5798 §6.1 by hand.
const rows: { version: 2 | 3; priority: number; intervalCs: number; skewMs: number; downMs: number }[] = [
  { version: 2, priority: 100, intervalCs: 100, skewMs: 609.375, downMs: 3609.375 },   // (256-100)/256 s
  { version: 2, priority: 200, intervalCs: 100, skewMs: 218.75, downMs: 3218.75 },
  { version: 2, priority: 254, intervalCs: 300, skewMs: 7.8125, downMs: 9007.8125 },    // v2 skew ignores the interval
  { version: 2, priority: 1, intervalCs: 100, skewMs: 996.09375, downMs: 3996.09375 },
  { version: 3, priority: 100, intervalCs: 100, skewMs: 609.375, downMs: 3609.375 },    // 156*100/256 cs
  { version: 3, priority: 200, intervalCs: 50, skewMs: 109.375, downMs: 1609.375 },     // 56*50/256 cs
  { version: 3, priority: 200, intervalCs: 1, skewMs: 2.1875, downMs: 32.1875 },        // 10 ms adverts
  { version: 3, priority: 254, intervalCs: 4095, skewMs: 319.921875, downMs: 123169.921875 },
  { version: 3, priority: 255, intervalCs: 100, skewMs: 3.90625, downMs: 3003.90625 },
];

for (const r of rows) {
  test(`v${r.version} priority ${r.priority} interval ${r.intervalCs} cs: Skew_Time ${r.skewMs} ms, Master_Down_Interval ${r.downMs} ms`, () => {
    assert.equal(skewTimeMs(r.version, r.priority, r.intervalCs), r.skewMs);
    assert.equal(masterDownIntervalMs(r.version, r.priority, r.intervalCs), r.downMs);
    if (r.version === 2) {
      assert.equal(skewTimeV2Seconds(r.priority) * 1000, r.skewMs);
      assert.equal(masterDownIntervalV2Seconds(r.intervalCs / 100, r.priority) * 1000, r.downMs);
    } else {
      assert.equal(skewTimeV3Cs(r.intervalCs, r.priority) * 10, r.skewMs);
      assert.equal(masterDownIntervalV3Cs(r.intervalCs, r.priority) * 10, r.downMs);
    }
  });
}

test('a higher priority always has the shorter skew (it wins the race to Master)', () => {
  for (const v of [2, 3] as const) {
    for (let p = 1; p < 255; p++) assert.ok(skewTimeMs(v, p + 1, 100) < skewTimeMs(v, p, 100), `v${v} p${p}`);
  }
});
