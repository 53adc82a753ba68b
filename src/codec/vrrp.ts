// VRRP advertisement codec, pure: the VRRP message only (the IP payload), no IP header.
//
// VRRPv2 (RFC 3768 §5.1): ver|type, VRID, priority, count, auth type, Adver Int (seconds),
//   checksum, IPv4 addresses, 8 bytes of authentication data (always present on the wire).
// VRRPv3 (RFC 5798 §5.1): ver|type, VRID, priority, count, 4 reserved bits + 12-bit Max Adver Int
//   (centiseconds), checksum, IPv4 or IPv6 addresses; no authentication data.
// Checksum: v2 over the VRRP message. v3 adds the IP pseudo-header (RFC 5798 §5.2.8) for IPv6 and,
// as keepalived does by default, for IPv4 as well; 'plain' is keepalived's v3_checksum_as_v2
// (the form RFC 9568 routers use) and applies to IPv4 only (IPv6 always uses the pseudo-header).

import { ByteReader, ByteWriter } from '../lib/bytes.js';

export const IPPROTO_VRRP = 112;
export const VRRP_TYPE_ADVERTISEMENT = 1;
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_PASS = 1;
export const VRRP_AUTH_DATA_LEN = 8;
export const VRRP_HEADER_LEN = 8;
export const VRRP_MCAST_V4 = Uint8Array.of(224, 0, 0, 18);
export const VRRP_MCAST_V6 = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12);

export type VrrpVersion = 2 | 3;
export type IpFamily = 4 | 6;
export type ChecksumMode = 'pseudo-header' | 'plain';

export interface VrrpAdvert {
  version: VrrpVersion;
  /** 1 = ADVERTISEMENT; decode keeps other values so validation can name them. */
  type: number;
  vrid: number;
  priority: number;
  /** Wire units: v2 Adver Int in seconds (8 bits), v3 Max Adver Int in centiseconds (12 bits). */
  interval: number;
  /** IPv4 (4 bytes) or IPv6 (16 bytes) addresses. */
  addresses: Uint8Array[];
  /** v2 only (0 none, 1 PASS); 0 for v3. */
  authType: number;
  /** v2 only: the 8 authentication bytes; empty for v3. */
  authData: Uint8Array;
  /** v3 only: the 4 reserved bits (must be 0 on send, ignored on receive). */
  reserved: number;
  /** Checksum as found on the wire (decode) — encode always computes it. */
  checksum: number;
}

/** What the pseudo-header needs: the IP source and destination of the packet. */
export interface ChecksumContext {
  src: Uint8Array;
  dst: Uint8Array;
  mode: ChecksumMode;
}

export type VrrpDecodeError = 'bad-length' | 'bad-version' | 'bad-family';
export type VrrpDecodeResult = { ok: true; advert: VrrpAdvert } | { ok: false; reason: VrrpDecodeError };

/** The advertisement interval in centiseconds, whatever the version. */
export function advertIntervalCs(adv: Pick<VrrpAdvert, 'version' | 'interval'>): number {
  return adv.version === 2 ? adv.interval * 100 : adv.interval;
}

/** PASS authentication data: the password, NUL padded (or truncated) to 8 bytes (RFC 2338 §5.3.6.1). */
export function passAuthData(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_AUTH_DATA_LEN);
  out.set(Buffer.from(password, 'utf8').subarray(0, VRRP_AUTH_DATA_LEN));
  return out;
}

/** Expected message length for a version, address family and address count. */
export function vrrpLength(version: VrrpVersion, family: IpFamily, count: number): number {
  return VRRP_HEADER_LEN + count * (family === 4 ? 4 : 16) + (version === 2 ? VRRP_AUTH_DATA_LEN : 0);
}

/**
 * Checksum of a VRRP message whose checksum field is zero (or, on receive, as found: a correct
 * message then sums to 0). v2 never uses the pseudo-header.
 */
