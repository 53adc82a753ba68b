// Check policy, pure: what one checker's result means for its state and when it runs next, with
// keepalived's semantics (check_*.c epilogues): a success brings a down checker up at once; a
// failure of an up checker is retried `retry` times, `delay_before_retry` apart, before it goes
// down; a down checker is checked again every `delay_loop`. `alpha` starts a checker down.
import type { CheckerCommon } from '../config/model.js';
import type { CheckOutcome } from './checker.js';

export interface CheckState {
  up: boolean;
  /** Failed attempts since the last success, while still up (keepalived's retry_it). */
  retries: number;
  /** Whether a verdict has been reached since start: a success, or a failure with no retry left. */
  hasRun: boolean;
  /** misc_dynamic / FILE_CHECK weight from the last successful result, if it carried one. */
  weight?: number;
  last?: CheckOutcome;
  /** Clock time of the last result (ms). */
  lastAt?: number;
}

export type Edge = 'up' | 'down';

export interface CheckStep {
  state: CheckState;
  /** Milliseconds until this checker runs again. */
  nextInMs: number;
  /** Set when the checker changed between up and down. */
  edge?: Edge;
}

/**
 * keepalived starts every checker with its retries used up (check_daemon.c: "for non alpha mode,
 * one failure is enough initially"): a real server that fails its very first check goes down at
 * once instead of being kept for retry x delay_before_retry; retries apply once it has passed.
 */
export function initialCheckState(c: Pick<CheckerCommon, 'alpha' | 'retry'>): CheckState {
  return { up: !c.alpha, retries: c.retry, hasRun: false };
}

/** Delay before a checker's first run: a random part of `warmup` so checks do not start in lockstep. */
export function firstDelayMs(c: Pick<CheckerCommon, 'warmupMs'>, random: () => number): number {
  return c.warmupMs > 0 ? Math.floor(random() * c.warmupMs) : 0;
}

type Timing = Pick<CheckerCommon, 'retry' | 'delayLoopMs' | 'delayBeforeRetryMs'>;

export function stepCheck(c: Timing, st: CheckState, r: CheckOutcome, now: number): CheckStep {
  const seen = { hasRun: true, last: r, lastAt: now };
  if (r.ok) {
    const state: CheckState = { ...st, ...seen, up: true, retries: 0 };
    if (r.weight !== undefined) state.weight = r.weight;
    return { state, nextInMs: c.delayLoopMs, ...(st.up ? {} : { edge: 'up' as const }) };
  }
  // An up checker (or one that has not run yet) gets `retry` more attempts before it is declared down.
  if ((st.up || !st.hasRun) && st.retries >= c.retry) {
    return { state: { ...st, ...seen, up: false, retries: 0 }, nextInMs: c.delayLoopMs, ...(st.up ? { edge: 'down' as const } : {}) };
  }
  // A failure with retries left is no verdict yet: hasRun stays as it was, so a pool whose first
  // checks are still being retried is not reported as known-good (announcements wait for it).
  if (st.up) return { state: { ...st, ...seen, hasRun: st.hasRun, retries: st.retries + 1 }, nextInMs: c.delayBeforeRetryMs };
  return { state: { ...st, ...seen }, nextInMs: c.delayLoopMs };
}

/** A real server is up while every one of its checkers is up (keepalived: no failed checker). */
export function realServerUp(checks: readonly Pick<CheckState, 'up'>[]): boolean {
  return checks.every((c) => c.up);
}

/** The weight a live real server gets: the last dynamic weight a checker reported, else its own. */
export function realServerWeight(configured: number, checks: readonly Pick<CheckState, 'weight'>[]): number {
  for (let i = checks.length - 1; i >= 0; i--) if (checks[i]!.weight !== undefined) return checks[i]!.weight!;
  return configured;
}
