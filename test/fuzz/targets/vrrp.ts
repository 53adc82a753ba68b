// Fuzz target: VRRP v2/v3 decode (src/codec/vrrp.ts) and receive validation (src/vrrp/validate.ts).
// Byte 0 picks the address family, the instance's version, checksum mode, auth and the TTL seen;
// the rest is the VRRP message. Neither function may throw; what they accept must be consistent.
import { decodeVrrp, encodeVrrp, vrrpChecksum, vrrpLength, VRRP_MCAST_V4, VRRP_MCAST_V6, type ChecksumMode } from '../../../src/codec/vrrp.js';
import { validateAdvert, DROP_REASONS, type ReceiveConfig } from '../../../src/vrrp/validate.js';
import { check, checkDecoded, control } from '../support.js';

const SRC4 = Uint8Array.of(10, 9, 0, 2), SRC6 = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
const UNI4 = Uint8Array.of(10, 9, 0, 1), UNI6 = Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

export function fuzz(data: Buffer): void {
  const { c, rest: msg } = control(data);
  const family = c & 1 ? 6 : 4;
  const version = family === 6 || c & 2 ? 3 : 2;
  const mode: ChecksumMode = c & 4 ? 'plain' : 'pseudo-header';
  const multicast = (c & 8) === 0;
  const ttl = c & 16 ? 255 : c & 32 ? -1 : (c >> 6) * 64 + 1;
  const src = family === 4 ? SRC4 : SRC6;
  const dst = multicast ? (family === 4 ? VRRP_MCAST_V4 : VRRP_MCAST_V6) : (family === 4 ? UNI4 : UNI6);

  const d = decodeVrrp(msg, family);
  checkDecoded(d, 'decodeVrrp');
  if (d.ok) {
    const a = d.advert;
    check(a.version === msg[0]! >> 4 && a.vrid === msg[1] && a.priority === msg[2], 'decoded header fields differ from the bytes');
    check(a.addresses.length === msg[3], 'address count differs from the count byte');
    const alen = family === 4 ? 4 : 16;
    check(a.addresses.every((x) => x.length === alen), 'an address has the wrong size');
    check(a.version === 2 ? a.interval <= 0xff && a.authData.length === 8 : a.interval <= 0xfff && a.authData.length === 0, 'interval or auth data out of range');
    const len = vrrpLength(a.version, family, a.addresses.length);
    check(msg.length >= len, 'accepted a message shorter than its declared length');
    // Re-encoding what was decoded gives the same bytes (the checksum aside: encode computes it).
    const again = encodeVrrp(a, { src, dst, mode });
    const want = Buffer.from(msg.subarray(0, len));
    check(again.length === len, 're-encoded length differs');
    want[6] = again[6]!; want[7] = again[7]!;
    check(again.equals(want), 're-encoded bytes differ from the decoded ones');
  }

  const cfg: ReceiveConfig = {
    version, family, vrid: msg[1] ?? 51, checksumMode: c & 128 ? 'either' : mode,
    auth: c & 64 ? { type: 'pass', password: 'secret' } : { type: 'none' },
    advertIntervalCs: version === 2 ? 100 : 10,
    ...(multicast ? {} : { allowedPeers: [src] }),
  };
  const v = validateAdvert(cfg, { payload: msg, src, dst, ttl });
  if (!v.ok) {
    check(DROP_REASONS.includes(v.reason), `unknown drop reason ${String(v.reason)}`);
    return;
  }
  check(d.ok, 'validation accepted what decode refused');
  check(v.advert.version === version && v.advert.vrid === cfg.vrid && v.advert.type === 1, 'accepted a packet for another version, VRID or type');
  check(!multicast || ttl < 0 || ttl === 255, 'accepted a multicast advert with TTL < 255');
  const sumOk = (m: ChecksumMode) => vrrpChecksum(msg, version, { src, dst, mode: m }) === 0;
  check(cfg.checksumMode === 'either' ? sumOk('plain') || sumOk('pseudo-header') : sumOk(cfg.checksumMode), 'accepted a bad checksum');
  if (version === 2) check(v.advert.interval * 100 === cfg.advertIntervalCs, 'v2: accepted another advert interval');
}
