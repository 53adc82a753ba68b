// Netlink transport (netlink(7)): sequence-numbered requests answered by ACK, error or a
// multi-part dump ending in NLMSG_DONE; several requests in flight at once; multicast
// notifications to a callback. No family logic here: rtnetlink and generic netlink sit on top.
import { SysError, errnoName } from '../lib/errors.js';
import { HOST_LE, NLM_F, NLMSG, NLMSG_HDRLEN, decodeAck, decodeMessages, encodeMessage, encodeMessageRun, type NetlinkMessage } from '../codec/netlink/message.js';
import { PendingRequests } from './netlink-pending.js';
import { K, native, sys, toSysError } from './native.js';
import { decodeSockaddr, sockaddrNl } from './sockaddr.js';
import { runHere, runInThread, THREAD_MIN } from './dump-runs.js';

export type { NetlinkMessage };
export const NETLINK_ROUTE = 0, NETLINK_GENERIC = 16;
const DUMP_ATTEMPTS = 3;
const BUSY_WAITS = 50, BUSY_WAIT_MS = 10;
/** The kernel's address, built once: a table listing sends a thousand requests (the addon only reads it). */
const KERNEL = sockaddrNl(0, 0);
/**
 * dumpEach's reads: 32 KiB per datagram, the most the kernel makes a dump part once any read asked
 * for that much (netlink_recvmsg caps max_recvmsg_len there; recvNow asks 256 KiB), so none is
 * truncated; page-sized ones (0, the addon's choice) on a socket that only dumpEach reads; and the
 * answers of up to 4 MiB of dumps per addon call (a longer dump is refused with EAGAIN).
 */
const DUMP_SLOT = 32 << 10, DUMP_OUT_MAX = 4 << 20;

export interface RequestOptions {
  /** Names the operation in errors ("add address 10.0.0.1/32 on eth0"). */
  op?: string;
  /** Rejects with ETIMEDOUT when the kernel has not answered (default 5000 ms). */
  timeoutMs?: number;
}

export class NetlinkSocket {
  /** Our netlink port id, assigned by the kernel at bind. */
  readonly pid: number;
  private seq: number;
  private readonly pending = new PendingRequests();
  private notify: ((m: NetlinkMessage) => void) | undefined;
  private errorCb: ((e: Error) => void) | undefined;
  private isClosed = false;
  /** What the addon was last told about keeping the process alive (undefined: nothing yet). */
  private refd: boolean | undefined;
  private receiving = false;
  private dumpChain: Promise<unknown> = Promise.resolve();
  private keepAlive = true;
  private readonly drops = { malformed: 0, foreignSender: 0 };
  /** Read a request's answer right after sending it (see drainAnswer); only for sockets without subscriptions. */
  private inline = false;
  /** Only dumpEach reads this socket: its dump parts can be read page by page (see DUMP_SLOT). */
  private dumpsOnly = false;
  /** dumpEach stopped inside a dump: the kernel may still be running it on this socket. */
  private leftOpen = false;

  private constructor(readonly fd: number, readonly protocol: number) {
    const sa = decodeSockaddr(sys('getsockname netlink', () => native().getsockname(fd)));
    this.pid = sa.pid ?? 0;
    this.seq = (Date.now() & 0x7fffffff) >>> 0;
  }

  /** Opens and binds a netlink socket of `protocol` (NETLINK_ROUTE, NETLINK_GENERIC, ...). */
  static open(protocol: number, opts: { rcvbuf?: number; inlineAnswers?: boolean; dumpsOnly?: boolean } = {}): NetlinkSocket {
    const n = native();
    const fd = sys(`open netlink socket (protocol ${protocol})`, () => n.socket(K('AF_NETLINK'), K('SOCK_RAW'), protocol));
    try {
      const sol = K('SOL_NETLINK');
      // Errors carry the kernel's text, and ACKs don't echo the whole request back.
      try { n.setsockopt(fd, sol, K('NETLINK_EXT_ACK'), 1); } catch { /* old kernel: plain errno */ }
      try { n.setsockopt(fd, sol, K('NETLINK_CAP_ACK'), 1); } catch { /* old kernel */ }
      const size = opts.rcvbuf ?? 1 << 20;
      try { n.setsockopt(fd, K('SOL_SOCKET'), K('SO_RCVBUFFORCE'), size); } catch {
        sys('set netlink receive buffer', () => n.setsockopt(fd, K('SOL_SOCKET'), K('SO_RCVBUF'), size));
      }
      sys('bind netlink socket', () => n.bind(fd, sockaddrNl(0, 0)));
      const sock = new NetlinkSocket(fd, protocol);
      sock.inline = opts.inlineAnswers ?? opts.dumpsOnly ?? false;
      sock.dumpsOnly = opts.dumpsOnly ?? false;
      return sock;
    } catch (e) {
      n.close(fd);
      throw e;
    }
  }

