// When to send gratuitous ARPs / unsolicited NAs after becoming master (keepalived timing):
// a burst of `repeat` rounds `interval` apart at once, a second burst after garp_master_delay,
// and, with garp_master_refresh, `refreshRepeat` rounds every refresh period while master.
// Pure: returns offsets in ms from the takeover; the runtime turns them into timers.
import type { GarpTiming } from '../config/model.js';

export interface GarpRound { atMs: number }

/** The rounds of one burst starting at `start`. */
export function burst(start: number, repeat: number, intervalMs: number): number[] {
  const n = Math.max(1, repeat);
  return Array.from({ length: n }, (_, i) => start + i * intervalMs);
}

/** Rounds after a takeover (first burst, then the delayed burst when garp_master_delay > 0). */
export function takeoverRounds(t: GarpTiming, intervalMs: number): number[] {
  const first = burst(0, t.masterRepeat, intervalMs);
  if (t.masterDelayMs <= 0) return first;
  return [...first, ...burst(t.masterDelayMs, t.masterRepeat, intervalMs)];
}

/** Rounds of one periodic refresh (garp_master_refresh). */
export function refreshRounds(t: GarpTiming, intervalMs: number): number[] {
  return burst(0, t.masterRefreshRepeat, intervalMs);
}
