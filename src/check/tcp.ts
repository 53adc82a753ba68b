// TCP_CHECK: the real server is up when a TCP handshake to it completes. Like keepalived's
// check_tcp.c no byte is sent: the socket is destroyed as soon as it is connected.
// Also the words for a failed connect, which HTTP_GET/SSL_GET share (they run over TCP).
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TcpCheck } from '../config/model.js';
import { formatDuration, type CheckOutcome, type CheckTarget, type Probe, type ProbeContext } from './checker.js';
import { endpointText, socketFailure } from './socket-failure.js';
import { sourceOf } from './source.js';

export interface Failure { reason: string; code: string }

/**
 * A connect error as words and a metric label. The shared vocabulary of src/check/socket-failure.ts
 * (`connection refused by 10.0.0.5:80`), plus what a connect attempt adds to it.
 */
export function connectFailure(err: unknown, target: CheckTarget, timeoutMs: number): Failure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // The kernel gave up on its own SYN retries before our timer did.
  if (code === 'ETIMEDOUT') return { reason: `connect timeout after ${formatDuration(timeoutMs)}`, code: 'timeout' };
  if (code === 'EADDRINUSE') return { reason: `the source port (bind_port) is in use connecting to ${endpointText(target)}`, code: 'error' };
  return socketFailure(err, target);
}

export function tcpProbe(check: TcpCheck, ctx: ProbeContext): Probe {
  const timeoutMs = check.connectTimeoutMs;
  const { target } = ctx;
  let abortInFlight: (() => void) | undefined;

  return {
    run(): Promise<CheckOutcome> {
      return new Promise((resolve) => {
        const started = performance.now();
        let sock: Socket | undefined;
        let timer: NodeJS.Timeout | undefined;
        let settled = false;
        const finish = (ok: boolean, reason: string, code: string) => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          abortInFlight = undefined;
          sock?.destroy();
          resolve({ ok, reason, code, latencyMs: performance.now() - started });
        };
        abortInFlight = () => finish(false, 'checker closed', 'closed');

        const src = sourceOf(check, target);
        if (!src.ok) { finish(false, src.reason, 'error'); return; }
        timer = setTimeout(() => finish(false, `connect timeout after ${formatDuration(timeoutMs)}`, 'timeout'), timeoutMs);
        try {
          sock = connect({ host: target.address, port: target.port, family: target.family, ...src.source });
        } catch (e) {
          // node:net throws synchronously on arguments it rejects (e.g. a port out of range).
          finish(false, connectFailure(e, target, timeoutMs).reason, 'error');
          return;
        }
        sock.once('connect', () => finish(true, 'connected', 'ok'));
        sock.once('error', (e) => { const f = connectFailure(e, target, timeoutMs); finish(false, f.reason, f.code); });
      });
    },
    close() { abortInFlight?.(); },
  };
}
