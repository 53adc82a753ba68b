// TCP_CHECK: the real server is up when a TCP handshake to it completes. Like keepalived's
// check_tcp.c no byte is sent: the socket is dropped as soon as it is connected.
// Also the words for a failed connect, which HTTP_GET/SSL_GET share (they run over TCP).
//
// This is the director's most frequent probe (thousands a second at scale), so one run costs one
// slot in the addon's batched connect probe (tcp-batch.ts; else a bare TCP handle, tcp-handle.ts;
// a net.Socket where node has neither, or for bindto / bind_port),
// one promise and one small attempt record, and nothing else: no timer of its own (deadlines.ts),
// no closures (a net.Socket's listeners are shared functions that find their attempt on the
// socket), no data handlers (the socket is never read). A settled attempt lets go of its socket
// at once, and its place in the deadline queue too (deadlines.ts). A passed check is closed
// with a FIN as keepalived closes it, not a reset (SO_LINGER 0, which would spare the director its
// TIME_WAIT sockets): a real server may treat a reset as an error, and one written in Node without
// an 'error' handler on its sockets dies of it.
import { Socket } from 'node:net';
import { monotonicMs } from '../lib/monotonic.js';
import type { TcpCheck } from '../config/model.js';
import { formatDuration, type CheckOutcome, type CheckTarget, type Probe, type ProbeContext } from './checker.js';
import { deadlines, type Expirable } from './deadlines.js';
import { bareTcp, type BareConnect, type BareConnection, type BareOwner } from './tcp-handle.js';
import { batchable, batchTcp } from './tcp-batch.js';
import { endpointText, socketFailure } from './socket-failure.js';
import { sourceOf, type SourceResult } from './source.js';

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

/**
 * One TCP_CHECK checker: what its runs share, worked out once, and the run in flight. A single
 * object per checker (11,000 of them at scale stay for the daemon's life): its methods are on the
 * prototype, so no closures, owner or options records are kept beside it; the failure words and
 * net.Socket's options are only made on the runs that need them.
 */
class TcpProbe implements Probe {
  inFlight: Attempt | undefined = undefined;
  /** No bindto / bind_port and a valid port: the batched probe or the bare handle does it. */
  readonly bare: BareConnect | undefined;

  constructor(readonly target: CheckTarget, readonly timeoutMs: number, readonly source: SourceResult) {
    this.bare = source.ok && source.source.localAddress === undefined && source.source.localPort === undefined
      && Number.isInteger(target.port) && target.port > 0 && target.port < 65536
      ? (batchable(target) ? batchTcp() : undefined) ?? bareTcp : undefined;
  }

  run(): Promise<CheckOutcome> {
    return new Promise((resolve) => start(new Attempt(this, resolve)));
  }

  close(): void { this.inFlight?.finish(false, 'checker closed', 'closed'); }

  timeoutReason(): string { return `connect timeout after ${formatDuration(this.timeoutMs)}`; }
}

const ATTEMPT = Symbol('tcp attempt');
type TaggedSocket = Socket & { [ATTEMPT]?: Attempt };

class Attempt implements Expirable, BareOwner {
  settled = false;
  readonly started = monotonicMs();
  sock: TaggedSocket | undefined;
  conn: BareConnection | undefined;
  /** Its place in the deadline queue, released when it settles (-1: none). */
  ticket = -1;
  private resolve: ((o: CheckOutcome) => void) | undefined;

  constructor(readonly probe: TcpProbe, resolve: (o: CheckOutcome) => void) { this.resolve = resolve; }

  finish(ok: boolean, reason: string, code: string): void {
    if (this.settled) return;
    this.settled = true;
    if (this.probe.inFlight === this) this.probe.inFlight = undefined;
    this.sock?.destroy();
    this.conn?.close();
    if (this.ticket >= 0) deadlines.release(this.probe.timeoutMs, this.ticket, this);
    const resolve = this.resolve!;
    this.sock = undefined; this.conn = undefined; this.resolve = undefined;
    resolve({ ok, reason, code, latencyMs: monotonicMs() - this.started });
  }

  expire(): void { this.finish(false, this.probe.timeoutReason(), 'timeout'); }

  /** The bare handle's verdict. */
  connected(error: string | undefined): void {
    if (error === undefined) { this.finish(true, 'connected', 'ok'); return; }
    // Worded as node:net words its own connect errors.
    const t = this.probe.target;
    const f = connectFailure(Object.assign(new Error(`connect ${error} ${endpointText(t)}`), { code: error }), t, this.probe.timeoutMs);
    this.finish(false, f.reason, f.code);
  }
}

/** bindto / bind_port without a failure: the same source record for every checker. */
const NO_SOURCE: SourceResult = Object.freeze({ ok: true, source: Object.freeze({}) });

export function tcpProbe(check: TcpCheck, ctx: ProbeContext): Probe {
  const { target } = ctx;
  const source = check.bindTo === undefined && check.bindPort === undefined ? NO_SOURCE : sourceOf(check, target);
  return new TcpProbe(target, check.connectTimeoutMs, source);
}

function start(a: Attempt): void {
  const p = a.probe;
  if (!p.source.ok) { a.finish(false, p.source.reason, 'error'); return; }
  p.inFlight = a;
  if (p.bare) {
    const c = p.bare(p.target.address, p.target.family, p.target.port, a);
    if (typeof c === 'string') { a.connected(c); return; }
    a.conn = c;
    a.ticket = deadlines.add(p.timeoutMs, a);
    return;
  }
  let sock: TaggedSocket;
  try {
    // allowHalfOpen: a FIN from the server schedules no end() of ours; we destroy it in any case.
    sock = new Socket({ allowHalfOpen: true }) as TaggedSocket;
    sock[ATTEMPT] = a;
    a.sock = sock;
    sock.on('connect', onConnected);
    sock.on('error', onError);
    sock.connect({ host: p.target.address, port: p.target.port, family: p.target.family, ...p.source.source });
  } catch (e) {
    // node:net throws synchronously on arguments it rejects (e.g. a port out of range).
    a.finish(false, connectFailure(e, p.target, p.timeoutMs).reason, 'error');
    return;
  }
  a.ticket = deadlines.add(p.timeoutMs, a);
}

function onConnected(this: TaggedSocket): void { this[ATTEMPT]?.finish(true, 'connected', 'ok'); }

// Stays attached after the attempt settled: a late error of a destroyed socket must not go unhandled.
function onError(this: TaggedSocket, e: Error): void {
  const a = this[ATTEMPT];
  if (!a || a.settled) return;
  const f = connectFailure(e, a.probe.target, a.probe.timeoutMs);
  a.finish(false, f.reason, f.code);
}
