// ARP for IPv4 over Ethernet (RFC 826) and the gratuitous ARP a new VRRP master sends
// (RFC 5798 §6.4.2 / RFC 5227 §3): a broadcast request whose sender and target IP are both the VIP.
import { BROADCAST_MAC, ETHERTYPE, decodeEthernet, encodeEthernet, type Decoded } from './ethernet.js';

export const ARP_OP = { REQUEST: 1, REPLY: 2 } as const;
const HTYPE_ETHER = 1;
export const ARP_LEN = 28;

export interface ArpPacket {
  op: number;
  senderMac: Uint8Array;
  senderIp: Uint8Array;
  targetMac: Uint8Array;
  targetIp: Uint8Array;
}

export function encodeArp(p: ArpPacket): Buffer {
  // Fixed offsets: a wrong-sized field would silently overwrite its neighbour.
  if (p.senderMac.length !== 6 || p.targetMac.length !== 6) throw new Error('ARP: MAC addresses are 6 bytes');
  if (p.senderIp.length !== 4 || p.targetIp.length !== 4) throw new Error('ARP: IPv4 addresses are 4 bytes');
  const b = Buffer.alloc(ARP_LEN);
  b.writeUInt16BE(HTYPE_ETHER, 0);
  b.writeUInt16BE(ETHERTYPE.IPV4, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(p.op, 6);
  b.set(p.senderMac, 8);
  b.set(p.senderIp, 14);
  b.set(p.targetMac, 18);
  b.set(p.targetIp, 24);
  return b;
}

/** Plain Uint8Array copies, so decoded values never alias (or are Buffers of) the input. */
const copy = (b: Uint8Array, from: number, to: number): Uint8Array => Uint8Array.from(b.subarray(from, to));

export function decodeArp(b: Uint8Array): Decoded<ArpPacket> {
  if (b.length < ARP_LEN) return { ok: false, reason: 'short-arp' };
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint16(0) !== HTYPE_ETHER || v.getUint16(2) !== ETHERTYPE.IPV4 || b[4] !== 6 || b[5] !== 4) {
    return { ok: false, reason: 'not-ethernet-ipv4-arp' };
  }
  return {
    ok: true,
    value: {
      op: v.getUint16(6), senderMac: copy(b, 8, 14), senderIp: copy(b, 14, 18), targetMac: copy(b, 18, 24), targetIp: copy(b, 24, 28),
    },
  };
}

/**
 * The gratuitous ARP frame as keepalived sends it: Ethernet broadcast, ARP request, sender MAC the
 * interface's, sender and target IP the VIP, target MAC all-ones.
 */
export function gratuitousArpFrame(vip: Uint8Array, mac: Uint8Array): Buffer {
  if (vip.length !== 4) throw new Error('gratuitous ARP: the VIP must be IPv4');
  const arp = encodeArp({ op: ARP_OP.REQUEST, senderMac: mac, senderIp: vip, targetMac: BROADCAST_MAC, targetIp: vip });
  return encodeEthernet({ dst: BROADCAST_MAC, src: mac, ethertype: ETHERTYPE.ARP, payload: arp });
}

/** Decodes a whole Ethernet frame carrying ARP. */
export function decodeArpFrame(frame: Uint8Array): Decoded<ArpPacket & { ethSrc: Uint8Array; ethDst: Uint8Array }> {
  const eth = decodeEthernet(frame);
  if (!eth.ok) return eth;
  if (eth.value.ethertype !== ETHERTYPE.ARP) return { ok: false, reason: 'not-arp' };
  const arp = decodeArp(eth.value.payload);
  if (!arp.ok) return arp;
  return { ok: true, value: { ...arp.value, ethSrc: Uint8Array.from(eth.value.src), ethDst: Uint8Array.from(eth.value.dst) } };
}

export function isGratuitous(p: ArpPacket): boolean {
  return p.senderIp.every((x, i) => x === p.targetIp[i]);
}
