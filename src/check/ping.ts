// PING_CHECK: one ICMP / ICMPv6 echo to the target through the shared pinger. Up on an echo
// reply within connect_timeout; down on silence or on a destination unreachable quoting our echo.
import { monotonicMs } from '../lib/monotonic.js';
import type { PingCheck } from '../config/model.js';
import { formatDuration, type CheckOutcome, type Probe, type ProbeContext } from './checker.js';
import type { Pinger } from './icmp-pinger.js';
import { sourceOf } from './source.js';

const BACKSTOP_MARGIN_MS = 500;

export function pingProbe(check: PingCheck, ctx: ProbeContext, pinger: Pinger): Probe {
  const inflight = new Set<(o: CheckOutcome) => void>();
  let closed = false;
  const { address } = ctx.target;
  return {
    run(): Promise<CheckOutcome> {
      const started = monotonicMs();
      const elapsed = (): number => monotonicMs() - started;
      if (closed) return Promise.resolve({ ok: false, code: 'error', reason: 'probe closed', latencyMs: 0 });
      const src = sourceOf({ bindTo: check.bindTo }, ctx.target);
      if (!src.ok) return Promise.resolve({ ok: false, code: 'error', reason: src.reason, latencyMs: 0 });
      return new Promise<CheckOutcome>((resolve) => {
        let done = false;
        const finish = (o: CheckOutcome): void => {
          if (done) return;
          done = true;
          clearTimeout(backstop);
          inflight.delete(finish);
          resolve(o);
        };
        // The pinger times out by itself; this only keeps the contract if a pinger ever does not.
        const backstop = setTimeout(() => finish({
          ok: false, code: 'timeout', reason: `no echo reply within ${formatDuration(check.connectTimeoutMs)}`, latencyMs: elapsed(),
        }), check.connectTimeoutMs + BACKSTOP_MARGIN_MS);
        inflight.add(finish);
        pinger.ping(address, { timeoutMs: check.connectTimeoutMs, bindTo: check.bindTo, bindIf: check.bindIf }).then(
          (r) => finish(r.ok
            ? { ok: true, code: 'ok', reason: `echo reply from ${address} in ${formatDuration(r.rttMs)}`, latencyMs: r.rttMs }
            : { ok: false, code: r.code, reason: r.reason, latencyMs: elapsed() }),
          // A Pinger never rejects; a broken fake or adapter must not leave the probe hanging.
          (e: unknown) => finish({ ok: false, code: 'error', reason: `ping failed: ${e instanceof Error ? e.message : String(e)}`, latencyMs: elapsed() }),
        );
      });
    },
    close(): void {
      closed = true;
      for (const f of [...inflight]) f({ ok: false, code: 'error', reason: 'probe closed', latencyMs: 0 });
    },
  };
}
