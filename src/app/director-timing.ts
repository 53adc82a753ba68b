// When a checker runs and how many failures put it down. Every checker keeps keepalived's
// delay_loop / retry / delay_before_retry / warmup, except FILE_CHECK: keepalived has no timer for
// it at all. It watches the track_file with inotify and applies each change at once, without
// retries (track_file.c), and reads the file when it starts. FILE_CHECK inherits delay_loop only
// because the cascade gives every checker one (default 60 s), so following it would let a change
// of the file wait a minute and then a retry more.
//
// We poll instead of watching: the FileReader port is a read, and a file watch would be a new
// port and adapter for one checker type (inotify also needs the directory watched to see the file
// created, replaced or deleted, which is how operators write it). One read of a small file per
// second and per FILE_CHECK is cheap, and bounds the delay to a second (or delay_loop if shorter,
// which keeps tests and odd configs with sub-second loops exact).
//
// Retry 0: the value read is the state, as keepalived applies it; a "down" read is not a probe
// that may have lost a packet, so retrying it would only add delay. No warmup: keepalived's state
// is the file's from the start, and a pool should not wait up to delay_loop for its first answer.
import type { Checker, CheckerCommon } from '../config/model.js';

/** How often a FILE_CHECK's file is read, at most. */
export const FILE_POLL_MS = 1000;

export type CheckTiming = Pick<CheckerCommon, 'delayLoopMs' | 'retry' | 'delayBeforeRetryMs' | 'warmupMs'>;

export function checkTiming(c: Checker): CheckTiming {
  if (c.type !== 'FILE_CHECK') return { delayLoopMs: c.delayLoopMs, retry: c.retry, delayBeforeRetryMs: c.delayBeforeRetryMs, warmupMs: c.warmupMs };
  // delay_loop 0 would read the file in a tight loop: the poll period stands then.
  const every = c.delayLoopMs > 0 ? Math.min(c.delayLoopMs, FILE_POLL_MS) : FILE_POLL_MS;
  return { delayLoopMs: every, retry: 0, delayBeforeRetryMs: every, warmupMs: 0 };
}
