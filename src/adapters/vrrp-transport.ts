// VRRP transport over raw IP sockets (protocol 112). One socket per interface, family and source
// is shared by the instances on it; received packets are handed to the instance of their VRID, so
// 50 instances cost one socket read per packet, not 50. drain() empties the whole socket and
// hands other instances their packets on the way.
import { formatIP, isMulticast } from '../lib/ip.js';
import { RawSocket, type Datagram } from '../net/raw-socket.js';
import type { Logger } from '../ports/logger.js';
import type { VrrpDatagram, VrrpTransport, VrrpTransportFactory, VrrpTransportOptions } from '../ports/vrrp-transport.js';

const IPPROTO_VRRP = 112;
const TOS_INTERNETWORK_CONTROL = 0xc0;

class SharedSocket {
  readonly byVrid = new Map<number, RawTransport>();
  readonly groups = new Set<string>();
  unknownVrid = 0;

  constructor(readonly sock: RawSocket, readonly family: 4 | 6, log: Logger) {
    sock.onMessage((d) => this.dispatch(d), (e) => log.warn({ err: e.message }, 'VRRP socket receive error'));
  }

  toDatagram(d: Datagram, fallbackDst: Uint8Array): VrrpDatagram {
    return { payload: d.data, src: d.src, dst: d.dst ?? fallbackDst, ttl: d.ttl ?? -1 };
  }

  /** Returns true when the datagram was for `self`. */
  dispatch(d: Datagram, self?: RawTransport, out?: VrrpDatagram[]): void {
    const vrid = d.data.length >= 2 ? d.data[1]! : -1;
    const t = this.byVrid.get(vrid);
    if (!t) { this.unknownVrid++; return; }
    const vd = this.toDatagram(d, t.defaultDst);
    if (t === self && out) out.push(vd); else t.receive(vd);
  }
}

class RawTransport implements VrrpTransport {
  private fn: ((d: VrrpDatagram) => void) | undefined;
  closed = false;

  constructor(private shared: SharedSocket, readonly vrid: number, readonly defaultDst: Uint8Array, private release: () => void) {}

  send(payload: Uint8Array, dst: Uint8Array): void { this.shared.sock.send(payload, dst); }
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

export class RawVrrpTransports implements VrrpTransportFactory {
  private shared = new Map<string, SharedSocket>();

  constructor(private ifindexOf: (ifname: string) => number | undefined, private log: Logger) {}

  open(o: VrrpTransportOptions): VrrpTransport {
    const key = `${o.ifname}|${o.family}|${o.group ? 'mc' : formatIP(o.src!)}`;
    let s = this.shared.get(key);
    if (!s) { s = this.openShared(o); this.shared.set(key, s); }
    if (s.byVrid.has(o.vrid)) throw new Error(`VRID ${o.vrid} is already in use on ${o.ifname} (IPv${o.family})`);
    const ifindex = this.ifindexOf(o.ifname) ?? 0;
    if (o.group && !s.groups.has(formatIP(o.group))) { s.sock.joinGroup(o.group, ifindex); s.groups.add(formatIP(o.group)); }
    const sh = s;
    const t = new RawTransport(s, o.vrid, o.group ?? o.src ?? new Uint8Array(o.family === 4 ? 4 : 16), () => {
      sh.byVrid.delete(o.vrid);
      if (sh.byVrid.size === 0) { sh.sock.close(); this.shared.delete(key); }
    });
    s.byVrid.set(o.vrid, t);
    return t;
  }

  private openShared(o: VrrpTransportOptions): SharedSocket {
    const sock = RawSocket.open({ family: o.family, protocol: IPPROTO_VRRP });
    try {
      const ifindex = this.ifindexOf(o.ifname);
      if (ifindex === undefined) throw new Error(`no such interface ${o.ifname}`);
      sock.bindToDevice(o.ifname);
      sock.setTtl(255); // RFC 5798 §5.1.1.3 / RFC 3768 §5.2.3: TTL 255
      sock.setMulticastLoop(false);
      sock.setTos(TOS_INTERNETWORK_CONTROL);
      if (o.group) sock.setMulticastInterface(ifindex, o.family === 4 ? o.src : undefined);
      // Unicast: bind to the source so sends use it and only packets sent to it are read.
      else if (o.src && !isMulticast(o.src)) sock.bind(o.src, o.family === 6 ? ifindex : 0);
    } catch (e) { sock.close(); throw e; }
    return new SharedSocket(sock, o.family, this.log);
  }

  close(): void { for (const s of this.shared.values()) s.sock.close(); this.shared.clear(); }
}
