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
import { performance } from 'node:perf_hooks';
import type { TcpCheck } from '../config/model.js';
import { formatDuration, type CheckOutcome, type CheckTarget, type Probe, type ProbeContext } from './checker.js';
import { deadlines, type Expirable } from './deadlines.js';
import { bareTcp, type BareConnect, type BareConnection, type BareOwner } from './tcp-handle.js';
import { batchTcp } from './tcp-batch.js';
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

/** What every run of one checker shares: built once, so a run allocates none of it. */
interface TcpShape {
  target: CheckTarget;
  timeoutMs: number;
  connectOpts: { host: string; port: number; family: 4 | 6; localAddress?: string; localPort?: number };
  source: SourceResult;
  timeoutReason: string;
  /** No bindto / bind_port and a valid port: the batched probe or the bare handle does it. */
  bare: BareConnect | undefined;
}

interface Owner { inFlight: Attempt | undefined }

const ATTEMPT = Symbol('tcp attempt');
type TaggedSocket = Socket & { [ATTEMPT]?: Attempt };

class Attempt implements Expirable, BareOwner {
  settled = false;
  readonly started = performance.now();
  sock: TaggedSocket | undefined;
  conn: BareConnection | undefined;
  /** Its place in the deadline queue, released when it settles (-1: none). */
  ticket = -1;
  private resolve: ((o: CheckOutcome) => void) | undefined;

  constructor(readonly shape: TcpShape, resolve: (o: CheckOutcome) => void, private readonly owner: Owner) { this.resolve = resolve; }

  finish(ok: boolean, reason: string, code: string): void {
    if (this.settled) return;
    this.settled = true;
    if (this.owner.inFlight === this) this.owner.inFlight = undefined;
    this.sock?.destroy();
    this.conn?.close();
    if (this.ticket >= 0) deadlines.release(this.shape.timeoutMs, this.ticket, this);
    const resolve = this.resolve!;
    this.sock = undefined; this.conn = undefined; this.resolve = undefined;
    resolve({ ok, reason, code, latencyMs: performance.now() - this.started });
  }

  expire(): void { this.finish(false, this.shape.timeoutReason, 'timeout'); }

  /** The bare handle's verdict. */
  connected(error: string | undefined): void {
    if (error === undefined) { this.finish(true, 'connected', 'ok'); return; }
    // Worded as node:net words its own connect errors.
    const t = this.shape.target;
    const f = connectFailure(Object.assign(new Error(`connect ${error} ${endpointText(t)}`), { code: error }), t, this.shape.timeoutMs);
    this.finish(false, f.reason, f.code);
  }
}

export function tcpProbe(check: TcpCheck, ctx: ProbeContext): Probe {
  const { target } = ctx;
  const source = sourceOf(check, target);
  const shape: TcpShape = {
    target,
    timeoutMs: check.connectTimeoutMs,
    connectOpts: { host: target.address, port: target.port, family: target.family, ...(source.ok ? source.source : {}) },
    source,
    timeoutReason: `connect timeout after ${formatDuration(check.connectTimeoutMs)}`,
    bare: source.ok && source.source.localAddress === undefined && source.source.localPort === undefined
      && Number.isInteger(target.port) && target.port > 0 && target.port < 65536
      // A scoped IPv6 address (fe80::1%eth0) needs node's own address parsing.
      ? (target.address.includes('%') ? undefined : batchTcp()) ?? bareTcp : undefined,
  };
  const owner: Owner = { inFlight: undefined };
  return {
    run(): Promise<CheckOutcome> {
      return new Promise((resolve) => start(new Attempt(shape, resolve, owner), owner));
    },
    close() { owner.inFlight?.finish(false, 'checker closed', 'closed'); },
  };
}

function start(a: Attempt, owner: Owner): void {
  const { shape } = a;
  if (!shape.source.ok) { a.finish(false, shape.source.reason, 'error'); return; }
  owner.inFlight = a;
  if (shape.bare) {
    const c = shape.bare(shape.target.address, shape.target.family, shape.target.port, a);
    if (typeof c === 'string') { a.connected(c); return; }
    a.conn = c;
    a.ticket = deadlines.add(shape.timeoutMs, a);
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
    sock.connect(shape.connectOpts);
  } catch (e) {
    // node:net throws synchronously on arguments it rejects (e.g. a port out of range).
    a.finish(false, connectFailure(e, shape.target, shape.timeoutMs).reason, 'error');
    return;
  }
  a.ticket = deadlines.add(shape.timeoutMs, a);
}

function onConnected(this: TaggedSocket): void { this[ATTEMPT]?.finish(true, 'connected', 'ok'); }

// Stays attached after the attempt settled: a late error of a destroyed socket must not go unhandled.
function onError(this: TaggedSocket, e: Error): void {
  const a = this[ATTEMPT];
  if (!a || a.settled) return;
  const f = connectFailure(e, a.shape.target, a.shape.timeoutMs);
  a.finish(false, f.reason, f.code);
}