  /** Whether the loaded addon has netlinkDumps (dumpEach); a build older than it does not. */
  static get canDumpEach(): boolean { return typeof native().netlinkDumps === 'function'; }

  get closed(): boolean { return this.isClosed; }
  get inFlight(): number { return this.pending.size; }
  /**
   * dumpEach stopped inside a dump (a part not queued, too long, a receive error): the kernel may
   * still be running it here, so dumpEach refuses (EBUSY) and a dumps-only socket is best closed.
   */
  get dumpLeftOpen(): boolean { return this.leftOpen; }
  /** Datagrams dropped unread, by reason: undecodable, or sent by a process instead of the kernel. */
  get dropped(): { malformed: number; foreignSender: number } { return { ...this.drops }; }

  /**
   * Sends one request (REQUEST and ACK flags are added) and resolves with every reply message
   * once the kernel ACKs or ends the dump; a kernel error rejects with a SysError carrying `op`,
   * the errno name and the extended-ack text.
   */
  request(type: number, flags: number, payload: Uint8Array, opts: RequestOptions = {}): Promise<NetlinkMessage[]> {
    const op = opts.op ?? `netlink request type ${type}`;
    if (this.isClosed) return Promise.reject(new SysError(op, 'EBADF'));
    if (this.dumpsOnly) return Promise.reject(new SysError(op, 'EBUSY', 'this socket is read by dumpEach only'));
    if ((flags & NLM_F.DUMP) !== NLM_F.DUMP) return this.send(type, flags, payload, op, opts.timeoutMs);
    // The kernel runs one dump per socket at a time (EBUSY otherwise): queue them. A dump the
    // kernel flags as interrupted by concurrent changes (EINTR) is read again, a few times; after
    // one we gave up on (timeout) the kernel may still be finishing it (EBUSY): wait for that.
    const run = async (): Promise<NetlinkMessage[]> => {
      for (let interrupted = 0, busy = 0; ;) {
        try { return await this.send(type, flags, payload, op, opts.timeoutMs, true); } catch (e) {
          const code = e instanceof SysError ? e.code : '';
          if (this.isClosed) throw e;
          if (code === 'EINTR' && ++interrupted < DUMP_ATTEMPTS) continue;
          if (code === 'EBUSY' && ++busy < BUSY_WAITS) { await new Promise((r) => setTimeout(r, BUSY_WAIT_MS)); continue; }
          throw e;
        }
      }
    };
    const p = this.dumpChain.then(run, run);
    this.dumpChain = p.then(() => undefined, () => undefined);
    return p;
  }

  private send(type: number, flags: number, payload: Uint8Array, op: string, timeoutMs = 5000, dump = false): Promise<NetlinkMessage[]> {
    if (this.isClosed) return Promise.reject(new SysError(op, 'EBADF'));
    this.startReceiving();
    this.seq = (this.seq + 1) >>> 0 || 1;
    const seq = this.seq;
    const msg = encodeMessage({ type, flags: flags | NLM_F.REQUEST | NLM_F.ACK, seq, pid: 0, payload });
    let timer: NodeJS.Timeout | undefined;
    const answer = this.pending.add(seq, op, () => { if (timer) clearTimeout(timer); this.updateRef(); }, { dump });
    try {
      native().sendto(this.fd, msg, KERNEL);
    } catch (e) {
      this.pending.settle(seq, toSysError(op, e));
      return answer;
    }
    if (this.inline) this.drainAnswer(seq);
    // Answered already (inline): no timer and no crossing into C to keep the process alive.
    if (this.pending.has(seq)) {
      timer = setTimeout(() => this.pending.abandon(seq, new SysError(op, 'ETIMEDOUT', 'no answer from the kernel')), timeoutMs);
      timer.unref();
      this.updateRef();
    }
    return answer;
  }

