import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckScheduler, type TaskSpec } from '../../../src/check/scheduler.js';
import { firstDelayMs, initialCheckState, stepCheck } from '../../../src/check/policy.js';
import type { CheckOutcome } from '../../../src/check/checker.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';

const flush = async (): Promise<void> => { for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); };

/** Fires what is due now first, so a run started at t settles at t (not at the end of a step). */
async function advance(clock: FakeClock, ms: number, step = 50): Promise<void> {
  clock.advance(0);
  await flush();
  for (let t = 0; t < ms; t += step) { clock.advance(Math.min(step, ms - t)); await flush(); }
}

function recorder(clock: FakeClock, nextInMs = 1000): { spec: TaskSpec; times: number[] } {
  const times: number[] = [];
  return { times, spec: { delayLoopMs: 1000, maxRunMs: 5000, run: async () => { times.push(clock.now()); return nextInMs; } } };
}

test('tasks start after their warmup delay and then run every delay_loop', async () => {
  const clock = new FakeClock(0);
  const s = new CheckScheduler(clock);
  const random = [0.1, 0.6];
  const a = recorder(clock), b = recorder(clock);
  s.add('a', a.spec, firstDelayMs({ warmupMs: 1000 }, () => random[0]!));
  s.add('b', b.spec, firstDelayMs({ warmupMs: 1000 }, () => random[1]!));
  await advance(clock, 3200);
  assert.deepEqual(a.times, [100, 1100, 2100, 3100]);
  assert.deepEqual(b.times, [600, 1600, 2600]);
});

test('an up checker that fails is retried at delay_before_retry, then checked every delay_loop once down', async () => {
  const clock = new FakeClock(0);
  const s = new CheckScheduler(clock);
  const timing = { retry: 2, delayBeforeRetryMs: 300, delayLoopMs: 2000 };
  let st = initialCheckState({ alpha: false, retry: 0 });
  const times: number[] = [];
  const edges: string[] = [];
  const fail: CheckOutcome = { ok: false, code: 'refused', reason: 'refused', latencyMs: 0 };
  s.add('rs', {
    delayLoopMs: 2000, maxRunMs: 5000,
    run: async () => {
      times.push(clock.now());
      const step = stepCheck(timing, st, fail, clock.now());
      st = step.state;
      if (step.edge) edges.push(`${step.edge}@${clock.now()}`);
      return step.nextInMs;
    },
  }, 0);
  await advance(clock, 4700);
  // 0: fail (retry 1), 300: fail (retry 2), 600: down; then every 2 s.
  assert.deepEqual(times, [0, 300, 600, 2600, 4600]);
  assert.deepEqual(edges, ['down@600']);
});

test('a task never overlaps itself: the next run is timed from when the previous one settled', async () => {
  const clock = new FakeClock(0);
  const s = new CheckScheduler(clock);
  const times: number[] = [];
  let release: (() => void) | undefined;
  s.add('slow', {
    delayLoopMs: 1000, maxRunMs: 10_000,
    run: () => { times.push(clock.now()); return new Promise((r) => { release = () => r(1000); }); },
  }, 0);
  await advance(clock, 2500);
  assert.deepEqual(times, [0]);
  release!();
  await advance(clock, 1000);
  assert.deepEqual(times, [0, 3500]);
});

test('pause stops a task; resume restarts it after the given delay; remove ends it', async () => {
  const clock = new FakeClock(0);
  const s = new CheckScheduler(clock);
  const r = recorder(clock);
  s.add('t', r.spec, 0);
  await advance(clock, 1500);
  assert.deepEqual(r.times, [0, 1000]);
  s.pause('t');
  assert.equal(s.isPaused('t'), true);
  await advance(clock, 3000);
  assert.deepEqual(r.times, [0, 1000]);
  s.resume('t', 200);
  await advance(clock, 1300);
  assert.deepEqual(r.times, [0, 1000, 4700, 5700]);
  // A task added paused does not run until resumed.
  const p = recorder(clock);
  s.add('p', p.spec, 0, true);
  await advance(clock, 2000);
  assert.deepEqual(p.times, []);
  s.remove('t');
  const before = r.times.length;
  await advance(clock, 2000);
  assert.equal(r.times.length, before);
});

test('lag: a late timer is measured, a task late by more than its delay_loop is "behind", a run past its bound is "stalled"', async () => {
  const clock = new FakeClock(0);
  const s = new CheckScheduler(clock);
  s.add('t', recorder(clock).spec, 1000);
  await advance(clock, 500);
  assert.deepEqual(s.takeHealth(), { maxLagMs: 0, behind: [], stalled: [] });
  clock.jump(2000); // due at 1000, now 2500: overdue by 1500 before it fires
  let h = s.takeHealth();
  assert.equal(h.maxLagMs, 1500);
  assert.deepEqual(h.behind, ['t']);
  clock.advance(0); // fires now, 1500 late
  await flush();
  h = s.takeHealth();
  assert.equal(h.maxLagMs, 1500);
  assert.deepEqual(h.behind, ['t']);
  await advance(clock, 1000);
  assert.deepEqual(s.takeHealth(), { maxLagMs: 0, behind: [], stalled: [] });

  s.add('hung', { delayLoopMs: 1000, maxRunMs: 3000, run: () => new Promise(() => {}) }, 0);
  await advance(clock, 3500);
  assert.deepEqual(s.takeHealth().stalled, ['hung']);
  s.clear();
  assert.equal(s.size, 0);
});

test('a run that throws or rejects is re-armed after delay_loop (the scheduler never stops)', async () => {
  const clock = new FakeClock(0);
  const s = new CheckScheduler(clock);
  const times: number[] = [];
  let n = 0;
  s.add('bad', { delayLoopMs: 700, maxRunMs: 5000, run: () => { times.push(clock.now()); if (n++ % 2) throw new Error('sync'); return Promise.reject(new Error('async')); } }, 0);
  await advance(clock, 1500);
  assert.deepEqual(times, [0, 700, 1400]);
});
