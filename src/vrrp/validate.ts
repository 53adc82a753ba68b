// Receive validation of one VRRP packet for one instance, pure. The checks run in the order of
// RFC 3768 §7.1 / RFC 5798 §7.1 and each failure has a name the caller counts and drops by:
// length, TTL/hop limit (multicast only), version, type, VRID, checksum, auth (v2), advert
// interval (v2 only: a v3 backup adopts the master's), unicast peer (when asked).

import { addrEqual, isMulticast } from '../lib/ip.js';
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

export type ReceiveAuth = { type: 'none' } | { type: 'pass'; password: string };

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
}

/** A packet as the socket layer delivers it: the VRRP message plus IP header facts. */
export interface ReceivedPacket {
  payload: Uint8Array;
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit; negative when unknown (then not checked). */
  ttl: number;
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
  return { ok: true, advert: adv };
}

function checksumOk(cfg: ReceiveConfig, pkt: ReceivedPacket): boolean {
  const sum = (mode: ChecksumMode): number => vrrpChecksum(pkt.payload, cfg.version, { src: pkt.src, dst: pkt.dst, mode });
  if (cfg.checksumMode === 'either') return sum('pseudo-header') === 0 || sum('plain') === 0;
  return sum(cfg.checksumMode) === 0;
}

function authOk(auth: ReceiveAuth, adv: VrrpAdvert): boolean {
  if (auth.type === 'none') return adv.authType === VRRP_AUTH_NONE;
  if (adv.authType !== VRRP_AUTH_PASS) return false;
  return Buffer.from(passAuthData(auth.password)).equals(Buffer.from(adv.authData));
}
