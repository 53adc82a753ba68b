import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  advertIntervalCs, decodeVrrp, encodeVrrp, passAuthData, pseudoHeader, vrrpChecksum, vrrpLength,
  type ChecksumContext, type VrrpAdvertInput,
} from '../../../src/codec/vrrp.js';
import { fromHex, hex } from '../../../src/lib/bytes.js';
import { parseIP } from '../../../src/lib/ip.js';

const ip = (s: string): Uint8Array => parseIP(s).addr;
const v4ctx = (mode: ChecksumContext['mode']): ChecksumContext => ({ src: ip('10.9.0.1'), dst: ip('224.0.0.18'), mode });
const v6ctx: ChecksumContext = { src: ip('fe80::6036:c8ff:fe8d:b1df'), dst: ip('ff02::12'), mode: 'pseudo-header' };

// Vectors computed by hand from RFC 3768 §5.1 / RFC 5798 §5.1 (one's-complement sums worked on paper).
const vectors: { name: string; adv: VrrpAdvertInput; ctx?: ChecksumContext; hex: string }[] = [
  {
    name: 'v3 IPv4 plain checksum (v3_checksum_as_v2 / RFC 9568): message only',
    adv: { version: 3, vrid: 51, priority: 200, interval: 50, addresses: [ip('10.9.0.100')] },
    ctx: v4ctx('plain'), hex: '3133c8010032fc2b0a090064',
  },
  {
    name: 'v3 IPv4 pseudo-header checksum (keepalived default)',
    adv: { version: 3, vrid: 51, priority: 200, interval: 50, addresses: [ip('10.9.0.100')] },
    ctx: v4ctx('pseudo-header'), hex: '3133c801003211930a090064',
  },
  {
    name: 'v2 PASS auth, NUL padded',
    adv: { version: 2, vrid: 51, priority: 200, interval: 1, addresses: [ip('10.9.0.100')], authType: 1, authData: passAuthData('s3cr3t') },
    hex: '2133c801010101430a0900647333637233740000',
  },
];

for (const v of vectors) {
  test(`encode vector: ${v.name}`, () => {
    assert.equal(hex(encodeVrrp(v.adv, v.ctx)), v.hex);
    const d = decodeVrrp(fromHex(v.hex), v.adv.addresses[0]!.length === 4 ? 4 : 6);
    assert.ok(d.ok);
    assert.equal(vrrpChecksum(fromHex(v.hex), v.adv.version, v.ctx), 0, 'a correct message sums to zero');
  });
}

const roundTrips: { name: string; adv: VrrpAdvertInput; family: 4 | 6; ctx?: ChecksumContext }[] = [
  { name: 'v2 no auth, 3 addresses', family: 4, adv: { version: 2, vrid: 1, priority: 100, interval: 3, addresses: [ip('10.0.0.1'), ip('10.0.0.2'), ip('192.168.1.1')] } },
  { name: 'v2 priority 0, max vrid', family: 4, adv: { version: 2, vrid: 255, priority: 0, interval: 255, addresses: [ip('10.0.0.1')], authType: 1, authData: passAuthData('12345678') } },
  { name: 'v3 IPv4 max interval', family: 4, ctx: v4ctx('pseudo-header'), adv: { version: 3, vrid: 7, priority: 254, interval: 4095, addresses: [ip('10.0.0.1')] } },
  { name: 'v3 IPv4 plain, no address', family: 4, ctx: v4ctx('plain'), adv: { version: 3, vrid: 7, priority: 1, interval: 1, addresses: [] } },
  { name: 'v3 IPv6 two addresses', family: 6, ctx: v6ctx, adv: { version: 3, vrid: 51, priority: 255, interval: 100, addresses: [ip('fe80::100'), ip('2001:db8::1')] } },
];

for (const rt of roundTrips) {
  test(`round trip: ${rt.name}`, () => {
    const bytes = encodeVrrp(rt.adv, rt.ctx);
    assert.equal(bytes.length, vrrpLength(rt.adv.version, rt.family, rt.adv.addresses.length));
    const d = decodeVrrp(bytes, rt.family);
    assert.ok(d.ok);
    const a = d.advert;
    assert.equal(a.version, rt.adv.version);
    assert.equal(a.vrid, rt.adv.vrid);
    assert.equal(a.priority, rt.adv.priority);
    assert.equal(a.interval, rt.adv.interval);
    assert.deepEqual(a.addresses, rt.adv.addresses);
    assert.equal(a.authType, rt.adv.authType ?? 0);
    assert.equal(vrrpChecksum(bytes, a.version, rt.ctx), 0);
    assert.equal(hex(encodeVrrp(a, rt.ctx)), hex(bytes), 'decode then encode gives the same bytes');
  });
}

