// An in-memory LAN for VRRP messages: every transport joined to it sees what the others send to a
// multicast group it joined, or what is addressed to its own address (unicast). Delivery is either
// immediate or queued until the test calls deliver(), which models packets waiting in a socket.
import { addrEqual, isMulticast, parseIP } from '../../lib/ip.js';
import type { VrrpDatagram, VrrpTransport, VrrpTransportFactory, VrrpTransportOptions } from '../vrrp-transport.js';

export class FakeTransport implements VrrpTransport {
  readonly sent: { payload: Uint8Array; dst: Uint8Array }[] = [];
  /** Datagrams waiting in the "socket" (not yet handed to onReceive). */
  readonly queue: VrrpDatagram[] = [];
  closed = false;
  private fn: ((d: VrrpDatagram) => void) | undefined;
  readonly addr: Uint8Array;

  constructor(readonly lan: FakeVrrpLan | undefined, addr: string | Uint8Array, readonly opts?: Partial<VrrpTransportOptions>) {
    this.addr = typeof addr === 'string' ? parseIP(addr).addr : addr;
  }

  send(payload: Uint8Array, dst: Uint8Array): void {
    if (this.closed) throw new Error('send on a closed transport');
    this.sent.push({ payload: payload.slice(), dst });
    this.lan?.carry(this, payload.slice(), dst);
  }

  onReceive(fn: (d: VrrpDatagram) => void): void { this.fn = fn; }

  drain(): VrrpDatagram[] { return this.queue.splice(0); }

  close(): void { this.closed = true; }

  /** Puts a datagram in the socket queue (as if the kernel had received it). */
  enqueue(d: VrrpDatagram): void { if (!this.closed) this.queue.push(d); }

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
