// Raw IPv4/IPv6 socket for one IP protocol (VRRP 112, ICMP ...): multicast membership, TTL/hop
// limit, bind to device, send, a receive callback and a synchronous drain of queued datagrams.
import { formatIP, parseIP } from '../lib/ip.js';
import { SysError } from '../lib/errors.js';
import { K, native, sys, toSysError, type RawRecv } from './native.js';
import { decodeSockaddr, ipMreqn, ipv6Mreq, sockaddrIn, sockaddrIn6 } from './sockaddr.js';
import { RecvBatch } from './recv-batch.js';
import { SockaddrCache } from './sockaddr-cache.js';
import { SendRepeat } from './send-repeat.js';

export interface Datagram {
  /** The IP payload (for IPv4 the kernel's IP header is stripped off and parsed). */
  data: Buffer;
  /** Source address bytes (4 or 16). */
  src: Uint8Array;
  /** Destination address (the group or unicast address the packet was sent to), when known. */
  dst?: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit; undefined when the kernel did not report it. */
  ttl?: number;
  /** Receiving interface index, when known. */
  ifindex?: number;
  /** Raw IPv4 only: the IP header as received (options included). */
  ipHeader?: Buffer;
}

export interface RawSocketOptions {
  family: 4 | 6;
  protocol: number;
  /** IPv4 only: the caller writes the IP header (IP_HDRINCL). */
  headerIncluded?: boolean;
}

export type AddressLike = Uint8Array | string;
const bytes = (a: AddressLike): Uint8Array => (typeof a === 'string' ? parseIP(a).addr : a);

/** Turns one received datagram into a Datagram; IPv4 raw sockets deliver the IP header, which is parsed here. */
export function toDatagram(family: 4 | 6, r: RawRecv): Datagram | undefined {
  const [data, srcSa, ttl, ifindex, dst] = r;
  const sa = decodeSockaddr(srcSa);
  const d: Datagram = { data, src: sa.addr ?? new Uint8Array(family === 4 ? 4 : 16) };
  if (ifindex >= 0) d.ifindex = ifindex;
  if (family === 6) {
    if (ttl >= 0) d.ttl = ttl;
    if (dst) d.dst = Uint8Array.from(dst);
    return d;
  }
  if (data.length < 20 || data[0]! >> 4 !== 4) return undefined;
  const ihl = (data[0]! & 0x0f) * 4;
  if (ihl < 20 || data.length < ihl) return undefined;
  const total = data.readUInt16BE(2);
  d.ipHeader = data.subarray(0, ihl);
  d.ttl = data[8]!;
  d.src = Uint8Array.from(data.subarray(12, 16));
  d.dst = Uint8Array.from(data.subarray(16, 20));
  d.data = data.subarray(ihl, Math.max(ihl, Math.min(total, data.length)));
  return d;
}

export class RawSocket {
  readonly fd: number;
  private isClosed = false;
  private readonly sendAddr = new SockaddrCache();
  private bad = 0;
  private truncated = 0;

  private constructor(readonly family: 4 | 6, readonly protocol: number, fd: number) { this.fd = fd; }

  /** Opens the socket (needs CAP_NET_RAW: EPERM otherwise) and asks for TTL/hop limit and ifindex with each datagram. */
  static open(opts: RawSocketOptions): RawSocket {
    const n = native();
    const domain = opts.family === 4 ? K('AF_INET') : K('AF_INET6');
    const fd = sys(`open raw IPv${opts.family} socket (protocol ${opts.protocol})`, () => n.socket(domain, K('SOCK_RAW'), opts.protocol));
    const s = new RawSocket(opts.family, opts.protocol, fd);
    try {
      if (opts.family === 4) {
        s.opt('IPPROTO_IP', 'IP_PKTINFO', 1);
        if (opts.headerIncluded) s.opt('IPPROTO_IP', 'IP_HDRINCL', 1);
        // Receive only groups joined on this socket, not every group the host joined.
        s.opt('IPPROTO_IP', 'IP_MULTICAST_ALL', 0);
      } else {
        s.opt('IPPROTO_IPV6', 'IPV6_RECVHOPLIMIT', 1);
        s.opt('IPPROTO_IPV6', 'IPV6_RECVPKTINFO', 1);
        s.opt('IPPROTO_IPV6', 'IPV6_MULTICAST_ALL', 0);
      }
    } catch (e) { s.close(); throw e; }
    return s;
  }

  get closed(): boolean { return this.isClosed; }
  /** Datagrams dropped because their IPv4 header could not be parsed. */
  get malformed(): number { return this.bad; }
  /** Datagrams dropped, by reason: unparsable IPv4 header, or larger than the receive buffer. */
  get dropped(): { malformed: number; truncated: number } { return { malformed: this.bad, truncated: this.truncated }; }

