// One UDP request/response attempt for UDP_CHECK and DNS_CHECK: a fresh socket, bound to the
// checker's source when it has one, connect()ed to the target so that the kernel reports an
// ICMP port unreachable as ECONNREFUSED on it (Linux udp_err(): a hard error on a connected
// socket), one datagram sent, then replies until the caller decides, an error, or the timeout.
import { createSocket, type Socket } from 'node:dgram';
import { monotonicMs } from '../lib/monotonic.js';
import { errnoWords } from '../lib/errors.js';
import type { CheckOutcome, CheckTarget } from './checker.js';
import { sourceOf } from './source.js';

export type Verdict = Omit<CheckOutcome, 'latencyMs'>;

export interface ExchangeSpec {
  target: CheckTarget;
  bindTo?: string;
  bindPort?: number;
  payload: Uint8Array;
  timeoutMs: number;
  /** A datagram from the target: a verdict ends the exchange, undefined keeps waiting. */
  onReply(msg: Buffer): Verdict | undefined;
  /** Nothing decisive before the timeout. */
  onTimeout(): Verdict;
}

export interface Exchange {
  done: Promise<CheckOutcome>;
  /** Ends the exchange now as a failure with this reason (probe closed). */
  cancel(reason: string): void;
}

const ICMP_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'port unreachable (ICMP)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** A socket error as an outcome: the ICMP-caused ones are `unreachable`, the rest `error`. */
export function socketErrorVerdict(op: string, e: unknown): Verdict {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && ICMP_ERRORS[code]) return { ok: false, code: 'unreachable', reason: ICMP_ERRORS[code]! };
  const words = typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? errnoWords(code) : e instanceof Error ? e.message : String(e);
  return { ok: false, code: 'error', reason: `${op}: ${words}` };
}

export function udpExchange(spec: ExchangeSpec): Exchange {
  const started = monotonicMs();
  let settle!: (o: CheckOutcome) => void;
  const done = new Promise<CheckOutcome>((resolve) => { settle = resolve; });
  let finished = false;
  let sock: Socket | undefined;
  const finish = (v: Verdict): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    try { sock?.close(); } catch { /* not yet bound, or closed already */ }
    settle({ ...v, latencyMs: monotonicMs() - started });
  };
  const timer = setTimeout(() => finish(spec.onTimeout()), Math.max(0, spec.timeoutMs));
  const { address, port, family } = spec.target;
  const src = sourceOf({ bindTo: spec.bindTo, bindPort: spec.bindPort }, spec.target);
  if (!src.ok) {
    finish({ ok: false, code: 'error', reason: src.reason });
    return { done, cancel: () => {} };
  }
  try {
    sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
  } catch (e) {
    finish(socketErrorVerdict('create UDP socket', e));
    return { done, cancel: () => {} };
  }
  const s = sock;
  let op = 'socket';
  s.on('error', (e) => finish(socketErrorVerdict(op, e)));
  s.on('message', (msg) => {
    if (finished) return;
    let v: Verdict | undefined;
    try { v = spec.onReply(msg); } catch (e) { v = { ok: false, code: 'error', reason: `reply handling failed: ${e instanceof Error ? e.message : String(e)}` }; }
    if (v) finish(v);
  });
  const connectAndSend = (): void => {
    if (finished) return;
    op = `connect ${address} port ${port}`;
    s.connect(port, address, (err?: Error) => {
      if (finished) return;
      if (err) return finish(socketErrorVerdict(op, err));
      op = `send to ${address} port ${port}`;
      s.send(spec.payload, (e) => { if (e) finish(socketErrorVerdict(op, e)); else op = `receive from ${address} port ${port}`; });
    });
  };
  try {
    if (spec.bindTo !== undefined || spec.bindPort !== undefined) {
      op = `bind ${spec.bindTo ?? (family === 6 ? '::' : '0.0.0.0')} port ${spec.bindPort ?? 0}`;
      s.bind({ address: spec.bindTo, port: spec.bindPort ?? 0, exclusive: true }, connectAndSend);
    } else connectAndSend();
  } catch (e) {
    // Synchronous argument errors (an address of the wrong family, a bad port).
    finish(socketErrorVerdict(op, e));
  }
  return { done, cancel: (reason) => finish({ ok: false, code: 'error', reason }) };
}
