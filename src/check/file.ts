// FILE_CHECK: a real server follows the integer in a track_file, with keepalived's semantics
// (track_file.c, update_track_file_status and process_update_checker_track_file_status):
// - weight 0: the file is a flag; non-zero = down, 0 = up (reversed: 0 = down), weight untouched;
// - weight w: the change is value * w (negated by reverse), capped to [-INT32_MAX, INT32_MAX - 1];
//   exactly -INT32_MAX (the cap) means down, anything else is up with weight rs.weight + change,
//   kept within the kernel's 0..INT32_MAX - 1.
// A missing or unreadable file reads as 0, as keepalived treats a deleted file.
import type { FileCheck } from '../config/model.js';
import type { FileReader } from '../ports/files.js';
import { parseTrackFile } from '../track/file-tracker.js';
import type { CheckOutcome, Probe, ProbeContext } from './checker.js';
import { monotonicMs } from '../lib/monotonic.js';

/** keepalived reserves +/- INT32_MAX for the fault state; real weights stop one short. */
const FAULT = 0x7fffffff;
const WEIGHT_LIMIT = FAULT - 1;

type Verdict = Omit<CheckOutcome, 'latencyMs'>;

/** Up/down and weight for a file value (pure). `present` only changes the words. */
export function fileVerdict(value: number, check: Pick<FileCheck, 'path' | 'weight' | 'reverse'>, rsWeight: number, present = true): Verdict {
  const what = present ? `${check.path} holds ${value}` : `${check.path} missing (read as 0)`;
  const rev = check.reverse ? ', reverse' : '';
  if (check.weight === 0) {
    const down = (value !== 0) !== check.reverse;
    return down ? { ok: false, code: 'file', reason: `${what}${rev}` } : { ok: true, code: 'ok', reason: `${what}${rev}` };
  }
  const raw = value * check.weight * (check.reverse ? -1 : 1);
  const change = Math.min(Math.max(raw, -FAULT), FAULT - 1);
  if (change === -FAULT) return { ok: false, code: 'file', reason: `${what}: weight change ${raw} is the fault value` };
  const weight = Math.min(Math.max(rsWeight + change, 0), WEIGHT_LIMIT);
  return { ok: true, code: 'ok', reason: `${what}: weight ${rsWeight}${change < 0 ? ' - ' : ' + '}${Math.abs(change)} = ${weight}`, weight };
}

export function fileProbe(check: FileCheck, ctx: ProbeContext, files: FileReader): Probe {
  let closed = false;
  let last: Verdict | undefined;
  return {
    run(): Promise<CheckOutcome> {
      const start = monotonicMs();
      const done = (v: Verdict): Promise<CheckOutcome> => Promise.resolve({ ...v, latencyMs: monotonicMs() - start });
      if (closed) return done({ ok: false, code: 'closed', reason: 'probe closed' });
      let text: string | undefined;
      // The port says read() never throws; an adapter that does is treated as an unreadable file.
      try { text = files.read(check.path); } catch { text = undefined; }
      const value = parseTrackFile(text);
      // keepalived ignores a number outside int (strtol range error) and keeps the last status.
      if (!Number.isSafeInteger(value) || value > 0x7fffffff || value < -0x80000000) {
        const keep = last ?? fileVerdict(0, check, ctx.rs.weight, true);
        return done({ ...keep, reason: `${check.path} holds ${text?.trim().slice(0, 40)}, out of range: ignored (${keep.reason})` });
      }
      last = fileVerdict(value, check, ctx.rs.weight, text !== undefined);
      return done(last);
    },
    close(): void { closed = true; },
  };
}