export function vrrpChecksum(msg: Uint8Array, version: VrrpVersion, ctx?: ChecksumContext): number {
  let sum = 0;
  if (version === 3 && ctx && !(ctx.src.length === 4 && ctx.mode === 'plain')) {
    // Pseudo-header words, summed in place rather than built (this runs for every packet).
    sum = sumWords(ctx.src, sumWords(ctx.dst, 0)) + IPPROTO_VRRP;
    sum += ctx.src.length === 4 ? msg.length : (msg.length >>> 16) + (msg.length & 0xffff);
  }
  sum = sumWords(msg, sum);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Adds the big-endian 16-bit words of b (odd tail padded with zero) to sum, unfolded. */
function sumWords(b: Uint8Array, sum: number): number {
  const n = b.length & ~1;
  for (let i = 0; i < n; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) sum += b[n]! << 8;
  return sum;
}

/** IPv4 (RFC 768 style) or IPv6 (RFC 8200 §8.1) pseudo-header for protocol 112. */
export function pseudoHeader(src: Uint8Array, dst: Uint8Array, length: number): Uint8Array {
  if (src.length === 4) {
    const w = new ByteWriter(12);
    return w.bytes(src).bytes(dst).u8(0).u8(IPPROTO_VRRP).u16(length).finish();
  }
  const w = new ByteWriter(40);
  return w.bytes(src).bytes(dst).u32(length).zeros(3).u8(IPPROTO_VRRP).finish();
}

/** Fields needed to encode; checksum is computed, type defaults to ADVERTISEMENT. */
export type VrrpAdvertInput = Omit<VrrpAdvert, 'checksum' | 'type' | 'reserved' | 'authType' | 'authData'> &
  Partial<Pick<VrrpAdvert, 'type' | 'reserved' | 'authType' | 'authData'>>;

/**
 * Encodes an advertisement. v3 needs `ctx` (src/dst) unless the mode is plain over IPv4; without
 * it the plain checksum is used. Throws RangeError on fields that do not fit the wire.
 */
export function encodeVrrp(adv: VrrpAdvertInput, ctx?: ChecksumContext): Buffer {
  checkFields(adv);
  const family: IpFamily = adv.addresses[0]?.length === 16 ? 6 : 4;
  const msg = Buffer.alloc(vrrpLength(adv.version, family, adv.addresses.length));
  msg[0] = (adv.version << 4) | ((adv.type ?? VRRP_TYPE_ADVERTISEMENT) & 0xf);
  msg[1] = adv.vrid;
  msg[2] = adv.priority;
  msg[3] = adv.addresses.length;
  if (adv.version === 2) { msg[4] = adv.authType ?? VRRP_AUTH_NONE; msg[5] = adv.interval; }
  else msg.writeUInt16BE((((adv.reserved ?? 0) & 0xf) << 12) | adv.interval, 4);
  let off = VRRP_HEADER_LEN;
  for (const a of adv.addresses) { msg.set(a, off); off += a.length; }
  if (adv.version === 2 && adv.authData) msg.set(adv.authData.subarray(0, VRRP_AUTH_DATA_LEN), off); // rest stays NUL
  msg.writeUInt16BE(vrrpChecksum(msg, adv.version, ctx), 6);
  return msg;
}

function checkFields(adv: VrrpAdvertInput): void {
  fits(adv.vrid, 0xff, 'vrid');
  fits(adv.priority, 0xff, 'priority');
  if (adv.version === 2) fits(adv.interval, 0xff, 'v2 advert interval (s)');
  else fits(adv.interval, 0xfff, 'v3 max advert interval (cs)');
  if (adv.addresses.length > 255) throw new RangeError('too many addresses');
  const alen = adv.version === 2 ? 4 : adv.addresses[0]?.length ?? 4;
  if (alen !== 4 && alen !== 16) throw new RangeError('addresses must be IPv4 or IPv6');
  for (const a of adv.addresses) if (a.length !== alen) throw new RangeError('addresses must all be IPv4 (v2/v3) or all IPv6 (v3)');
}

function fits(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} must be 0-${max}: ${v}`);
}

/**
 * Decodes a VRRP message (the IP payload). `family` is the IP version it arrived on, which
 * fixes the address size. Never throws: short or inconsistent input gives a named reason.
 * Bytes after the declared addresses (and v2 auth data) are ignored.
 */
export function decodeVrrp(msg: Uint8Array, family: IpFamily): VrrpDecodeResult {
  if (msg.length < VRRP_HEADER_LEN) return { ok: false, reason: 'bad-length' };
  const r = new ByteReader(msg);
  const vt = r.u8();
  const version = vt >> 4;
  if (version !== 2 && version !== 3) return { ok: false, reason: 'bad-version' };
  if (version === 2 && family !== 4) return { ok: false, reason: 'bad-family' };
  const vrid = r.u8();
  const priority = r.u8();
  const count = r.u8();
  let authType = 0, interval: number, reserved = 0;
  if (version === 2) { authType = r.u8(); interval = r.u8(); }
  else { const v = r.u16(); reserved = v >> 12; interval = v & 0xfff; }
  const checksum = r.u16();
  if (msg.length < vrrpLength(version, family, count)) return { ok: false, reason: 'bad-length' };
  const alen = family === 4 ? 4 : 16;
  const addresses: Uint8Array[] = [];
  // Copies into plain Uint8Arrays (Buffer#slice would alias), so the caller may reuse its buffer.
  for (let i = 0; i < count; i++) addresses.push(new Uint8Array(r.bytes(alen)));
  const authData = version === 2 ? new Uint8Array(r.bytes(VRRP_AUTH_DATA_LEN)) : new Uint8Array(0);
  return { ok: true, advert: { version, type: vt & 0xf, vrid, priority, interval, addresses, authType, authData, reserved, checksum } };
}
