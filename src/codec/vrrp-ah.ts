// VRRPv2 with IPsec AH authentication (auth type 2), pure: the whole IPv4 packet as keepalived
// builds it, and the check of a received one. RFC 2338 §5.3.6.3 puts an AH header (RFC 2402)
// between the IPv4 header and the VRRP message, authenticated with HMAC-MD5-96 (RFC 2403);
// RFC 3768 later dropped it, but keepalived still speaks it, so a mixed pair needs it byte for byte.
//
//   IPv4 header (protocol 51) | AH: next header 112, payload len 4, reserved, SPI, sequence,
//   12-byte ICV | VRRPv2 message (auth type 2, its 8 auth bytes left zero)
//
// No SA negotiation takes place (multicast has no peer to agree an SPI with): keepalived's
// conventions, which this module follows rather than RFC 2402's, are
// - key: the auth_pass string NUL padded / truncated to 8 bytes, exactly the PASS auth data;
// - SPI: the sender's IPv4 source address; a receiver refuses any other;
// - ICV input: the IPv4 header with TOS, flags/fragment offset and header checksum zeroed, and the
//   TTL zeroed only when unicast peers are configured (with multicast it stays in: it must be 255
//   anyway), the identification and options NOT zeroed (RFC 2402 §3.3.3.1.1.1 would zero mutable
//   options) | the AH header with its ICV zeroed | the VRRP message;
// - sequence number: one counter per instance shared by sending and receiving (ahSeq* below).

import { requireFrom } from '../lib/require-from.js';
import { internetChecksum } from '../lib/bytes.js';
import { IPPROTO_VRRP, passAuthData } from './vrrp.js';

// node:crypto (17 internal modules, ~2 MiB of a daemon's RSS) is loaded on the first AH packet:
// most daemons never use AH.
type Crypto = typeof import('node:crypto');
let cryptoLib: Crypto | undefined;
const crypto = (): Crypto => (cryptoLib ??= requireFrom(() => import.meta.url)('node:crypto') as Crypto);

export const IPPROTO_AH = 51;
/** VRRPv2 Auth Type for IP Authentication Header (RFC 2338 §5.3.6). */
export const VRRP_AUTH_AH = 2;
export const IPV4_HEADER_LEN = 20;
/** Fixed AH part (next header, payload len, reserved, SPI, sequence) + 96-bit ICV. */
export const AH_HEADER_LEN = 24;
export const AH_ICV_LEN = 12;
/** RFC 2402 §2.2: AH length in 32-bit words minus 2: (12 + 12) / 4 - 2. */
export const AH_PAYLOAD_LEN = 4;
/** keepalived's IPv4 TOS for adverts: internetwork control (precedence 6). */
export const VRRP_AH_TOS = 0xc0;
/** The highest sequence number keepalived sends; past it the counter is "cycled" and stays put. */
export const AH_SEQ_LAST = 0xfffffffe;

/** The HMAC-MD5 key keepalived derives from auth_pass: the same 8 NUL-padded bytes as PASS. */
export function ahKey(authPass: string): Uint8Array {
  return passAuthData(authPass);
}

/** The SPI keepalived uses: the IPv4 source address read as a big-endian u32. */
export function ahSpi(src: Uint8Array): number {
  return ((src[0]! << 24) | (src[1]! << 16) | (src[2]! << 8) | src[3]!) >>> 0;
}

export interface AhHeader {
  nextHeader: number;
  payloadLen: number;
  reserved: number;
  spi: number;
  seq: number;
  icv: Uint8Array;
}

export interface VrrpAhEncodeInput {
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 identification. keepalived counts its own from 1 and skips 0 (0 lets the kernel pick). */
  id: number;
  seq: number;
  /** The VRRPv2 message (encodeVrrp with authType VRRP_AUTH_AH, auth data zero). */
  vrrp: Uint8Array;
  key: Uint8Array;
  /** keepalived zeroes the TTL in the ICV input only when it has unicast peers. */
  zeroTtl: boolean;
  ttl?: number;
  tos?: number;
}

/**
 * The whole IPv4 packet as keepalived hands it to its IP_HDRINCL socket: header checksum 0 (the
 * kernel always fills it in for IP_HDRINCL, raw(7); use withIpv4Checksum for the wire form).
 */
