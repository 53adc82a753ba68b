// Sends and receives VRRP messages (IP protocol 112) on one interface for one address family.
// The kernel builds the IP header; the port carries the VRRP payload plus the facts validation
// needs from the IP layer (source, destination, TTL or hop limit).
export interface VrrpDatagram {
  /** The VRRP message, without the IP header. */
  payload: Uint8Array;
  /** Source and destination address bytes (4 or 16). */
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit; -1 when the socket could not report it. */
  ttl: number;
}

export interface VrrpTransport {
  /** Sends one VRRP message to dst (the multicast group or a unicast peer) with TTL 255. */
  send(payload: Uint8Array, dst: Uint8Array): void;
  /** Registers the receive callback; datagrams arrive one by one as the event loop sees them. */
  onReceive(fn: (d: VrrpDatagram) => void): void;
  /** Returns datagrams already queued in the socket without waiting (RFC 5798 §6.4.2 timing). */
  drain(): VrrpDatagram[];
  close(): void;
}

export interface VrrpTransportOptions {
  ifname: string;
  family: 4 | 6;
  /** Source address for sends (unicast_src_ip, or the interface primary / link-local). */
  src?: Uint8Array;
  /** The VRID this transport serves: a shared socket hands each instance only its own packets. */
  vrid: number;
  /** The multicast group to join (vrrp_mcast_group4/6); undefined in unicast mode. */
  group?: Uint8Array;
}

/** Opens transports; several instances on one interface share the real socket underneath. */
export interface VrrpTransportFactory {
  open(opts: VrrpTransportOptions): VrrpTransport;
}