  /**
   * Reads the answer to `seq` without waiting for the event loop. The kernel answers a request
   * inside sendmsg, and makes each further part of a dump inside the recvmsg that read the one
   * before (netlink_recvmsg -> netlink_dump), so the whole answer is queued by the time each read
   * asks for it: a listing's thousand dumps need no wake-up each. Whatever is not queued (an
   * allocation failure) is left to the watcher; every datagram goes through the usual routing.
   */
  private drainAnswer(seq: number): void {
    const n = native();
    while (this.pending.has(seq) && !this.isClosed) {
      let r;
      try { r = n.recvNow(this.fd); } catch (e) {
        const err = toSysError('netlink receive', e);
        if ((err as { code?: string }).code === 'ENOBUFS') this.onOverrun(err); else this.receiveError(err);
        return;
      }
      if (!r) return;
      this.onDatagram(r[0], r[1]);
    }
  }

  /**
   * Dumps run one after the other, each read to its end before the next is sent, on a socket
   * opened with inlineAnswers and with nothing in flight: one addon call sends and reads a whole
   * run (netlinkDumps), with no event loop, promise, Buffer or message object per dump, for a
   * caller that runs a thousand small dumps back to back (a table listing); a run of THREAD_MIN or
   * more goes to the addon's dump thread, which reads the next dumps while these are decoded
   * (src/net/dump-runs.ts). Each reply of dump i is
   * handed to `each(i, data, start, end)` in place, as data[start, end) (valid during the call
   * only). Returns how many dumps completed, in order; when short of all, `error` says why
   * payloads[done] failed: the kernel's error; EINTR for a dump interrupted by changes; EBUSY when
   * the socket is busy; EAGAIN when a part was not queued or did not fit (the rest of that dump is
   * then dropped as it arrives, or stays on a dumps-only socket: see dumpLeftOpen). After
   * EINTR/EBUSY/EAGAIN the caller can use request() for that one. `flags` says whether they are
   * dumps (NLM_F.DUMP) or requests answered by replies and an ACK, which are read the same way.
   */
  dumpEach(type: number, flags: number, payloads: readonly Uint8Array[], each: (i: number, data: Buffer, start: number, end: number) => void,
    op = `netlink dump type ${type}`): { done: number; error?: SysError } {
    if (this.isClosed) return { done: 0, error: new SysError(op, 'EBADF') };
    if (!this.inline || this.pending.size > 0) return { done: 0, error: new SysError(op, 'EBUSY', 'requests in flight on this socket') };
    if (this.leftOpen) return { done: 0, error: new SysError(op, 'EBUSY', 'a dump was left unread on this socket') };
    const count = payloads.length;
    if (count === 0) return { done: 0 };
    const first = this.reserveSeqs(count);
    const { buf: reqs, at } = encodeMessageRun(type, payloads, first, () => flags | NLM_F.REQUEST | NLM_F.ACK);
    // Room for the answers of many small dumps per call, freed after: a daemon lists rarely.
    // Pages the kernel does not fill are never touched (a large allocation is mapped lazily).
    const out = Buffer.allocUnsafe(DUMP_OUT_MAX);
    const view = new DataView(out.buffer, out.byteOffset, out.length);
    const res = new Int32Array(2 * count + 3);
    const slot = this.dumpsOnly ? 0 : DUMP_SLOT;
    const n = native();
    const threaded = count >= THREAD_MIN && n.netlinkDumpsStart !== undefined;
    for (let base = 0; base < count;) {
      const rest = base === 0 ? reqs : reqs.subarray(at[base]!);
      const left = count - base;
      const answer = (k: number) => this.readDump(out, view, res[2 * k]!, res[2 * k + 1]!, first + base + k, base + k, each, op);
      const run = (threaded ? runInThread : runHere)(n, this.fd, rest, out, res, slot, answer, op);
      if (run.ran) {
        this.drops.foreignSender += res[2 * left + 1]!;
        if (res[2 * left + 2]) this.leftOpen = true;
      }
      if (run.error) return { done: base + run.got, error: run.error };
      const got = run.got;
      base += got;
      if (got === left) break;
      const status = res[2 * left]!;
      if (status === 0) continue; // out was full: the next call goes on
      const code = errnoName(status);
      if (code === 'EAGAIN' || code === 'ENOSPC' || code === 'EMSGSIZE') {
        return { done: base, error: new SysError(op, 'EAGAIN', code === 'EAGAIN' ? 'the kernel had not queued the next part of the dump' : 'the dump was too long to read inline') };
      }
      return { done: base, error: new SysError(op, code) };
    }
    return { done: count };
  }