  private opt(level: string, name: string, value: number | Uint8Array, what = name): void {
    this.check(what);
    sys(`setsockopt ${what}`, () => native().setsockopt(this.fd, K(level), K(name), value));
  }

  private check(op: string): void { if (this.isClosed) throw new SysError(op, 'EBADF'); }

  joinGroup(group: AddressLike, ifindex: number): void {
    const g = bytes(group);
    if (this.family === 4) this.opt('IPPROTO_IP', 'IP_ADD_MEMBERSHIP', ipMreqn(g, ifindex), `join ${formatIP(g)} on ifindex ${ifindex}`);
    else this.opt('IPPROTO_IPV6', 'IPV6_ADD_MEMBERSHIP', ipv6Mreq(g, ifindex), `join ${formatIP(g)} on ifindex ${ifindex}`);
  }

  leaveGroup(group: AddressLike, ifindex: number): void {
    const g = bytes(group);
    if (this.family === 4) this.opt('IPPROTO_IP', 'IP_DROP_MEMBERSHIP', ipMreqn(g, ifindex), `leave ${formatIP(g)} on ifindex ${ifindex}`);
    else this.opt('IPPROTO_IPV6', 'IPV6_DROP_MEMBERSHIP', ipv6Mreq(g, ifindex), `leave ${formatIP(g)} on ifindex ${ifindex}`);
  }

  /** Outgoing interface for multicast; for IPv4 `source` also fixes the source address. */
  setMulticastInterface(ifindex: number, source?: AddressLike): void {
    if (this.family === 4) this.opt('IPPROTO_IP', 'IP_MULTICAST_IF', ipMreqn(new Uint8Array(4), ifindex, source ? bytes(source) : undefined));
    else this.opt('IPPROTO_IPV6', 'IPV6_MULTICAST_IF', ifindex);
  }

  /** TTL / hop limit for unicast and multicast alike (VRRP: 255, RFC 5798 §5.1.1.3). */
  setTtl(ttl: number): void {
    if (this.family === 4) { this.opt('IPPROTO_IP', 'IP_TTL', ttl); this.opt('IPPROTO_IP', 'IP_MULTICAST_TTL', ttl); }
    else { this.opt('IPPROTO_IPV6', 'IPV6_UNICAST_HOPS', ttl); this.opt('IPPROTO_IPV6', 'IPV6_MULTICAST_HOPS', ttl); }
  }

  setMulticastLoop(on: boolean): void {
    if (this.family === 4) this.opt('IPPROTO_IP', 'IP_MULTICAST_LOOP', on ? 1 : 0);
    else this.opt('IPPROTO_IPV6', 'IPV6_MULTICAST_LOOP', on ? 1 : 0);
  }

  /** IPv4 TOS / IPv6 traffic class (keepalived sends VRRP with 0xc0, internetwork control). */
  setTos(tos: number): void {
    if (this.family === 4) this.opt('IPPROTO_IP', 'IP_TOS', tos);
    else this.opt('IPPROTO_IPV6', 'IPV6_TCLASS', tos);
  }

  /** IPv4: whether sends carry the DF bit (Linux sets it by default; keepalived's adverts do not). */
  setDontFragment(on: boolean): void {
    if (this.family === 4) this.opt('IPPROTO_IP', 'IP_MTU_DISCOVER', K(on ? 'IP_PMTUDISC_DO' : 'IP_PMTUDISC_DONT'));
  }

  /** SO_BINDTODEVICE: send and receive only through `ifname` (ENODEV if it does not exist). */
  bindToDevice(ifname: string): void {
    this.opt('SOL_SOCKET', 'SO_BINDTODEVICE', Buffer.from(`${ifname}\0`), `bind to device ${ifname}`);
  }

  /** Fixes the source address (IPv6: a link-local address needs its ifindex as scope). */
  bind(addr: AddressLike, scopeIfindex = 0): void {
    this.check('bind');
    const a = bytes(addr);
    const sa = a.length === 4 ? sockaddrIn(a) : sockaddrIn6(a, 0, scopeIfindex);
    sys(`bind ${formatIP(a)}`, () => native().bind(this.fd, sa));
  }

  /** Sends one IP payload (or, with headerIncluded, a whole IPv4 packet). */
  send(payload: Uint8Array, dest: AddressLike, opts: { scopeIfindex?: number } = {}): void {
    this.check('send');
    const d = bytes(dest);
    // A master sends to the same one or few addresses 100 times a second: the sockaddr is built
    // when the destination changes, and the address formatted only for an error message.
    const sa = this.sendAddr.get(d, opts.scopeIfindex ?? 0);
    try { native().sendto(this.fd, payload, sa); } catch (e) { throw toSysError(`send to ${formatIP(d)}`, e); }
  }