test('the checksum covers the pseudo-header: another source breaks it (v3), not in plain mode or v2', () => {
  const adv: VrrpAdvertInput = { version: 3, vrid: 51, priority: 200, interval: 50, addresses: [ip('10.9.0.100')] };
  const other = { ...v4ctx('pseudo-header'), src: ip('10.9.0.2') };
  assert.notEqual(vrrpChecksum(encodeVrrp(adv, v4ctx('pseudo-header')), 3, other), 0);
  const plain = encodeVrrp(adv, v4ctx('plain'));
  assert.equal(vrrpChecksum(plain, 3, { ...other, mode: 'plain' }), 0);
  const v2 = encodeVrrp({ ...adv, version: 2, interval: 1 });
  assert.equal(vrrpChecksum(v2, 2, other), 0);
  const v6 = encodeVrrp({ ...adv, addresses: [ip('2001:db8::1')] }, v6ctx);
  assert.notEqual(vrrpChecksum(v6, 3, { ...v6ctx, src: ip('fe80::1') }), 0, 'IPv6 always uses the pseudo-header');
  assert.equal(vrrpChecksum(v6, 3, { ...v6ctx, mode: 'plain' }), 0, 'plain mode does not apply to IPv6');
});

test('pseudo-header layouts (IPv4 12 bytes, IPv6 40 bytes)', () => {
  assert.equal(hex(pseudoHeader(ip('10.0.0.1'), ip('224.0.0.18'), 12)), '0a000001e00000120070000c');
  const p6 = pseudoHeader(ip('fe80::1'), ip('ff02::12'), 40);
  assert.equal(p6.length, 40);
  assert.equal(hex(p6.subarray(32)), '0000002800000070');
});

test('advertIntervalCs: v2 seconds, v3 centiseconds', () => {
  assert.equal(advertIntervalCs({ version: 2, interval: 3 }), 300);
  assert.equal(advertIntervalCs({ version: 3, interval: 3 }), 3);
});

test('passAuthData pads with NUL and truncates at 8 bytes', () => {
  assert.equal(hex(passAuthData('ab')), '6162000000000000');
  assert.equal(hex(passAuthData('0123456789')), '3031323334353637');
});

test('decode keeps the v3 reserved bits apart from the 12-bit interval', () => {
  const d = decodeVrrp(fromHex('3133c801f0320000 0a090064'), 4);
  assert.ok(d.ok);
  assert.equal(d.advert.interval, 0x032);
  assert.equal(d.advert.reserved, 0xf);
});

const bad: { name: string; hex: string; family: 4 | 6; reason: string }[] = [
  { name: 'empty', hex: '', family: 4, reason: 'bad-length' },
  { name: 'short header', hex: '3133c80100', family: 4, reason: 'bad-length' },
  { name: 'count says 2, one address', hex: '3133c80200320000 0a090064', family: 4, reason: 'bad-length' },
  { name: 'v2 without auth data', hex: '2133c80100010000 0a090064', family: 4, reason: 'bad-length' },
  { name: 'v3 IPv6 with IPv4-sized address', hex: '3133c80100320000 0a090064', family: 6, reason: 'bad-length' },
  { name: 'version 1', hex: '1133c80100320000 0a090064', family: 4, reason: 'bad-version' },
  { name: 'version 4', hex: '4133c80100320000 0a090064', family: 4, reason: 'bad-version' },
  { name: 'v2 over IPv6', hex: '2133c80100010000 00000000000000000000000000000001 0000000000000000', family: 6, reason: 'bad-family' },
];
for (const b of bad) {
  test(`decode rejects ${b.name} as ${b.reason}`, () => {
    const d = decodeVrrp(fromHex(b.hex), b.family);
    assert.deepEqual(d, { ok: false, reason: b.reason });
  });
}

test('encode refuses fields that do not fit the wire', () => {
  const base: VrrpAdvertInput = { version: 3, vrid: 1, priority: 100, interval: 100, addresses: [ip('10.0.0.1')] };
  assert.throws(() => encodeVrrp({ ...base, vrid: 256 }), RangeError);
  assert.throws(() => encodeVrrp({ ...base, priority: -1 }), RangeError);
  assert.throws(() => encodeVrrp({ ...base, interval: 4096 }), RangeError);
  assert.throws(() => encodeVrrp({ ...base, version: 2, interval: 256 }), RangeError);
  assert.throws(() => encodeVrrp({ ...base, addresses: [ip('10.0.0.1'), ip('::1')] }), RangeError);
  assert.throws(() => encodeVrrp({ ...base, version: 2, addresses: [ip('::1')] }), RangeError);
});

test('decode never throws on random input', () => {
  let seed = 12345;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let i = 0; i < 5000; i++) {
    const len = rnd() % 80;
    const b = Uint8Array.from({ length: len }, () => rnd() & 0xff);
    if (len > 0 && i % 2 === 0) b[0] = (rnd() % 2 ? 0x21 : 0x31);
    const d = decodeVrrp(b, i % 3 === 0 ? 6 : 4);
    assert.equal(typeof d.ok, 'boolean');
  }
});