  /** The messages of one dump's answer, out[start, end): replies to `each`; its error, if any. */
  private readDump(data: Buffer, v: DataView, from: number, to: number, seq: number, i: number, each: (i: number, data: Buffer, start: number, end: number) => void, op: string): SysError | undefined {
    let interrupted = false;
    // Headers through one DataView (host order): a listing reads 11,000 of them, and Buffer's
    // read methods are JavaScript calls each, slow before the optimizing compiler has them.
    for (let at = from; at + NLMSG_HDRLEN <= to;) {
      const len = v.getUint32(at, HOST_LE);
      if (len < NLMSG_HDRLEN || at + len > to) { this.drops.malformed++; break; }
      const mtype = v.getUint16(at + 4, HOST_LE);
      const mflags = v.getUint16(at + 6, HOST_LE);
      const mseq = v.getUint32(at + 8, HOST_LE);
      const start = at + NLMSG_HDRLEN, end = at + len;
      at += (len + 3) & ~3;
      // Late answers to requests given up on earlier: not ours, dropped.
      if (mseq !== seq) continue;
      if (mflags & NLM_F.DUMP_INTR) interrupted = true;
      if (mtype === NLMSG.ERROR) {
        let ack;
        try { ack = decodeAck({ type: mtype, flags: mflags, seq: mseq, pid: 0, payload: data.subarray(start, end) }); } catch {
          return new SysError(op, 'EPROTO', `malformed netlink error message (${end - start} bytes)`);
        }
        return ack.errno === 0 ? undefined : new SysError(op, errnoName(-ack.errno), ack.message, { errno: ack.errno });
      }
      if (mtype === NLMSG.DONE) {
        const err = end - start >= 4 ? v.getInt32(start, HOST_LE) : 0;
        if (err < 0) return new SysError(op, errnoName(err));
        return interrupted ? new SysError(op, 'EINTR', 'dump interrupted by concurrent changes, result inconsistent') : undefined;
      }
      if (mtype !== NLMSG.NOOP) each(i, data, start, end);
    }
    return new SysError(op, 'EPROTO', 'the dump ended without NLMSG_DONE (malformed answer)');
  }

  /**
   * Sends many requests (changes, not dumps) in one datagram and resolves with one entry per
   * request: undefined when it was applied, its SysError otherwise. Only the last asks for an ACK:
   * the kernel (netlink_rcv_skb) handles the messages in order, answers a failed one with its error
   * whether or not it asked for an ACK, and goes on with the next; so one send and one answer cover
   * the whole batch, and the answer to the last one means every earlier unanswered one worked.
   * A batch that fails as a whole (send error, timeout, answers lost to ENOBUFS) rejects: how much
   * of it was applied is then unknown.
   */
  batch(type: number, payloads: readonly Uint8Array[], opts: { ops: (i: number) => string; timeoutMs?: number }): Promise<(Error | undefined)[]> {
    const count = payloads.length;
    if (count === 0) return Promise.resolve([]);
    if (this.isClosed) return Promise.reject(new SysError(opts.ops(0), 'EBADF'));
    if (this.dumpsOnly) return Promise.reject(new SysError(opts.ops(0), 'EBUSY', 'this socket is read by dumpEach only'));
    this.startReceiving();
    const first = this.reserveSeqs(count);
    const { buf } = encodeMessageRun(type, payloads, first, (i) => NLM_F.REQUEST | (i === count - 1 ? NLM_F.ACK : 0));
    const timer = setTimeout(() => this.pending.abandonBatch(first, new SysError(opts.ops(0), 'ETIMEDOUT', 'no answer from the kernel')), opts.timeoutMs ?? 5000);
    timer.unref();
    const answer = this.pending.addBatch(first, count, opts.ops, () => { clearTimeout(timer); this.updateRef(); });
    this.updateRef();
    try {
      native().sendto(this.fd, buf, KERNEL);
    } catch (e) {
      this.pending.abandonBatch(first, toSysError(opts.ops(0), e));
    }
    return answer;
  }

  /**
   * `count` consecutive sequence numbers that do not wrap, the first returned: the pending table
   * settles a batch by range, and netlinkDumps matches each dump's end by its number.
   */
  private reserveSeqs(count: number): number {
    if (this.seq + count + 1 > 0xffffffff) this.seq = 0;
    const first = this.seq + 1;
    this.seq += count;
    return first;
  }

