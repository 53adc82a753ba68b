// Matches netlink replies to the requests waiting for them (netlink(7)): replies carry the
// request's sequence number; an NLMSG_ERROR settles it (errno 0 = ACK), NLMSG_DONE ends a dump.
// Pure bookkeeping without sockets or timers, so the protocol rules are tested with made-up replies.
import { SysError, errnoName } from '../lib/errors.js';
import { HOST_LE, NLM_F, NLMSG, decodeAck, type NetlinkMessage } from '../codec/netlink/message.js';

interface Pending {
  op: string;
  dump: boolean;
  /** A part of the dump carried NLM_F_DUMP_INTR: the table changed while it was read. */
  interrupted: boolean;
  replies: NetlinkMessage[];
  resolve(m: NetlinkMessage[]): void;
  reject(e: Error): void;
  cleanup?: () => void;
}

/**
 * Several requests sent in one datagram (NetlinkSocket.batch): only the last asks for an ACK, so
 * a request that worked is never answered and one that failed is answered with its error. The
 * kernel handles a datagram's messages in order and answers each before the next, so once the
 * last one is answered, every earlier one without an answer was applied.
 */
interface Batch {
  ops: (i: number) => string;
  first: number;
  count: number;
  results: (Error | undefined)[];
  resolve(r: (Error | undefined)[]): void;
  reject(e: Error): void;
  cleanup?: () => void;
}

/** How many given-up sequence numbers are remembered, so their late answers are not notifications. */
const ABANDONED_MAX = 256;

export class PendingRequests {
  private readonly bySeq = new Map<number, Pending>();
  private readonly abandoned = new Set<number>();
  /** Every sequence number of a batch in flight, to its batch. */
  private readonly batchOf = new Map<number, Batch>();
  private batches = 0;

  get size(): number { return this.bySeq.size + this.batches; }
  has(seq: number): boolean { return this.bySeq.has(seq); }
  opOf(seq: number): string | undefined { return this.bySeq.get(seq)?.op; }

  /** Registers a request; `cleanup` runs once when it settles (clears its timer). */
  add(seq: number, op: string, cleanup?: () => void, opts: { dump?: boolean } = {}): Promise<NetlinkMessage[]> {
    return new Promise((resolve, reject) => {
      this.bySeq.set(seq, { op, dump: opts.dump ?? false, interrupted: false, replies: [], resolve, reject, ...(cleanup ? { cleanup } : {}) });
    });
  }

  /**
   * Registers a batch of `count` requests numbered first .. first+count-1 (the sender keeps the
   * range from wrapping); resolves with one entry per request, undefined when applied.
   * `ops(i)` names request i in its error.
   */
  addBatch(first: number, count: number, ops: (i: number) => string, cleanup?: () => void): Promise<(Error | undefined)[]> {
    return new Promise((resolve, reject) => {
      const b: Batch = { ops, first, count, results: new Array(count).fill(undefined), resolve, reject, ...(cleanup ? { cleanup } : {}) };
      for (let i = 0; i < count; i++) this.batchOf.set(first + i, b);
      this.batches++;
    });
  }

