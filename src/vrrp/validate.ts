// Receive validation of one VRRP packet for one instance, pure. The checks run in the order of
// RFC 3768 §7.1 / RFC 5798 §7.1 and each failure has a name the caller counts and drops by:
// length, TTL/hop limit (multicast only), version, type, VRID, checksum, auth (v2), advert
// interval (v2 only: a v3 backup adopts the master's), unicast peer (when asked), then the peer's
// TTL range (keepalived's unicast_peer min_ttl / max_ttl). VRRPv2 with IPsec AH (RFC 2338
// §5.3.6.3) is checked by validateAhAdvert: the AH header first, then all of the above.

import { bytesEqual } from '../lib/bytes.js';
import { addrEqual, isMulticast } from '../lib/ip.js';
import { ahSeqReceive, verifyVrrpAh, VRRP_AUTH_AH, type AhSeqCounter } from '../codec/vrrp-ah.js';
import {
  advertIntervalCs, decodeVrrp, passAuthData, vrrpChecksum, vrrpLength, VRRP_AUTH_NONE, VRRP_AUTH_PASS,
  VRRP_HEADER_LEN, VRRP_TYPE_ADVERTISEMENT, type ChecksumMode, type IpFamily, type VrrpAdvert, type VrrpVersion,
} from '../codec/vrrp.js';

export type DropReason =
  | 'bad-length'
  | 'bad-ttl'
  | 'bad-version'
  | 'bad-type'
  | 'vrid-mismatch'
  | 'bad-checksum'
  | 'auth-mismatch'
  | 'interval-mismatch'
  | 'unknown-peer';

/** Every reason, in check order (for counters initialised at zero). */
export const DROP_REASONS: readonly DropReason[] = [
  'bad-length', 'bad-ttl', 'bad-version', 'bad-type', 'vrid-mismatch', 'bad-checksum', 'auth-mismatch', 'interval-mismatch', 'unknown-peer',
];

/** `ah`: the packet is IPv4 + AH + VRRP (validateAhAdvert); the VRRP auth type must say so. */
export type ReceiveAuth = { type: 'none' } | { type: 'pass'; password: string } | { type: 'ah'; password: string };

/** A unicast peer's accepted TTL range (keepalived: min_ttl / max_ttl, both inclusive). */
export interface PeerTtl { addr: Uint8Array; minTtl: number; maxTtl: number }

export interface ReceiveConfig {
  version: VrrpVersion;
  family: IpFamily;
  vrid: number;
  /** v3 over IPv4: the checksum form to accept; 'either' accepts both (mixed fleets). */
  checksumMode: ChecksumMode | 'either';
  /** v2 only; ignored for v3. */
  auth: ReceiveAuth;
  /** Own advertisement interval in cs (v2 adverts must match it). */
  advertIntervalCs: number;
  /** When set, the packet's source must be one of these (unicast_peer with check_unicast_src). */
  allowedPeers?: readonly Uint8Array[];
  /** Unicast adverts from these peers must arrive with a TTL in range, else bad-ttl. */
  peerTtls?: readonly PeerTtl[];
  /** AH: the HMAC key input zeroes the TTL when the instance has unicast peers (keepalived). */
  ahZeroTtl?: boolean;
}

/** A packet as the socket layer delivers it: the VRRP message plus IP header facts. */
export interface ReceivedPacket {
  payload: Uint8Array;
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit; negative when unknown (then not checked). */
  ttl: number;
}

/** The same packet: payload, source, destination and TTL (what validation looks at). */
export function sameDatagram(a: ReceivedPacket, b: ReceivedPacket): boolean {
  return a.ttl === b.ttl && bytesEqual(a.payload, b.payload) && bytesEqual(a.src, b.src) && bytesEqual(a.dst, b.dst);
}

export type ValidateResult = { ok: true; advert: VrrpAdvert } | { ok: false; reason: DropReason };

const drop = (reason: DropReason): ValidateResult => ({ ok: false, reason });

