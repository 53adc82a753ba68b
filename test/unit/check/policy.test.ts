// Check policy: keepalived's retry / delay_before_retry / delay_loop / alpha rules, step by step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstDelayMs, initialCheckState, realServerUp, realServerWeight, stepCheck, type CheckState } from '../../../src/check/policy.js';
import type { CheckOutcome } from '../../../src/check/checker.js';

const timing = { retry: 2, delayLoopMs: 6000, delayBeforeRetryMs: 1000 };
const ok: CheckOutcome = { ok: true, reason: 'connected', code: 'ok', latencyMs: 1 };
const fail: CheckOutcome = { ok: false, reason: 'connection refused', code: 'refused', latencyMs: 1 };

/** Feeds results in order; returns each step's (up, nextInMs, edge). */
function run(start: CheckState, results: CheckOutcome[], t = timing) {
  let st = start;
  return results.map((r, i) => {
    const s = stepCheck(t, st, r, i * 100);
    st = s.state;
    return [s.state.up, s.nextInMs, s.edge ?? '-'] as const;
  });
}

/** A checker that has passed once: from then on a failure is retried. */
const passed = (): CheckState => stepCheck(timing, initialCheckState({ alpha: false, retry: timing.retry }), ok, 0).state;

test('at start one failure is enough (keepalived): the first check failing takes the checker down', () => {
  assert.deepEqual(run(initialCheckState({ alpha: false, retry: 2 }), [fail, fail, ok]), [[false, 6000, 'down'], [false, 6000, '-'], [true, 6000, 'up']]);
});

test('an up checker that has passed is retried `retry` times at delay_before_retry, then goes down and waits delay_loop', () => {
  assert.deepEqual(run(passed(), [fail, fail, fail, fail]), [
    [true, 1000, '-'], [true, 1000, '-'], [false, 6000, 'down'], [false, 6000, '-'],
  ]);
});

test('a success resets the retries, and a down checker comes up on its first success', () => {
  assert.deepEqual(run(passed(), [fail, ok, fail, fail, fail, ok]), [
    [true, 1000, '-'], [true, 6000, '-'], [true, 1000, '-'], [true, 1000, '-'], [false, 6000, 'down'], [true, 6000, 'up'],
  ]);
});

test('retry 0: the first failure takes the checker down', () => {
  assert.deepEqual(run(passed(), [fail, ok], { ...timing, retry: 0 }), [[false, 6000, 'down'], [true, 6000, 'up']]);
});

test('alpha: the checker starts down, its failures are not retried, and the first success brings it up', () => {
  const st = initialCheckState({ alpha: true, retry: 2 });
  assert.equal(st.up, false);
  assert.deepEqual(run(st, [fail, fail, ok]), [[false, 6000, '-'], [false, 6000, '-'], [true, 6000, 'up']]);
});

test('the last result, its time and a dynamic weight are kept', () => {
  const s = stepCheck(timing, initialCheckState({ alpha: false, retry: 2 }), { ...ok, weight: 7 }, 1234);
  assert.equal(s.state.weight, 7);
  assert.equal(s.state.lastAt, 1234);
  assert.equal(s.state.last?.reason, 'connected');
  const later = stepCheck(timing, s.state, ok, 2000);
  assert.equal(later.state.weight, 7, 'a result without weight keeps the last dynamic weight');
});

test('warmup spreads the first run over [0, warmup); no warmup starts at once', () => {
  assert.equal(firstDelayMs({ warmupMs: 0 }, () => 0.99), 0);
  assert.equal(firstDelayMs({ warmupMs: 5000 }, () => 0), 0);
  assert.equal(firstDelayMs({ warmupMs: 5000 }, () => 0.5), 2500);
  assert.ok(firstDelayMs({ warmupMs: 5000 }, () => 0.999999) < 5000);
});

test('a real server is up only while every checker is up; its weight is the last dynamic one', () => {
  assert.equal(realServerUp([]), true);
  assert.equal(realServerUp([{ up: true }, { up: true }]), true);
  assert.equal(realServerUp([{ up: true }, { up: false }]), false);
  assert.equal(realServerWeight(5, [{}, {}]), 5);
  assert.equal(realServerWeight(5, [{ weight: 2 }, {}]), 2);
  assert.equal(realServerWeight(5, [{ weight: 2 }, { weight: 0 }]), 0);
});

test('a failure that is still being retried is no verdict: hasRun waits for a success or the last retry', () => {
  // A checker started with retries left (e.g. after a reload kept its state) that has not passed yet.
  let st: CheckState = { up: true, retries: 0, hasRun: false };
  st = stepCheck(timing, st, fail, 0).state;
  assert.equal(st.hasRun, false, 'first failure, 2 retries left');
  st = stepCheck(timing, st, fail, 1).state;
  assert.equal(st.hasRun, false);
  st = stepCheck(timing, st, fail, 2).state;
  assert.deepEqual([st.up, st.hasRun], [false, true]);
  assert.equal(stepCheck(timing, initialCheckState({ alpha: false, retry: 2 }), ok, 0).state.hasRun, true);
  const first = stepCheck(timing, initialCheckState({ alpha: false, retry: 2 }), fail, 0).state;
  assert.deepEqual([first.up, first.hasRun], [false, true], 'at start the first failure is a verdict');
});