export function encodeVrrpAh(input: VrrpAhEncodeInput): Buffer {
  if (input.src.length !== 4 || input.dst.length !== 4) throw new RangeError('VRRP AH is IPv4 only');
  fits(input.id, 0xffff, 'IPv4 id');
  fits(input.seq, 0xffffffff, 'AH sequence number');
  const total = IPV4_HEADER_LEN + AH_HEADER_LEN + input.vrrp.length;
  const pkt = Buffer.alloc(total);
  pkt[0] = 0x45;
  pkt[1] = input.tos ?? VRRP_AH_TOS;
  pkt.writeUInt16BE(total, 2);
  pkt.writeUInt16BE(input.id, 4);
  // flags/fragment 0: keepalived sets no DF, and the kernel keeps it so for IP_HDRINCL.
  pkt[8] = input.ttl ?? 255;
  pkt[9] = IPPROTO_AH;
  pkt.set(input.src, 12);
  pkt.set(input.dst, 16);
  const ah = IPV4_HEADER_LEN;
  pkt[ah] = IPPROTO_VRRP;
  pkt[ah + 1] = AH_PAYLOAD_LEN;
  pkt.writeUInt32BE(ahSpi(input.src), ah + 4);
  pkt.writeUInt32BE(input.seq, ah + 8);
  pkt.set(input.vrrp, ah + AH_HEADER_LEN);
  pkt.set(ahIcv(pkt, IPV4_HEADER_LEN, input.key, input.zeroTtl), ah + 12);
  return pkt;
}

/** A copy of an IPv4 packet with its header checksum computed (as the kernel sends it). */
export function withIpv4Checksum(pkt: Uint8Array): Buffer {
  const out = Buffer.from(pkt);
  const ihl = (out[0]! & 0xf) * 4;
  out.writeUInt16BE(0, 10);
  out.writeUInt16BE(internetChecksum(out.subarray(0, ihl)), 10);
  return out;
}

/**
 * The 96-bit ICV of an IPv4 packet whose AH header starts at `ihl` (the ICV field in `pkt` is
 * ignored: it is zeroed in a copy). RFC 2402 §3.3.3.1 with keepalived's choice of mutable fields.
 */
export function ahIcv(pkt: Uint8Array, ihl: number, key: Uint8Array, zeroTtl: boolean): Uint8Array {
  const head = Buffer.from(pkt.subarray(0, ihl + AH_HEADER_LEN));
  head[1] = 0; // TOS
  head.writeUInt16BE(0, 6); // flags + fragment offset
  head.writeUInt16BE(0, 10); // header checksum
  if (zeroTtl) head[8] = 0;
  head.fill(0, ihl + 12, ihl + AH_HEADER_LEN); // the ICV itself
  // HMAC-MD5 per RFC 2104 / RFC 2403 §2, truncated to its first 96 bits (RFC 2403 §3).
  const mac = crypto().createHmac('md5', key).update(head).update(pkt.subarray(ihl + AH_HEADER_LEN)).digest();
  return new Uint8Array(mac.subarray(0, AH_ICV_LEN));
}

export type VrrpAhError =
  | 'bad-length' // not a complete IPv4 + AH + VRRP header packet
  | 'not-ah' // not IPv4 protocol 51
  | 'not-vrrp' // AH for another protocol: keepalived ignores it without counting an error
  | 'bad-icv' // wrong password, or a field changed in flight
  | 'bad-spi'; // SPI is not the source address

export interface VrrpAhPacket {
  src: Uint8Array;
  dst: Uint8Array;
  tos: number;
  id: number;
  ttl: number;
  ah: AhHeader;
  /** The VRRP message (the AH payload), for decodeVrrp / validateAdvert. */
  vrrp: Uint8Array;
}

export type VrrpAhResult = { ok: true; packet: VrrpAhPacket } | { ok: false; reason: VrrpAhError };

