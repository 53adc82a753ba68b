// Ethernet II framing (IEEE 802.3 with an ethertype): 6-byte destination and source MACs, a
// 2-byte ethertype, then the payload. Pure. Decoders return a named reason instead of throwing.

export const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, IPV6: 0x86dd, VLAN: 0x8100 } as const;
export const BROADCAST_MAC = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const ETH_HEADER_LEN = 14;

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface EthernetFrame {
  dst: Uint8Array;
  src: Uint8Array;
  ethertype: number;
  payload: Uint8Array;
}

export function encodeEthernet(f: EthernetFrame): Buffer {
  if (f.dst.length !== 6 || f.src.length !== 6) throw new Error('ethernet: MAC addresses are 6 bytes');
  const out = Buffer.alloc(ETH_HEADER_LEN + f.payload.length);
  out.set(f.dst, 0);
  out.set(f.src, 6);
  out.writeUInt16BE(f.ethertype, 12);
  out.set(f.payload, ETH_HEADER_LEN);
  return out;
}

export function decodeEthernet(b: Uint8Array): Decoded<EthernetFrame> {
  if (b.length < ETH_HEADER_LEN) return { ok: false, reason: 'short-frame' };
  const ethertype = (b[12]! << 8) | b[13]!;
  if (ethertype < 0x0600) return { ok: false, reason: 'not-ethernet-ii' };
  return { ok: true, value: { dst: b.subarray(0, 6), src: b.subarray(6, 12), ethertype, payload: b.subarray(ETH_HEADER_LEN) } };
}

/** RFC 2464 §7: IPv6 multicast maps to 33:33 followed by the group's last four bytes. */
export function ipv6MulticastMac(group: Uint8Array): Uint8Array {
  return Uint8Array.from([0x33, 0x33, group[12]!, group[13]!, group[14]!, group[15]!]);
}

/** RFC 1112 §6.4: IPv4 multicast maps to 01:00:5e followed by the group's low 23 bits. */
export function ipv4MulticastMac(group: Uint8Array): Uint8Array {
  return Uint8Array.from([0x01, 0x00, 0x5e, group[1]! & 0x7f, group[2]!, group[3]!]);
}