/** Validates one received packet against one instance's configuration. Never throws. */
export function validateAdvert(cfg: ReceiveConfig, pkt: ReceivedPacket): ValidateResult {
  const { payload } = pkt;
  if (payload.length < VRRP_HEADER_LEN) return drop('bad-length');
  const version = payload[0]! >> 4;
  // Length first: the address count is in the fixed header, so the full size is known here.
  if ((version === 2 || version === 3) && payload.length < vrrpLength(version === 2 ? 2 : 3, cfg.family, payload[3]!)) return drop('bad-length');
  // §7.1: a multicast advertisement must arrive with TTL / hop limit 255 (it was not routed).
  // A negative ttl means the socket could not report it (the transport port's convention): unchecked.
  if (isMulticast(pkt.dst) && pkt.ttl >= 0 && pkt.ttl !== 255) return drop('bad-ttl');
  if (version !== cfg.version) return drop('bad-version');
  const decoded = decodeVrrp(payload, cfg.family);
  if (!decoded.ok) return drop(decoded.reason === 'bad-length' ? 'bad-length' : 'bad-version');
  const adv = decoded.advert;
  if (adv.type !== VRRP_TYPE_ADVERTISEMENT) return drop('bad-type');
  if (adv.vrid !== cfg.vrid) return drop('vrid-mismatch');
  if (!checksumOk(cfg, pkt)) return drop('bad-checksum');
  if (cfg.version === 2 && !authOk(cfg.auth, adv)) return drop('auth-mismatch');
  // RFC 3768 §7.1: a v2 advert with another interval is dropped; RFC 5798 §6.4.2: v3 adopts it.
  if (cfg.version === 2 && advertIntervalCs(adv) !== cfg.advertIntervalCs) return drop('interval-mismatch');
  if (cfg.allowedPeers && !cfg.allowedPeers.some((p) => addrEqual(p, pkt.src))) return drop('unknown-peer');
  const range = cfg.peerTtls?.find((p) => addrEqual(p.addr, pkt.src));
  if (range && !isMulticast(pkt.dst) && pkt.ttl >= 0 && (pkt.ttl < range.minTtl || pkt.ttl > range.maxTtl)) return drop('bad-ttl');
  return { ok: true, advert: adv };
}

export type AhValidateResult = (ValidateResult & { ok: false }) | { ok: true; advert: VrrpAdvert; counter: AhSeqCounter };

/**
 * VRRPv2 with AH: `pkt.payload` is the whole IPv4 packet (header included, as the AH transport
 * delivers it). Order as keepalived: ICV, then SPI (both 'auth-mismatch': a wrong password looks
 * the same as a forgery), then the VRRP checks above on the inner message, then the sequence
 * number, which must be above `counter` (a replay is 'auth-mismatch' too). On success the
 * counter that follows the packet is returned; the caller keeps it. Never throws.
 */
export function validateAhAdvert(cfg: ReceiveConfig, counter: AhSeqCounter, pkt: ReceivedPacket): AhValidateResult {
  if (cfg.auth.type !== 'ah') return { ok: false, reason: 'auth-mismatch' };
  const v = verifyVrrpAh(pkt.payload, passAuthData(cfg.auth.password), cfg.ahZeroTtl ?? false);
  if (!v.ok) {
    if (v.reason === 'bad-icv' || v.reason === 'bad-spi') return { ok: false, reason: 'auth-mismatch' };
    // not protocol 51, or AH around something else: not a VRRP message at all
    return { ok: false, reason: v.reason === 'bad-length' ? 'bad-length' : 'bad-type' };
  }
  const inner = validateAdvert(cfg, { payload: v.packet.vrrp, src: v.packet.src, dst: v.packet.dst, ttl: v.packet.ttl });
  if (!inner.ok) return inner;
  const s = ahSeqReceive(counter, v.packet.ah.seq);
  if (!s.accept) return { ok: false, reason: 'auth-mismatch' };
  return { ok: true, advert: inner.advert, counter: s.counter };
}

function checksumOk(cfg: ReceiveConfig, pkt: ReceivedPacket): boolean {
  const sum = (mode: ChecksumMode): number => vrrpChecksum(pkt.payload, cfg.version, { src: pkt.src, dst: pkt.dst, mode });
  if (cfg.checksumMode === 'either') return sum('pseudo-header') === 0 || sum('plain') === 0;
  return sum(cfg.checksumMode) === 0;
}

function authOk(auth: ReceiveAuth, adv: VrrpAdvert): boolean {
  if (auth.type === 'none') return adv.authType === VRRP_AUTH_NONE;
  // AH: the ICV was checked on the whole packet; the message's own auth data is unused (zero).
  if (auth.type === 'ah') return adv.authType === VRRP_AUTH_AH;
  if (adv.authType !== VRRP_AUTH_PASS) return false;
  return Buffer.from(passAuthData(auth.password)).equals(Buffer.from(adv.authData));
}