/** Splits an IPv4 packet into its AH header and VRRP message without checking the ICV. */
export function decodeVrrpAh(pkt: Uint8Array): VrrpAhResult {
  if (pkt.length < IPV4_HEADER_LEN || pkt[0]! >> 4 !== 4) return { ok: false, reason: 'bad-length' };
  const ihl = (pkt[0]! & 0xf) * 4;
  const total = (pkt[2]! << 8) | pkt[3]!;
  if (ihl < IPV4_HEADER_LEN || total > pkt.length || total < ihl + AH_HEADER_LEN + 8) return { ok: false, reason: 'bad-length' };
  if (pkt[9] !== IPPROTO_AH) return { ok: false, reason: 'not-ah' };
  const b = Buffer.from(pkt.buffer, pkt.byteOffset, total);
  // keepalived assumes the 24-byte AH of HMAC-MD5-96; any other length is not one of its packets.
  if (b[ihl + 1] !== AH_PAYLOAD_LEN) return { ok: false, reason: 'bad-length' };
  if (b[ihl] !== IPPROTO_VRRP) return { ok: false, reason: 'not-vrrp' };
  const ah: AhHeader = {
    nextHeader: b[ihl]!, payloadLen: b[ihl + 1]!, reserved: b.readUInt16BE(ihl + 2),
    spi: b.readUInt32BE(ihl + 4), seq: b.readUInt32BE(ihl + 8),
    icv: new Uint8Array(b.subarray(ihl + 12, ihl + AH_HEADER_LEN)),
  };
  return {
    ok: true,
    packet: {
      src: new Uint8Array(b.subarray(12, 16)), dst: new Uint8Array(b.subarray(16, 20)),
      tos: b[1]!, id: b.readUInt16BE(4), ttl: b[8]!, ah,
      vrrp: b.subarray(ihl + AH_HEADER_LEN, total),
    },
  };
}

/**
 * Checks a received IPv4 packet as keepalived does: ICV first (until it matches no field can be
 * trusted), then SPI = source address. The sequence number is the caller's (ahSeqReceive), after
 * this succeeds. `zeroTtl` must be the receiver's own rule: true when it has unicast peers.
 */
export function verifyVrrpAh(pkt: Uint8Array, key: Uint8Array, zeroTtl: boolean): VrrpAhResult {
  const d = decodeVrrpAh(pkt);
  if (!d.ok) return d;
  const ihl = (pkt[0]! & 0xf) * 4;
  const total = (pkt[2]! << 8) | pkt[3]!;
  const want = ahIcv(pkt.subarray(0, total), ihl, key, zeroTtl);
  if (!crypto().timingSafeEqual(want, d.packet.ah.icv)) return { ok: false, reason: 'bad-icv' };
  if (d.packet.ah.spi !== ahSpi(d.packet.src)) return { ok: false, reason: 'bad-spi' };
  return d;
}

// Sequence numbers (RFC 2402 §3.3.2 / §3.4.3 describe a per-SA anti-replay window; keepalived
// keeps instead one counter per VRRP instance, the same for sending and receiving):
// - send: the counter is incremented before each advertisement and sent, so the first is 1; once it
//   has reached AH_SEQ_LAST it is "cycled" and that value is sent again (no wrap to 0);
// - receive: a packet whose ICV and SPI are good is accepted only if its number is greater than
//   the counter, which then takes that number. A backup thus carries the master's count, and
//   its own adverts continue the sequence when it takes over: that is why keepalived refuses
//   `state MASTER` with AH (a fresh counter at 1 would be dropped as a replay by everyone).
// - becoming master: a cycled counter restarts at 0.
// A restarted daemon starts from 0 and hears the current master's numbers, so it catches up.

export interface AhSeqCounter {
  seq: number;
  cycled: boolean;
}

export const AH_SEQ_INITIAL: AhSeqCounter = Object.freeze({ seq: 0, cycled: false });

/** The sequence number for the next advertisement and the counter after it. */
export function ahSeqSend(c: AhSeqCounter): { seq: number; counter: AhSeqCounter } {
  if (c.seq >= AH_SEQ_LAST) return { seq: c.seq, counter: { seq: c.seq, cycled: true } };
  const seq = c.seq + 1;
  return { seq, counter: { seq, cycled: c.cycled } };
}

/** Whether a verified packet's number is new; the counter follows it when it is. */
export function ahSeqReceive(c: AhSeqCounter, seq: number): { accept: boolean; counter: AhSeqCounter } {
  if (seq > c.seq) return { accept: true, counter: { seq, cycled: c.cycled } };
  return { accept: false, counter: c };
}

/** On the transition to MASTER: a cycled counter starts again. */
export function ahSeqBecomeMaster(c: AhSeqCounter): AhSeqCounter {
  return c.cycled ? { seq: 0, cycled: false } : c;
}

function fits(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} must be 0-${max}: ${v}`);
}
