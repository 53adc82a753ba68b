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
  if (r.ok) {
    const state = seen(st, r, now, true, 0, true);
    if (r.weight !== undefined) state.weight = r.weight;
    return step(state, c.delayLoopMs, st.up ? undefined : 'up');
  }
  // An up checker (or one that has not run yet) gets `retry` more attempts before it is declared down.
  if ((st.up || !st.hasRun) && st.retries >= c.retry) {
    return step(seen(st, r, now, false, 0, true), c.delayLoopMs, st.up ? 'down' : undefined);
  }
  // A failure with retries left is no verdict yet: hasRun stays as it was, so a pool whose first
  // checks are still being retried is not reported as known-good (announcements wait for it).
  if (st.up) return step(seen(st, r, now, true, st.retries + 1, st.hasRun), c.delayBeforeRetryMs);
  return step(seen(st, r, now, false, st.retries, true), c.delayLoopMs);
}

// Written out rather than spread: `{ ...st, ... }` takes V8's generic copy, and this runs for every
// check result (11,000 a second at scale).
function seen(st: CheckState, r: CheckOutcome, now: number, up: boolean, retries: number, hasRun: boolean): CheckState {
  const s: CheckState = { up, retries, hasRun, last: r, lastAt: now };
  if (st.weight !== undefined) s.weight = st.weight;
  return s;
}

function step(state: CheckState, nextInMs: number, edge?: Edge): CheckStep {
  return edge === undefined ? { state, nextInMs } : { state, nextInMs, edge };
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
