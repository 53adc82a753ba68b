// MISC_CHECK: run misc_path (an argument vector, never a shell) and read its exit status, as
// keepalived's check_misc.c does: 0 = up; with misc_dynamic, 2..255 = up with weight status - 2
// (so 0..253) and 0 = up leaving the weight alone; anything else, a signal or the misc_timeout
// kill = down. The runner kills the script's whole process group at the timeout.
import type { MiscCheck } from '../config/model.js';
import type { ScriptResult, ScriptRunner, ScriptSecurity } from '../ports/script-runner.js';
import { closedOutcome, formatDuration, singleFlight, type CheckOutcome, type Probe, type ProbeContext } from './checker.js';
import { monotonicMs } from '../lib/monotonic.js';

/** How long past misc_timeout a runner that never answers is waited for (it should kill first). */
const RUNNER_MARGIN_MS = 2000;

type Verdict = Omit<CheckOutcome, 'latencyMs'>;

/** What one script result means for the checker (pure; exported for tests of odd results). */
export function miscVerdict(r: ScriptResult, check: Pick<MiscCheck, 'dynamic' | 'miscTimeoutMs' | 'script'>): Verdict {
  const prog = check.script.argv[0] ?? '';
  if (r.error !== undefined) return { ok: false, code: 'error', reason: `cannot run ${prog}: ${r.error}` };
  if (r.timedOut) return { ok: false, code: 'timeout', reason: `killed after misc_timeout ${formatDuration(check.miscTimeoutMs)}` };
  if (r.code === null) return { ok: false, code: 'signal', reason: `killed by signal ${r.signal ?? 'unknown'}` };
  if (r.code === 0) return { ok: true, code: 'ok', reason: 'exit code 0' };
  // WEXITSTATUS is 8 bits, so 2..255 is all keepalived can see; a larger code from some other
  // runner is not a weight.
  if (check.dynamic && r.code >= 2 && r.code <= 255) {
    return { ok: true, code: 'ok', reason: `exit code ${r.code}, weight ${r.code - 2}`, weight: r.code - 2 };
  }
  return { ok: false, code: 'exit', reason: `exit code ${r.code}` };
}

export function miscProbe(check: MiscCheck, _ctx: ProbeContext, runner: ScriptRunner, security?: ScriptSecurity): Probe {
  let abort: ((o: CheckOutcome) => void) | undefined;

  const attempt = async (): Promise<CheckOutcome> => {
    const start = monotonicMs();
    const done = (v: Verdict): CheckOutcome => ({ ...v, latencyMs: monotonicMs() - start });
    const prog = check.script.argv[0];
    if (!prog) return done({ ok: false, code: 'error', reason: 'misc_path is empty' });
    const refusal = security?.check(prog);
    if (refusal) return done({ ok: false, code: 'security', reason: `refused by script security: ${refusal}` });

    return new Promise<CheckOutcome>((resolve) => {
      let settled = false;
      const settle = (o: CheckOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        abort = undefined;
        resolve(o);
      };
      abort = settle;
      // The runner bounds the script itself; this only protects the probe from a runner that hangs.
      const guard = setTimeout(() => settle(done({
        ok: false, code: 'timeout',
        reason: `no result ${formatDuration(RUNNER_MARGIN_MS)} after misc_timeout ${formatDuration(check.miscTimeoutMs)}`,
      })), check.miscTimeoutMs + RUNNER_MARGIN_MS);
      let run: Promise<ScriptResult>;
      try {
        run = runner.run({
          argv: [...check.script.argv],
          timeoutMs: check.miscTimeoutMs,
          ...(check.script.user !== undefined ? { user: check.script.user } : {}),
          ...(check.script.group !== undefined ? { group: check.script.group } : {}),
        });
      } catch (e) {
        settle(done({ ok: false, code: 'error', reason: `cannot run ${prog}: ${(e as Error).message}` }));
        return;
      }
      run.then(
        (r) => settle(done(miscVerdict(r, check))),
        (e: unknown) => settle(done({ ok: false, code: 'error', reason: `cannot run ${prog}: ${e instanceof Error ? e.message : String(e)}` })),
      );
    });
  };

  // On close the script itself is still bounded by the runner's timeout kill.
  return singleFlight(attempt, () => abort?.(closedOutcome()));
}
