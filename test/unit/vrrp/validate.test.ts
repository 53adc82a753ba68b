import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeVrrp, passAuthData, type VrrpAdvertInput } from '../../../src/codec/vrrp.js';
import { DROP_REASONS, validateAdvert, type ReceiveConfig, type ReceivedPacket } from '../../../src/vrrp/validate.js';
import { parseIP } from '../../../src/lib/ip.js';

const ip = (s: string): Uint8Array => parseIP(s).addr;
const SRC = ip('10.9.0.1');
const MCAST = ip('224.0.0.18');

const v2cfg: ReceiveConfig = { version: 2, family: 4, vrid: 51, checksumMode: 'pseudo-header', auth: { type: 'pass', password: 's3cr3t' }, advertIntervalCs: 100 };
const v3cfg: ReceiveConfig = { version: 3, family: 4, vrid: 51, checksumMode: 'pseudo-header', auth: { type: 'none' }, advertIntervalCs: 100 };

function v2packet(over: Partial<VrrpAdvertInput> = {}, pkt: Partial<ReceivedPacket> = {}): ReceivedPacket {
  const adv: VrrpAdvertInput = { version: 2, vrid: 51, priority: 100, interval: 1, addresses: [ip('10.9.0.100')], authType: 1, authData: passAuthData('s3cr3t'), ...over };
  return { payload: encodeVrrp(adv), src: SRC, dst: MCAST, ttl: 255, ...pkt };
}
function v3packet(over: Partial<VrrpAdvertInput> = {}, pkt: Partial<ReceivedPacket> = {}, mode: 'plain' | 'pseudo-header' = 'pseudo-header'): ReceivedPacket {
  const adv: VrrpAdvertInput = { version: 3, vrid: 51, priority: 100, interval: 100, addresses: [ip('10.9.0.100')], ...over };
  const src = pkt.src ?? SRC, dst = pkt.dst ?? MCAST;
  return { payload: encodeVrrp(adv, { src, dst, mode }), src, dst, ttl: 255, ...pkt };
}
const corrupt = (p: ReceivedPacket, at: number, xor = 0x01): ReceivedPacket => {
  const payload = Uint8Array.from(p.payload);
  payload[at] = payload[at]! ^ xor;
  return { ...p, payload };
};

