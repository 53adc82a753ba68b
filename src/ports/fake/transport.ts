// An in-memory LAN for VRRP messages: every transport joined to it sees what the others send to a
// multicast group it joined, or what is addressed to its own address (unicast). Delivery is either
// immediate or queued until the test calls deliver(), which models packets waiting in a socket.
import { addrEqual, isMulticast, parseIP } from '../../lib/ip.js';
import { sameDatagram } from '../../vrrp/validate.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { RepeatHandle, VrrpDatagram, VrrpTransport, VrrpTransportFactory, VrrpTransportOptions } from '../vrrp-transport.js';

export class FakeTransport implements VrrpTransport {
  readonly sent: { payload: Uint8Array; dst: Uint8Array }[] = [];
  /** Datagrams waiting in the "socket" (not yet handed to onReceive). */
  readonly queue: VrrpDatagram[] = [];
  closed = false;
  private fn: ((d: VrrpDatagram) => void) | undefined;
  readonly addr: Uint8Array;

  /** Present when the LAN has a repeatClock: repeats run on it, as the addon's timerfd does. */
  repeat?: (payloads: Uint8Array[], dsts: Uint8Array[], firstInMs: number, intervalMs: number, onError: (e: Error) => void) => RepeatHandle;
  /** Repeats started so far (tests check the fast path was taken). */
  repeatsStarted = 0;
  private repeats = new Set<RepeatHandle>();

  constructor(readonly lan: FakeVrrpLan | undefined, addr: string | Uint8Array, readonly opts?: Partial<VrrpTransportOptions>) {
    this.addr = typeof addr === 'string' ? parseIP(addr).addr : addr;
    const clock = lan?.repeatClock;
    if (clock) this.repeat = (p, d, first, interval, onError) => this.startRepeat(clock, p, d, first, interval, onError);
    if (clock) {
      this.dedupe = (ref) => { this.ref = ref; if (ref) this.refsSet++; };
      this.duplicates = () => ({ count: this.dups, lastAgoMs: this.lastDup === undefined ? undefined : clock.now() - this.lastDup });
      this.watchQuiet = (inMs, quietMs, earlyMs, onDue) => this.startWatch(clock, inMs, quietMs, earlyMs, onDue);
    }
  }

  // The addon's quiet watch: the deadline moves to the last copy + quietMs; onDue once, earlyMs before it.
  private startWatch(clock: Clock, inMs: number, quietMs: number, earlyMs: number, onDue: () => void): { stop(): void } | undefined {
    if (!this.ref) return undefined;
    let deadline = clock.now() + inMs, h: TimerHandle | undefined;
    const tick = (): void => {
      if (this.lastDup !== undefined && this.lastDup + quietMs > deadline) {
        deadline = this.lastDup + quietMs;
        h = clock.setTimer(Math.max(0, deadline - earlyMs - clock.now()), tick);
        return;
      }
      h = undefined;
      onDue();
    };
    h = clock.setTimer(Math.max(0, deadline - earlyMs - clock.now()), tick);
    this.watchesStarted++;
    return { stop: () => { if (h) clock.clearTimer(h); h = undefined; } };
  }

  // An absolute schedule with missed slots skipped, each send through send() (which tests may wrap).
  private startRepeat(clock: Clock, payloads: Uint8Array[], dsts: Uint8Array[], firstInMs: number, intervalMs: number,
    onError: (e: Error) => void): RepeatHandle {
    let next = clock.now() + Math.max(0, firstInMs), sent = 0, errors = 0, stopped = false, h: TimerHandle | undefined;
    const tick = (): void => {
      for (let i = 0; i < payloads.length; i++) {
        // Counted first: on a fake LAN the send can reach a peer whose answer restarts this repeat.
        sent++;
        try { this.send(payloads[i]!, dsts[i]!); } catch (e) { sent--; if (errors++ % 100 === 0) onError(e as Error); }
      }
      if (stopped) return;
      const now = clock.now();
      do next += intervalMs; while (next <= now);
      h = clock.setTimer(next - now, tick);
    };
    h = clock.setTimer(next - clock.now(), tick);
    this.repeatsStarted++;
    const handle: RepeatHandle = {
      counts: () => ({ sent, errors }),
      stop: () => { stopped = true; if (h) clock.clearTimer(h); this.repeats.delete(handle); return { sent, errors }; },
    };
    this.repeats.add(handle);
    return handle;
  }

  send(payload: Uint8Array, dst: Uint8Array): void {
    if (this.closed) throw new Error('send on a closed transport');
    this.sent.push({ payload: payload.slice(), dst });
    this.lan?.carry(this, payload.slice(), dst);
  }

  onReceive(fn: (d: VrrpDatagram) => void): void { this.fn = fn; }

  drain(): VrrpDatagram[] { return this.queue.splice(0); }

  close(): void { this.closed = true; for (const r of [...this.repeats]) r.stop(); }

  /** Puts a datagram in the socket queue (as if the kernel had received it); a copy of the dedupe reference is counted instead. */
  enqueue(d: VrrpDatagram): void {
    if (this.closed) return;
    if (this.ref && this.lan?.repeatClock && sameDatagram(this.ref, d)) { this.dups++; this.lastDup = this.lan.repeatClock.now(); return; }
    this.queue.push(d);
  }

  /** Present, like repeat, when the LAN has a repeatClock: the kernel filter's duplicate drop. */
  dedupe?: (ref: VrrpDatagram | undefined) => void;
  duplicates?: () => { count: number; lastAgoMs: number | undefined };
  watchQuiet?: (inMs: number, quietMs: number, earlyMs: number, onDue: () => void) => { stop(): void } | undefined;
  /** Quiet watches started so far (tests check the fast path was taken). */
  watchesStarted = 0;
  /** References set so far (tests check the fast path was taken). */
  refsSet = 0;
  private ref: VrrpDatagram | undefined;
  private dups = 0;
  private lastDup: number | undefined;

  /** Hands queued datagrams to the receiver, as the event loop would. */
  deliver(): void {
    for (const d of this.queue.splice(0)) this.fn?.(d);
  }
}

export class FakeVrrpLan {
  readonly members: FakeTransport[] = [];
  /** When false, packets stay queued in the receivers until deliver() is called. */
  autoDeliver = true;
  /** Transports whose cable is cut neither send nor receive. */
  readonly cut = new Set<FakeTransport>();
  /** Set before join(): transports offer repeat() and dedupe() on this clock (the fast paths of the addon and the kernel filter). */
  repeatClock: Clock | undefined;

  join(addr: string | Uint8Array, opts?: Partial<VrrpTransportOptions>): FakeTransport {
    const t = new FakeTransport(this, addr, opts);
    this.members.push(t);
    return t;
  }

  /** A factory handing out transports on this LAN; `addrOf` picks each one's own address. */
  factory(addrOf: (o: VrrpTransportOptions) => string | Uint8Array): VrrpTransportFactory {
    return { open: (o) => this.join(o.src ?? addrOf(o), o) };
  }

  carry(from: FakeTransport, payload: Uint8Array, dst: Uint8Array): void {
    if (this.cut.has(from)) return;
    const multicast = isMulticast(dst);
    for (const m of this.members) {
      if (m === from || m.closed || this.cut.has(m)) continue;
      if (!multicast && !addrEqual(m.addr, dst)) continue;
      if (multicast && m.opts && !(m.opts.group && addrEqual(m.opts.group, dst))) continue;
      m.enqueue({ payload, src: from.addr, dst, ttl: 255 });
      if (this.autoDeliver) m.deliver();
    }
  }

  deliverAll(): void { for (const m of this.members) m.deliver(); }
}
