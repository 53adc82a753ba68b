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

/** How many given-up sequence numbers are remembered, so their late answers are not notifications. */
const ABANDONED_MAX = 256;

export class PendingRequests {
  private readonly bySeq = new Map<number, Pending>();
  private readonly abandoned = new Set<number>();

  get size(): number { return this.bySeq.size; }
  has(seq: number): boolean { return this.bySeq.has(seq); }
  opOf(seq: number): string | undefined { return this.bySeq.get(seq)?.op; }

  /** Registers a request; `cleanup` runs once when it settles (clears its timer). */
  add(seq: number, op: string, cleanup?: () => void, opts: { dump?: boolean } = {}): Promise<NetlinkMessage[]> {
    return new Promise((resolve, reject) => {
      this.bySeq.set(seq, { op, dump: opts.dump ?? false, interrupted: false, replies: [], resolve, reject, ...(cleanup ? { cleanup } : {}) });
    });
  }

  /**
   * Routes one received message. Returns it when it belongs to no request (a notification):
   * multicast deliveries always are, even when they echo our sequence number.
   */
  route(m: NetlinkMessage, multicast: boolean): NetlinkMessage | undefined {
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
  }

  /** Rejects every waiting request (socket closed). */
  failAll(err: (op: string) => Error): void {
    for (const [seq, p] of [...this.bySeq]) this.settle(seq, err(p.op));
  }
}

/** The error an NLMSG_ERROR carries (undefined for an ACK); a truncated one is EPROTO, not a throw. */
function ackError(op: string, m: NetlinkMessage): Error | undefined {
  let ack;
  try { ack = decodeAck(m); } catch { return new SysError(op, 'EPROTO', `malformed netlink error message (${m.payload.length} bytes)`); }
  return ack.errno === 0 ? undefined : new SysError(op, errnoName(ack.errno), ack.message, { errno: ack.errno });
}