const cases: { name: string; cfg: ReceiveConfig; pkt: ReceivedPacket; want: string }[] = [
  { name: 'v2 good', cfg: v2cfg, pkt: v2packet(), want: 'ok' },
  { name: 'v3 good', cfg: v3cfg, pkt: v3packet(), want: 'ok' },
  { name: 'truncated header', cfg: v2cfg, pkt: { ...v2packet(), payload: v2packet().payload.subarray(0, 7) }, want: 'bad-length' },
  { name: 'count larger than the packet', cfg: v3cfg, pkt: corrupt(v3packet(), 3, 0x03), want: 'bad-length' },
  { name: 'v2 missing auth data', cfg: v2cfg, pkt: { ...v2packet(), payload: v2packet().payload.subarray(0, 12) }, want: 'bad-length' },
  { name: 'multicast TTL 254', cfg: v2cfg, pkt: v2packet({}, { ttl: 254 }), want: 'bad-ttl' },
  { name: 'multicast TTL unknown (-1) is not checked', cfg: v2cfg, pkt: v2packet({}, { ttl: -1 }), want: 'ok' },
  { name: 'unicast TTL 64 is fine', cfg: v3cfg, pkt: v3packet({}, { dst: ip('10.9.0.2'), ttl: 64 }), want: 'ok' },
  { name: 'IPv6 hop limit 1 to ff02::12', cfg: { ...v3cfg, family: 6 }, pkt: v3packet({ addresses: [ip('2001:db8::1')] }, { src: ip('fe80::1'), dst: ip('ff02::12'), ttl: 1 }), want: 'bad-ttl' },
  { name: 'IPv6 good', cfg: { ...v3cfg, family: 6 }, pkt: v3packet({ addresses: [ip('2001:db8::1')] }, { src: ip('fe80::1'), dst: ip('ff02::12') }), want: 'ok' },
  { name: 'v3 packet to a v2 instance', cfg: v2cfg, pkt: v3packet(), want: 'bad-version' },
  { name: 'v2 packet to a v3 instance', cfg: v3cfg, pkt: v2packet(), want: 'bad-version' },
  { name: 'type 2', cfg: v3cfg, pkt: v3packet({ type: 2 }), want: 'bad-type' },
  { name: 'other VRID', cfg: v3cfg, pkt: v3packet({ vrid: 52 }), want: 'vrid-mismatch' },
  { name: 'corrupted address byte', cfg: v3cfg, pkt: corrupt(v3packet(), 9), want: 'bad-checksum' },
  { name: 'plain checksum to a pseudo-header instance', cfg: v3cfg, pkt: v3packet({}, {}, 'plain'), want: 'bad-checksum' },
  { name: 'pseudo-header checksum to a plain instance', cfg: { ...v3cfg, checksumMode: 'plain' }, pkt: v3packet(), want: 'bad-checksum' },
  { name: 'plain checksum to a plain instance', cfg: { ...v3cfg, checksumMode: 'plain' }, pkt: v3packet({}, {}, 'plain'), want: 'ok' },
  { name: "'either' accepts plain", cfg: { ...v3cfg, checksumMode: 'either' }, pkt: v3packet({}, {}, 'plain'), want: 'ok' },
  { name: "'either' accepts pseudo-header", cfg: { ...v3cfg, checksumMode: 'either' }, pkt: v3packet(), want: 'ok' },
  { name: "'either' still rejects corruption", cfg: { ...v3cfg, checksumMode: 'either' }, pkt: corrupt(v3packet(), 2), want: 'bad-checksum' },
  { name: 'v2 wrong password', cfg: v2cfg, pkt: v2packet({ authData: passAuthData('s3cr3u') }), want: 'auth-mismatch' },
  { name: 'v2 no auth to a PASS instance', cfg: v2cfg, pkt: v2packet({ authType: 0, authData: new Uint8Array(8) }), want: 'auth-mismatch' },
  { name: 'v2 PASS to a no-auth instance', cfg: { ...v2cfg, auth: { type: 'none' } }, pkt: v2packet(), want: 'auth-mismatch' },
  { name: 'v2 no auth to a no-auth instance', cfg: { ...v2cfg, auth: { type: 'none' } }, pkt: v2packet({ authType: 0, authData: new Uint8Array(8) }), want: 'ok' },
  { name: 'v3 ignores auth config', cfg: { ...v3cfg, auth: { type: 'pass', password: 'x' } }, pkt: v3packet(), want: 'ok' },
  { name: 'v2 other interval', cfg: v2cfg, pkt: v2packet({ interval: 2 }), want: 'interval-mismatch' },
  { name: 'v3 other interval is accepted (backup adopts it)', cfg: v3cfg, pkt: v3packet({ interval: 37 }), want: 'ok' },
  { name: 'unknown unicast peer', cfg: { ...v3cfg, allowedPeers: [ip('10.9.0.3')] }, pkt: v3packet({}, { dst: ip('10.9.0.2') }), want: 'unknown-peer' },
  { name: 'known unicast peer', cfg: { ...v3cfg, allowedPeers: [ip('10.9.0.3'), SRC] }, pkt: v3packet({}, { dst: ip('10.9.0.2') }), want: 'ok' },
  // Order: the first failing check names the drop.
  { name: 'short packet and bad TTL: length first', cfg: v3cfg, pkt: { ...v3packet({}, { ttl: 1 }), payload: v3packet().payload.subarray(0, 10) }, want: 'bad-length' },
  { name: 'bad TTL and other version: TTL first', cfg: v2cfg, pkt: v3packet({}, { ttl: 64 }), want: 'bad-ttl' },
  { name: 'other version and type 2: version first', cfg: v2cfg, pkt: v3packet({ type: 2 }), want: 'bad-version' },
  { name: 'type 2 and other VRID: type first', cfg: v3cfg, pkt: v3packet({ type: 2, vrid: 9 }), want: 'bad-type' },
  { name: 'bad TTL and other VRID: TTL first', cfg: v3cfg, pkt: v3packet({ vrid: 9 }, { ttl: 1 }), want: 'bad-ttl' },
  { name: 'other VRID and bad checksum: VRID first', cfg: v3cfg, pkt: corrupt(v3packet({ vrid: 9 }), 9), want: 'vrid-mismatch' },
  { name: 'bad checksum and wrong password: checksum first', cfg: v2cfg, pkt: corrupt(v2packet({ authData: passAuthData('nope') }), 9), want: 'bad-checksum' },
  { name: 'wrong password and other interval: auth first', cfg: v2cfg, pkt: v2packet({ authData: passAuthData('nope'), interval: 5 }), want: 'auth-mismatch' },
  { name: 'other interval and unknown peer: interval first', cfg: { ...v2cfg, allowedPeers: [] }, pkt: v2packet({ interval: 5 }), want: 'interval-mismatch' },
];

for (const c of cases) {
  test(`validate: ${c.name} -> ${c.want}`, () => {
    const r = validateAdvert(c.cfg, c.pkt);
    assert.equal(r.ok ? 'ok' : r.reason, c.want);
    if (r.ok) assert.equal(r.advert.vrid, c.cfg.vrid);
  });
}

test('every drop reason is produced by some case', () => {
  const seen = new Set(cases.map((c) => c.want));
  for (const r of DROP_REASONS) assert.ok(seen.has(r), r);
});

test('validate never throws on random payloads', () => {
  let seed = 99;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let i = 0; i < 5000; i++) {
    const payload = Uint8Array.from({ length: rnd() % 60 }, () => rnd() & 0xff);
    if (payload.length > 0) payload[0] = [0x21, 0x31, 0x41][rnd() % 3]!;
    const r = validateAdvert(i % 2 ? v2cfg : { ...v3cfg, family: i % 4 === 0 ? 6 : 4 }, { payload, src: SRC, dst: MCAST, ttl: 255 });
    assert.equal(typeof r.ok, 'boolean');
  }
});