  /**
   * Sends payloads[i] to dests[i] every intervalMs, the first in firstInMs, on the kernel's
   * timer with no JavaScript per send (see src/native/repeat.c), until the handle is stopped or
   * the socket closes. onError hears the 1st failed send and every 100th.
   */
  repeat(payloads: Uint8Array[], dests: AddressLike[], firstInMs: number, intervalMs: number,
    onError: (e: Error, errors: number) => void, opts: { scopeIfindex?: number } = {}): SendRepeat {
    this.check('send');
    const ds = dests.map(bytes);
    // The addon copies them: the cache's buffers are handed over as they are.
    const sas = ds.map((d) => this.sendAddr.get(d, opts.scopeIfindex ?? 0));
    const where = ds.map((d) => formatIP(d)).join(', ');
    try {
      return SendRepeat.start(this.fd, payloads, sas, firstInMs, intervalMs, (err, errors) => onError(toSysError(`send to ${where}`, err), errors));
    } catch (e) { throw toSysError(`repeat to ${where}`, e); }
  }

  /** Delivers every datagram to `cb` until close(); errors (ENOBUFS ...) go to `onError`. */
  onMessage(cb: (d: Datagram) => void, onError: (e: Error) => void = () => {}): void {
    this.check('receive');
    native().startReceive(this.fd, (err, data, src, ttl, ifindex, dst) => {
      try {
        if (err?.code === 'EMSGSIZE') { this.truncated++; return; }
        if (err) return onError(toSysError('receive', err));
        const d = toDatagram(this.family, [data!, src!, ttl ?? -1, ifindex ?? -1, dst ?? null]);
        if (d) cb(d); else this.bad++;
      } catch (e) {
        try { onError(e instanceof Error ? e : new Error(String(e))); } catch { /* never into C */ }
      }
    });
  }

  /**
   * Batch receive: one recvmmsg per wake-up and one call of `cb(batch, i)` per datagram whose IP
   * header parsed, with the payload located in place (batch.start/end/ttl); nothing is allocated
   * unless `cb` copies the datagram out (batch.datagram(i)). The batch memory is reused by the
   * next wake-up. Truncated and malformed datagrams are counted in `dropped`, as by onMessage.
   */
  onBatch(cb: (batch: RecvBatch, i: number) => void, onError: (e: Error) => void = () => {}, slot?: number, max?: number): void {
    this.check('receive');
    const b = new RecvBatch(this.family, slot, max);
    native().startReceiveBatch(this.fd, b.data, b.meta, b.addrs, b.slot, (err, count) => {
      const fail = (e: unknown): void => {
        try { onError(e instanceof Error ? e : new Error(String(e))); } catch { /* never into C */ }
      };
      if (err) return fail(toSysError('receive', err));
      // One bad datagram (a throwing cb) must not cost the rest of the batch; a close in cb ends it.
      for (let i = 0; i < count! && !this.isClosed; i++) {
        try {
          if (b.truncated(i)) { this.truncated++; continue; }
          if (!b.locate(i)) { this.bad++; continue; }
          cb(b, i);
        } catch (e) { fail(e); }
      }
    });
  }

  /**
   * Attaches an eBPF socket filter (SO_ATTACH_BPF), replacing any filter attached before; the
   * socket keeps the program alive, so the caller may close `progFd` afterwards.
   */
  attachBpf(progFd: number): void { this.opt('SOL_SOCKET', 'SO_ATTACH_BPF', progFd, 'attach BPF filter'); }

  /** Removes the attached filter (SO_DETACH_FILTER). */
  detachBpf(): void { this.opt('SOL_SOCKET', 'SO_DETACH_FILTER', 0, 'detach BPF filter'); }

  /**
   * Returns the datagrams already queued in the kernel, without waiting: reads at most `max`, so that
   * a flood cannot hold the event loop; what is left stays queued for the next call. An error
   * after some datagrams were read is dropped in favour of returning them.
   */
  drain(max = 4096): Datagram[] {
    this.check('drain');
    const out: Datagram[] = [];
    for (let read = 0; read < max; read++) {
      let r;
      try { r = sys('receive', () => native().recvNow(this.fd)); } catch (e) {
        if (e instanceof SysError && e.code === 'EMSGSIZE') { this.truncated++; continue; }
        if (out.length) return out;
        throw e;
      }
      if (!r) return out;
      const d = toDatagram(this.family, r);
      if (d) out.push(d); else this.bad++;
    }
    return out;
  }

  /** Lets the process exit while this socket is still open (or not). */
  ref(on: boolean): void { if (!this.isClosed) native().ref(this.fd, on); }

  /** Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try { native().close(this.fd); } catch { /* already gone */ }
  }
}
