import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonotonicClock } from '../../../src/adapters/clock.js';
import { QuietWatch } from '../../../src/net/quiet-watch.js';

test('precise timers never fire before their deadline; cleared timers never fire', async () => {
  const c = new MonotonicClock();
  const early: number[] = [];
  await Promise.all([0.5, 3, 7.25, 12].map((ms) => new Promise<void>((resolve) => {
    const due = c.now() + ms;
    c.setTimer(ms, () => { early.push(Math.max(0, due - c.now())); resolve(); }, true);
  })));
  assert.deepEqual(early, [0, 0, 0, 0]);
  let fired = false;
  const h = c.setTimer(5, () => { fired = true; }, true);
  const h2 = c.setTimer(1, () => { fired = true; });
  c.clearTimer(h); c.clearTimer(h2);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(fired, false);
});

test('a precise timer is the addon thread\'s one-shot, not a poll of the event loop', async () => {
  // The poll called setImmediate thousands of times per timer: enough for V8 to optimize node's
  // argument check, paging in the optimizing compiler for good (bench/README.md, idle daemon).
  const c = new MonotonicClock();
  const once = QuietWatch.once;
  const setImm = globalThis.setImmediate;
  let watches = 0, immediates = 0;
  QuietWatch.once = (ms, fn) => { watches++; return once.call(QuietWatch, ms, fn); };
  globalThis.setImmediate = ((...a: Parameters<typeof setImmediate>) => { immediates++; return setImm(...a); }) as typeof setImmediate;
  try {
    const fired: number[] = [];
    await Promise.all([2.5, 6].map((ms) => new Promise<void>((resolve) => {
      const due = c.now() + ms;
      c.setTimer(ms, () => { fired.push(Math.max(0, due - c.now())); resolve(); }, true);
    })));
    assert.deepEqual(fired, [0, 0], 'never before the deadline');
    assert.equal(watches, 2);
    assert.equal(immediates, 0);
    // Cleared, the one-shot is stopped as well: nothing runs later.
    let late = false;
    c.clearTimer(c.setTimer(3, () => { late = true; }, true));
    await new Promise((r) => setTimeout(r, 15));
    assert.equal(late, false);
  } finally {
    QuietWatch.once = once;
    globalThis.setImmediate = setImm;
  }
});

test('the addon\'s one-shot runs once at its time, and not at all once stopped', async () => {
  const t0 = performance.now();
  const at = await new Promise<number>((resolve) => { QuietWatch.once(4, () => resolve(performance.now())); setTimeout(() => {}, 50); });
  assert.ok(at - t0 >= 4, `ran ${(at - t0).toFixed(3)} ms after, not before 4`);
  let ran = false;
  QuietWatch.once(2, () => { ran = true; }).stop();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ran, false);
});