  /**
   * Routes one received message. Returns it when it belongs to no request (a notification):
   * multicast deliveries always are, even when they echo our sequence number.
   */
  route(m: NetlinkMessage, multicast: boolean): NetlinkMessage | undefined {
    const b = multicast ? undefined : this.batchOf.get(m.seq);
    if (b) { this.routeBatch(b, m); return undefined; }
    const p = multicast ? undefined : this.bySeq.get(m.seq);
    if (!p && !multicast && this.abandoned.has(m.seq)) {
      // A late answer to a request we gave up on (timeout): swallow it, it is no notification.
      if (m.type === NLMSG.ERROR || m.type === NLMSG.DONE) this.abandoned.delete(m.seq);
      return undefined;
    }
    if (!p) return m.type === NLMSG.ERROR || m.type === NLMSG.DONE || m.type === NLMSG.NOOP ? undefined : m;
    if (m.flags & NLM_F.DUMP_INTR) p.interrupted = true;
    if (m.type === NLMSG.ERROR) {
      this.settle(m.seq, ackError(p.op, m));
    } else if (m.type === NLMSG.DONE) {
      // A dump that failed part-way reports the negative errno in NLMSG_DONE's payload.
      const err = m.payload.length >= 4 ? new DataView(m.payload.buffer, m.payload.byteOffset, 4).getInt32(0, HOST_LE) : 0;
      if (err < 0) this.settle(m.seq, new SysError(p.op, errnoName(err)));
      else if (p.interrupted) this.settle(m.seq, new SysError(p.op, 'EINTR', 'dump interrupted by concurrent changes, result inconsistent'));
      else this.settle(m.seq);
    } else if (m.type !== NLMSG.NOOP) {
      p.replies.push(m);
    }
    return undefined;
  }

  private routeBatch(b: Batch, m: NetlinkMessage): void {
    if (m.type !== NLMSG.ERROR) return; // changes have no replies besides their answer
    const index = m.seq - b.first;
    b.results[index] = ackError(b.ops(index), m);
    if (index === b.count - 1) this.settleBatch(b);
  }

  private settleBatch(b: Batch, err?: Error): void {
    if (this.batchOf.get(b.first + b.count - 1) !== b) return;
    for (let i = 0; i < b.count; i++) this.batchOf.delete(b.first + i);
    this.batches--;
    b.cleanup?.();
    if (err) b.reject(err); else b.resolve(b.results);
  }

  /**
   * Gives up on a batch (timeout, failed send): rejects it. Late answers then belong to nobody, and
   * route() drops nobody's errors and ACKs, so they are not taken for notifications.
   */
  abandonBatch(first: number, err: Error): void {
    const b = this.batchOf.get(first);
    if (b) this.settleBatch(b, err);
  }

  /** Gives up on a request (it timed out): rejects it, and drops whatever answer still comes. */
  abandon(seq: number, err: Error): void {
    if (!this.bySeq.has(seq)) return;
    this.abandoned.add(seq);
    if (this.abandoned.size > ABANDONED_MAX) this.abandoned.delete(this.abandoned.values().next().value!);
    this.settle(seq, err);
  }

  /** Resolves with the replies so far, or rejects with `err`. Unknown seq: nothing happens. */
  settle(seq: number, err?: Error): void {
    const p = this.bySeq.get(seq);
    if (!p) return;
    this.bySeq.delete(seq);
    p.cleanup?.();
    if (err) p.reject(err); else p.resolve(p.replies);
  }

  /**
   * After the kernel dropped messages for this socket (ENOBUFS) and the queue was read empty:
   * every request still waiting, except dumps (their parts are made as the socket is read, so
   * none is lost), had its answer dropped.
   */
  failAnswerless(err: (op: string) => Error): void {
    for (const [seq, p] of [...this.bySeq]) if (!p.dump) this.settle(seq, err(p.op));
    // An error answer of a batch may be among the dropped: which of its requests worked is unknown.
    for (const b of new Set(this.batchOf.values())) this.settleBatch(b, err(b.ops(0)));
  }

  /** Rejects every waiting request (socket closed). */
  failAll(err: (op: string) => Error): void {
    for (const [seq, p] of [...this.bySeq]) this.settle(seq, err(p.op));
    for (const b of new Set(this.batchOf.values())) this.settleBatch(b, err(b.ops(0)));
  }
}

/** The error an NLMSG_ERROR carries (undefined for an ACK); a truncated one is EPROTO, not a throw. */
function ackError(op: string, m: NetlinkMessage): Error | undefined {
  let ack;
  try { ack = decodeAck(m); } catch { return new SysError(op, 'EPROTO', `malformed netlink error message (${m.payload.length} bytes)`); }
  return ack.errno === 0 ? undefined : new SysError(op, errnoName(ack.errno), ack.message, { errno: ack.errno });
}
