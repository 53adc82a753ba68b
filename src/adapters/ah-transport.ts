// VRRPv2 with IPsec AH over raw IPv4 sockets (protocol 51, IP_HDRINCL): what RFC 2338 §5.3.6.3
// and keepalived put on the wire for auth_type AH. We write the whole IPv4 header ourselves,
// because the ICV covers it and the kernel would otherwise choose the identification after we
// computed it (src/codec/vrrp-ah.ts). One socket per interface and source (unicast) or per
// interface (multicast) is shared by the instances on it, dispatched by the VRID inside the AH
// payload. No eBPF filter: the VRRP filter reads the VRRP header at the IP payload, where AH
// has its own 24 bytes, and AH adverts are one a second; user space validates them all.
import { IPPROTO_AH, AH_HEADER_LEN } from '../codec/vrrp-ah.js';
import { IPPROTO_VRRP } from '../codec/vrrp.js';
import { formatIP, isMulticast } from '../lib/ip.js';
import { RawSocket, type Datagram } from '../net/raw-socket.js';
import type { Logger } from '../ports/logger.js';
import type { VrrpDatagram, VrrpTransport, VrrpTransportFactory, VrrpTransportOptions } from '../ports/vrrp-transport.js';

class AhSocket {
  readonly byVrid = new Map<number, AhTransport>();
  readonly groups = new Set<string>();
  /** Protocol-51 packets that are not VRRP or name no VRID served here. */
  unknown = 0;

  constructor(readonly sock: RawSocket, log: Logger) {
    sock.onMessage((d) => this.dispatch(d), (e) => log.warn({ err: e.message }, 'VRRP AH socket receive error'));
  }

  /** Hands a datagram to its VRID's transport, or to `out` when that transport is `self` (drain). */
  dispatch(d: Datagram, self?: AhTransport, out?: VrrpDatagram[]): void {
    const ah = d.data;
    const vrid = ah.length > AH_HEADER_LEN + 1 && ah[0] === IPPROTO_VRRP ? ah[AH_HEADER_LEN + 1]! : -1;
    const t = this.byVrid.get(vrid);
    if (!t || !d.ipHeader || !d.dst) { this.unknown++; return; }
    // The ICV covers the header: hand on the packet as received, header included.
    const vd: VrrpDatagram = { payload: Buffer.concat([d.ipHeader, ah]), src: d.src, dst: d.dst, ttl: d.ttl ?? -1 };
    if (t === self && out) out.push(vd); else t.receive(vd);
  }
}

class AhTransport implements VrrpTransport {
  private fn: ((d: VrrpDatagram) => void) | undefined;
  closed = false;

  constructor(private shared: AhSocket, private release: () => void) {}

  /** `packet` is a whole IPv4 packet; the kernel fills in the header checksum (raw(7)). */
  send(packet: Uint8Array, dst: Uint8Array): void { this.shared.sock.send(packet, dst); }
  onReceive(fn: (d: VrrpDatagram) => void): void { this.fn = fn; }
  receive(d: VrrpDatagram): void { if (!this.closed) this.fn?.(d); }

  drain(): VrrpDatagram[] {
    const out: VrrpDatagram[] = [];
    for (const d of this.shared.sock.drain()) this.shared.dispatch(d, this, out);
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }
}

export class AhVrrpTransports implements VrrpTransportFactory {
  private shared = new Map<string, AhSocket>();

  constructor(private ifindexOf: (ifname: string) => number | undefined, private log: Logger) {}

  open(o: VrrpTransportOptions): VrrpTransport {
    if (o.family !== 4 || !o.src) throw new Error('VRRP with AH authentication needs IPv4 and a source address');
    const key = `${o.ifname}|${o.group ? 'mc' : formatIP(o.src)}`;
    let s = this.shared.get(key);
    if (!s) { s = new AhSocket(this.openSocket(o), this.log); this.shared.set(key, s); }
    if (s.byVrid.has(o.vrid)) throw new Error(`VRID ${o.vrid} is already in use on ${o.ifname} with AH`);
    if (o.group && !s.groups.has(formatIP(o.group))) { s.sock.joinGroup(o.group, this.ifindexOf(o.ifname) ?? 0); s.groups.add(formatIP(o.group)); }
    const sh = s;
    const t = new AhTransport(s, () => {
      sh.byVrid.delete(o.vrid);
      if (sh.byVrid.size === 0) { sh.sock.close(); this.shared.delete(key); }
    });
    s.byVrid.set(o.vrid, t);
    return t;
  }

  private openSocket(o: VrrpTransportOptions): RawSocket {
    const sock = RawSocket.open({ family: 4, protocol: IPPROTO_AH, headerIncluded: true });
    try {
      const ifindex = this.ifindexOf(o.ifname);
      if (ifindex === undefined) throw new Error(`no such interface ${o.ifname}`);
      sock.bindToDevice(o.ifname);
      // TTL and TOS are in our own header; these only matter for the routing of multicast.
      sock.setMulticastLoop(false);
      if (o.group) sock.setMulticastInterface(ifindex, o.src);
      // Unicast: only packets sent to our source are read.
      else if (!isMulticast(o.src!)) sock.bind(o.src!);
    } catch (e) { sock.close(); throw e; }
    return sock;
  }

  /** Protocol-51 packets no instance here wanted. */
  unknownDrops(): number { let n = 0; for (const s of this.shared.values()) n += s.unknown; return n; }

  close(): void { for (const s of this.shared.values()) s.sock.close(); this.shared.clear(); }
}

/** The daemon's one factory: AH instances get protocol-51 sockets, all others protocol 112. */
export function transportsByAuth(plain: VrrpTransportFactory & { close(): void }, ah: AhVrrpTransports): VrrpTransportFactory & { close(): void } {
  return {
    open: (o) => (o.ah ? ah.open(o) : plain.open(o)),
    close: () => { ah.close(); plain.close(); },
  };
}
