// IPv6 neighbour advertisement (RFC 4861 §4.4) and the unsolicited NA a new VRRP master sends
// (RFC 5798 §6.4.2, RFC 4861 §7.2.6): to ff02::1, Override set, target link-layer address option,
// hop limit 255. Pure; the ICMPv6 checksum covers the IPv6 pseudo-header (RFC 8200 §8.1).
import { internetChecksum } from '../lib/bytes.js';
import { ETHERTYPE, decodeEthernet, encodeEthernet, ipv6MulticastMac, type Decoded } from './ethernet.js';

export const ICMP6_NEIGHBOR_ADVERT = 136;
export const NA_FLAG = { ROUTER: 0x80, SOLICITED: 0x40, OVERRIDE: 0x20 } as const;
const OPT_TARGET_LLADDR = 2;
const NEXT_HEADER_ICMPV6 = 58;
export const ALL_NODES = Uint8Array.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

export interface NeighborAdvert {
  target: Uint8Array;
  router: boolean;
  solicited: boolean;
  override: boolean;
  /** Target link-layer address option, when present. */
  targetMac?: Uint8Array;
}

export interface IPv6Header { src: Uint8Array; dst: Uint8Array; nextHeader: number; hopLimit: number; payloadLength: number }

export function encodeIPv6Header(h: IPv6Header): Buffer {
  if (h.src.length !== 16 || h.dst.length !== 16) throw new Error('IPv6 header: addresses are 16 bytes');
  const b = Buffer.alloc(40);
  b.writeUInt32BE(0x60000000, 0);
  b.writeUInt16BE(h.payloadLength, 4);
  b[6] = h.nextHeader;
  b[7] = h.hopLimit;
  b.set(h.src, 8);
  b.set(h.dst, 24);
  return b;
}

export function decodeIPv6Header(b: Uint8Array): Decoded<IPv6Header & { payload: Uint8Array }> {
  if (b.length < 40) return { ok: false, reason: 'short-ipv6' };
  if (b[0]! >> 4 !== 6) return { ok: false, reason: 'not-ipv6' };
  const payloadLength = (b[4]! << 8) | b[5]!;
  if (40 + payloadLength > b.length) return { ok: false, reason: 'truncated-ipv6' };
  return {
    ok: true,
    value: { payloadLength, nextHeader: b[6]!, hopLimit: b[7]!, src: b.subarray(8, 24), dst: b.subarray(24, 40), payload: b.subarray(40, 40 + payloadLength) },
  };
}

/** ICMPv6 checksum over the pseudo-header (src, dst, length, next header 58) and the message. */
export function icmpv6Checksum(src: Uint8Array, dst: Uint8Array, icmp: Uint8Array): number {
  const pseudo = Buffer.alloc(8);
  pseudo.writeUInt32BE(icmp.length, 0);
  pseudo[7] = NEXT_HEADER_ICMPV6;
  return internetChecksum(src, dst, pseudo, icmp);
}

/** The ICMPv6 message, checksum filled in for the given addresses. */
export function encodeNeighborAdvert(na: NeighborAdvert, src: Uint8Array, dst: Uint8Array): Buffer {
  // Fixed offsets: a wrong-sized field would silently overwrite its neighbour or be cut short.
  if (na.target.length !== 16) throw new Error('neighbour advertisement: the target is an IPv6 address (16 bytes)');
  if (na.targetMac && na.targetMac.length !== 6) throw new Error('neighbour advertisement: the link-layer address is 6 bytes');
  const b = Buffer.alloc(24 + (na.targetMac ? 8 : 0));
  b[0] = ICMP6_NEIGHBOR_ADVERT;
  b[4] = (na.router ? NA_FLAG.ROUTER : 0) | (na.solicited ? NA_FLAG.SOLICITED : 0) | (na.override ? NA_FLAG.OVERRIDE : 0);
  b.set(na.target, 8);
  if (na.targetMac) {
    b[24] = OPT_TARGET_LLADDR;
    b[25] = 1; // option length in units of 8 bytes
    b.set(na.targetMac, 26);
  }
  b.writeUInt16BE(icmpv6Checksum(src, dst, b), 2);
  return b;
}

export function decodeNeighborAdvert(icmp: Uint8Array, src: Uint8Array, dst: Uint8Array): Decoded<NeighborAdvert> {
  if (icmp.length < 24) return { ok: false, reason: 'short-na' };
  if (icmp[0] !== ICMP6_NEIGHBOR_ADVERT || icmp[1] !== 0) return { ok: false, reason: 'not-na' };
  if (icmpv6Checksum(src, dst, icmp) !== 0) return { ok: false, reason: 'bad-checksum' };
  const f = icmp[4]!;
  const na: NeighborAdvert = {
    target: Uint8Array.from(icmp.subarray(8, 24)), router: (f & NA_FLAG.ROUTER) !== 0, solicited: (f & NA_FLAG.SOLICITED) !== 0, override: (f & NA_FLAG.OVERRIDE) !== 0,
  };
  for (let pos = 24; pos + 2 <= icmp.length;) {
    const len = icmp[pos + 1]! * 8;
    if (len === 0 || pos + len > icmp.length) return { ok: false, reason: 'bad-option' };
    if (icmp[pos] === OPT_TARGET_LLADDR && len >= 8) na.targetMac = Uint8Array.from(icmp.subarray(pos + 2, pos + 8));
    pos += len;
  }
  return { ok: true, value: na };
}

/**
 * The unsolicited NA frame keepalived sends for a VIP: from the VIP to ff02::1 (Ethernet
 * 33:33:00:00:00:01), hop limit 255 (RFC 4861 §7.1.2), Override set, Solicited clear, the
 * interface MAC as target link-layer address.
 */
export function unsolicitedNaFrame(vip: Uint8Array, mac: Uint8Array, opts: { router?: boolean } = {}): Buffer {
  if (vip.length !== 16) throw new Error('neighbour advertisement: the VIP must be IPv6');
  const icmp = encodeNeighborAdvert({ target: vip, router: opts.router ?? false, solicited: false, override: true, targetMac: mac }, vip, ALL_NODES);
  const ip = encodeIPv6Header({ src: vip, dst: ALL_NODES, nextHeader: NEXT_HEADER_ICMPV6, hopLimit: 255, payloadLength: icmp.length });
  return encodeEthernet({ dst: ipv6MulticastMac(ALL_NODES), src: mac, ethertype: ETHERTYPE.IPV6, payload: Buffer.concat([ip, icmp]) });
}

/** Decodes a whole Ethernet frame carrying an NA (checksum verified). */
export function decodeNaFrame(frame: Uint8Array): Decoded<NeighborAdvert & { src: Uint8Array; dst: Uint8Array; hopLimit: number }> {
  const eth = decodeEthernet(frame);
  if (!eth.ok) return eth;
  if (eth.value.ethertype !== ETHERTYPE.IPV6) return { ok: false, reason: 'not-ipv6' };
  const ip = decodeIPv6Header(eth.value.payload);
  if (!ip.ok) return ip;
  if (ip.value.nextHeader !== NEXT_HEADER_ICMPV6) return { ok: false, reason: 'not-icmpv6' };
  const na = decodeNeighborAdvert(ip.value.payload, ip.value.src, ip.value.dst);
  if (!na.ok) return na;
  return { ok: true, value: { ...na.value, src: Uint8Array.from(ip.value.src), dst: Uint8Array.from(ip.value.dst), hopLimit: ip.value.hopLimit } };
}