  /** Joins a multicast group (RTNLGRP_LINK, a generic netlink group id, ...). */
  subscribe(group: number): void {
    if (this.isClosed) throw new SysError('subscribe', 'EBADF');
    sys(`join netlink group ${group}`, () => native().setsockopt(this.fd, K('SOL_NETLINK'), K('NETLINK_ADD_MEMBERSHIP'), group));
    this.startReceiving();
  }

  unsubscribe(group: number): void {
    if (this.isClosed) return;
    sys(`leave netlink group ${group}`, () => native().setsockopt(this.fd, K('SOL_NETLINK'), K('NETLINK_DROP_MEMBERSHIP'), group));
  }

  /** Multicast notifications from subscribed groups. */
  onNotification(cb: (m: NetlinkMessage) => void): void { this.notify = cb; this.startReceiving(); this.updateRef(); }

  /** Receive errors; ENOBUFS means notifications were lost and the caller should resynchronise. */
  onError(cb: (e: Error) => void): void { this.errorCb = cb; }

  /**
   * Whether a subscription keeps the process alive (default true). Requests in flight always do;
   * an idle socket without a notification callback never does.
   */
  ref(on: boolean): void { this.keepAlive = on; this.updateRef(); }

  private updateRef(): void {
    if (this.isClosed || !this.receiving) return;
    const on = this.pending.size > 0 || (this.notify !== undefined && this.keepAlive);
    // Only on a change: a listing settles a thousand requests, each of which would cross into C.
    if (on === this.refd) return;
    this.refd = on;
    native().ref(this.fd, on);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try { native().close(this.fd); } catch { /* already gone */ }
    this.pending.failAll((op) => new SysError(op, 'EBADF', 'socket closed'));
  }

  private startReceiving(): void {
    if (this.receiving || this.isClosed) return;
    this.receiving = true;
    native().startReceive(this.fd, (err, data, src) => {
      try {
        if (!err) this.onDatagram(data!, src!);
        else if (err.code === 'ENOBUFS') this.onOverrun(toSysError('netlink receive', err));
        else this.receiveError(toSysError('netlink receive', err));
      } catch (e) {
        this.receiveError(e instanceof Error ? e : new Error(String(e)));
      }
    });
    this.updateRef();
  }

  private receiveError(e: Error): void {
    try { this.errorCb?.(e); } catch { /* never into C */ }
  }

  /**
   * The kernel dropped messages for us. Requests are answered synchronously while they are sent,
   * so once the queue is read empty every non-dump request still waiting lost its answer.
   */
  private onOverrun(e: Error): void {
    for (let i = 0; i < 10_000 && !this.isClosed; i++) {
      let r;
      try { r = native().recvNow(this.fd); } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ENOBUFS' || code === 'EMSGSIZE') continue; // per-datagram: keep reading
        break;
      }
      if (!r) break;
      this.onDatagram(r[0], r[1]);
    }
    this.pending.failAnswerless((op) => new SysError(op, 'ENOBUFS', 'the kernel dropped the answer (receive queue full); the request may or may not have taken effect'));
    this.receiveError(e);
  }

  /** One datagram holds several messages; replies settle requests, the rest are notifications. */
  private onDatagram(data: Buffer, src: Buffer): void {
    // struct sockaddr_nl read in place (one per datagram; a listing receives thousands):
    // family u16, pad u16, pid u32, groups u32, host order.
    const pid = src.length >= 12 ? (HOST_LE ? src.readUInt32LE(4) : src.readUInt32BE(4)) : -1;
    const groups = src.length >= 12 ? (HOST_LE ? src.readUInt32LE(8) : src.readUInt32BE(8)) : 0;
    // Only the kernel (port 0) answers or notifies; anything else is another process's forgery.
    if (pid !== 0) { this.drops.foreignSender++; return; }
    let msgs;
    try { msgs = decodeMessages(data); } catch { this.drops.malformed++; return; }
    const multicast = groups !== 0;
    for (const m of msgs) {
      const note = this.pending.route(m, multicast);
      if (note) this.deliver(note);
    }
  }

  private deliver(m: NetlinkMessage): void {
    try { this.notify?.(m); } catch (e) { this.receiveError(e instanceof Error ? e : new Error(String(e))); }
  }
}
