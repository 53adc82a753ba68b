import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALL_NODES, decodeNaFrame, decodeNeighborAdvert, encodeIPv6Header, encodeNeighborAdvert, icmpv6Checksum, unsolicitedNaFrame } from '../../../src/codec/ndisc.js';
import { formatIPv6, parseIPv6, parseMac } from '../../../src/lib/ip.js';
import { readPcap } from '../../support/pcap.js';

const golden = fileURLToPath(new URL('../../fixtures/golden/vrrp/v3_ipv6.pcap', import.meta.url));

test('unsolicited NA frames equal the ones keepalived sent, checksum included', () => {
  const nas = readPcap(readFileSync(golden)).map((r) => r.data)
    .filter((f) => f[12] === 0x86 && f[13] === 0xdd && f[20] === 58 && f[54] === 136);
  assert.ok(nas.length >= 2, 'capture holds NA frames');
  const targets = new Set<string>();
  for (const frame of nas) {
    const d = decodeNaFrame(frame);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    assert.equal(d.value.hopLimit, 255);
    assert.ok(d.value.override && !d.value.solicited && !d.value.router);
    assert.deepEqual(d.value.dst, ALL_NODES);
    targets.add(formatIPv6(d.value.target));
    assert.deepEqual(unsolicitedNaFrame(d.value.target, d.value.targetMac!), Buffer.from(frame));
  }
  assert.deepEqual([...targets].sort(), ['2001:db8::100', 'fe80::100']);
});

test('NA round-trips with every flag combination; a flipped bit fails the checksum', () => {
  const src = parseIPv6('fe80::1'), dst = parseIPv6('ff02::1'), target = parseIPv6('2001:db8::42');
  for (const router of [false, true]) for (const solicited of [false, true]) for (const override of [false, true]) {
    for (const targetMac of [undefined, parseMac('02:00:00:00:00:01')]) {
      const na = { target, router, solicited, override, ...(targetMac ? { targetMac } : {}) };
      const b = encodeNeighborAdvert(na, src, dst);
      assert.equal(icmpv6Checksum(src, dst, b), 0);
      const d = decodeNeighborAdvert(b, src, dst);
      assert.ok(d.ok);
      assert.deepEqual(d.value, na);
      const bad = Buffer.from(b);
      bad[10]! ^= 1;
      const r = decodeNeighborAdvert(bad, src, dst);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.reason, 'bad-checksum');
      // Same bytes, other pseudo-header: the checksum covers the addresses (RFC 8200 §8.1).
      assert.equal(decodeNeighborAdvert(b, parseIPv6('fe80::2'), dst).ok, false);
    }
  }
});

test('malformed NA input is rejected by reason', () => {
  const src = parseIPv6('fe80::1');
  const good = encodeNeighborAdvert({ target: src, router: false, solicited: false, override: true, targetMac: parseMac('02:00:00:00:00:01') }, src, ALL_NODES);
  const zeroOpt = Buffer.from(good); zeroOpt[25] = 0;
  zeroOpt.writeUInt16BE(0, 2); zeroOpt.writeUInt16BE(icmpv6Checksum(src, ALL_NODES, zeroOpt), 2);
  const cases: [string, Uint8Array, string][] = [
    ['short', good.subarray(0, 20), 'short-na'],
    ['not an NA', Buffer.from(good).fill(135, 0, 1), 'not-na'],
    ['zero-length option', zeroOpt, 'bad-option'],
  ];
  for (const [name, b, reason] of cases) {
    const r = decodeNeighborAdvert(b, src, ALL_NODES);
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.equal(r.reason, reason, name);
  }
  assert.equal(decodeNaFrame(Buffer.alloc(10)).ok, false);
  assert.throws(() => unsolicitedNaFrame(new Uint8Array(4), parseMac('02:00:00:00:00:01')), /IPv6/);
});

test('NA and IPv6 header encoders refuse fields of the wrong size', () => {
  const src = parseIPv6('fe80::1');
  assert.throws(() => encodeNeighborAdvert({ target: new Uint8Array(4), router: false, solicited: false, override: true }, src, ALL_NODES), /16 bytes/);
  assert.throws(() => encodeNeighborAdvert({ target: src, router: false, solicited: false, override: true, targetMac: new Uint8Array(8) }, src, ALL_NODES), /6 bytes/);
  assert.throws(() => unsolicitedNaFrame(src, new Uint8Array(4)), /6 bytes/);
  assert.throws(() => encodeIPv6Header({ src: new Uint8Array(4), dst: ALL_NODES, nextHeader: 58, hopLimit: 255, payloadLength: 0 }), /16 bytes/);
});
