import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ICMP4, ICMP6, decodeIcmp, encodeEcho, unreachableText } from '../../../src/codec/icmp.js';
import { internetChecksum } from '../../../src/lib/bytes.js';
import { parseIP } from '../../../src/lib/ip.js';
import { icmp6FilterPassing } from '../../../src/net/icmp6-filter.js';
import { ipPackets } from '../../support/pcap.js';

// Captured with tcpdump on lo in a throwaway namespace: `ping -c1 -s 16 127.0.0.1` and `ping -6 -c1 -s 16 ::1`.
const capture = fileURLToPath(new URL('./fixtures/ping-lo.pcap', import.meta.url));

test('echo request and reply captured from iputils ping decode, and re-encode to the same bytes', () => {
  const pkts = ipPackets(readFileSync(capture));
  assert.equal(pkts.length, 4);
  for (const p of pkts) {
    const v6 = p.family === 6 ? { src: p.src, dst: p.dst } : undefined;
    const d = decodeIcmp(p.family, p.payload, v6);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    assert.equal(d.value.kind, 'echo');
    if (d.value.kind !== 'echo') continue;
    assert.equal(d.value.seq, 1);
    assert.equal(d.value.data.length, 16);
    assert.deepEqual(encodeEcho(p.family, d.value, v6), Buffer.from(p.payload), `IPv${p.family} ${d.value.reply ? 'reply' : 'request'} re-encoded`);
  }
  const kinds = pkts.map((p) => [p.family, p.payload[0]]);
  assert.deepEqual(kinds, [[4, 8], [4, 0], [6, 128], [6, 129]]);
  // Request and reply of one exchange carry the same identifier.
  const id = (i: number): number => (pkts[i]!.payload[4]! << 8) | pkts[i]!.payload[5]!;
  assert.equal(id(0), id(1));
  assert.equal(id(2), id(3));
});

test('IPv4 echo request: golden bytes built by hand, checksum per RFC 1071', () => {
  const got = encodeEcho(4, { reply: false, id: 0x1234, seq: 0x0001, data: Buffer.from('abcd') });
  // type 8, code 0, checksum, id 0x1234, seq 1, "abcd"
  // sum = 0x0800 + 0x1234 + 0x0001 + 0x6162 + 0x6364 = 0xdefb -> checksum ~0xdefb = 0x2104
  assert.deepEqual(got, Buffer.from('080021041234000161626364', 'hex'));
  assert.equal(internetChecksum(got), 0);
});

test('ICMPv6 echo request: checksum over the pseudo-header, and 0 (kernel fills it) without addresses', () => {
  const src = parseIP('::1').addr, dst = parseIP('::1').addr;
  const data = Buffer.from('abcd');
  const noSum = encodeEcho(6, { reply: false, id: 0x1234, seq: 1, data });
  assert.deepEqual(noSum, Buffer.from('800000001234000161626364', 'hex'));
  const withSum = encodeEcho(6, { reply: false, id: 0x1234, seq: 1, data }, { src, dst });
  // pseudo-header: ::1 + ::1 (0x0001 + 0x0001), length 12, next header 58 (0x3a); message 0x8000 + 0x1234 + 0x0001 + 0x6162 + 0x6364
  const sum = 0x0001 + 0x0001 + 12 + 0x3a + 0x8000 + 0x1234 + 0x0001 + 0x6162 + 0x6364;
  const folded = (sum & 0xffff) + (sum >>> 16);
  assert.equal(withSum.readUInt16BE(2), ~folded & 0xffff);
  assert.ok(decodeIcmp(6, withSum, { src, dst }).ok);
  const bad = Buffer.from(withSum); bad[9]! ^= 1;
  assert.deepEqual(decodeIcmp(6, bad, { src, dst }), { ok: false, reason: 'bad-checksum' });
});

test('echo round-trips for any id, sequence and payload (both families)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 64 }), fc.boolean(),
    (id, seq, data, reply) => {
      for (const family of [4, 6] as const) {
        const v6 = { src: parseIP('2001:db8::1').addr, dst: parseIP('2001:db8::2').addr };
        const d = decodeIcmp(family, encodeEcho(family, { reply, id, seq, data }, v6), v6);
        assert.ok(d.ok && d.value.kind === 'echo');
        assert.deepEqual({ ...d.value, data: Buffer.from(d.value.data) }, { kind: 'echo', reply, id, seq, data: Buffer.from(data) });
      }
    }));
  assert.throws(() => encodeEcho(4, { reply: false, id: 0x10000, seq: 0, data: new Uint8Array() }), /identifier/);
  assert.throws(() => encodeEcho(4, { reply: false, id: 0, seq: -1, data: new Uint8Array() }), /sequence/);
});

/** An IPv4 header (no options) for a quoted packet; checksum left 0 as routers may quote it. */
function ipv4Header(proto: number, src: string, dst: string, payloadLen: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45; h.writeUInt16BE(20 + payloadLen, 2); h[8] = 64; h[9] = proto;
  h.set(parseIP(src).addr, 12); h.set(parseIP(dst).addr, 16);
  return h;
}

test('IPv4 destination unreachable quoting our echo yields its code, destination, id and sequence', () => {
  const echo = encodeEcho(4, { reply: false, id: 0xbeef, seq: 7, data: Buffer.alloc(16) });
  const quoted = Buffer.concat([ipv4Header(1, '10.0.0.1', '10.0.0.9', echo.length), echo.subarray(0, 8)]);
  const msg = Buffer.concat([Buffer.from([ICMP4.DEST_UNREACH, 1, 0, 0, 0, 0, 0, 0]), quoted]);
  msg.writeUInt16BE(internetChecksum(msg), 2);
  const d = decodeIcmp(4, msg);
  assert.ok(d.ok);
  assert.deepEqual(d.value, { kind: 'unreachable', code: 1, dst: parseIP('10.0.0.9').addr, echo: { id: 0xbeef, seq: 7 } });
  assert.equal(unreachableText(4, d.value.kind === 'unreachable' ? d.value.code : -1), 'host unreachable');

  // Quoting a UDP datagram: an unreachable, but not about an echo.
  const udp = Buffer.concat([Buffer.from([ICMP4.DEST_UNREACH, 3, 0, 0, 0, 0, 0, 0]), ipv4Header(17, '10.0.0.1', '10.0.0.9', 8), Buffer.alloc(8)]);
  udp.writeUInt16BE(internetChecksum(udp), 2);
  const u = decodeIcmp(4, udp);
  assert.ok(u.ok && u.value.kind === 'unreachable' && u.value.echo === undefined && u.value.code === 3);

  // Quoted IP header cut short: a reason, no throw.
  const cut = Buffer.concat([Buffer.from([ICMP4.DEST_UNREACH, 1, 0, 0, 0, 0, 0, 0]), Buffer.alloc(12, 0x45)]);
  cut.writeUInt16BE(internetChecksum(cut), 2);
  assert.deepEqual(decodeIcmp(4, cut), { ok: false, reason: 'bad-quoted-ip' });
});

test('ICMPv6 destination unreachable quoting our echo', () => {
  const echo = encodeEcho(6, { reply: false, id: 0x0102, seq: 0xfffe, data: Buffer.alloc(16) });
  const ip6 = Buffer.alloc(40);
  ip6[0] = 0x60; ip6.writeUInt16BE(echo.length, 4); ip6[6] = 58; ip6[7] = 64;
  ip6.set(parseIP('2001:db8::1').addr, 8); ip6.set(parseIP('2001:db8::dead').addr, 24);
  const msg = Buffer.concat([Buffer.from([ICMP6.DEST_UNREACH, 3, 0, 0, 0, 0, 0, 0]), ip6, echo]);
  const d = decodeIcmp(6, msg); // no addresses: checksum not verifiable, not checked
  assert.ok(d.ok);
  assert.deepEqual(d.value, { kind: 'unreachable', code: 3, dst: parseIP('2001:db8::dead').addr, echo: { id: 0x0102, seq: 0xfffe } });
  assert.equal(unreachableText(6, 3), 'address unreachable');
  assert.equal(unreachableText(6, 99), 'destination unreachable (code 99)');
});

test('other types decode as "other"; short, corrupted or odd input gives a reason, never a throw', () => {
  const tx = Buffer.from([ICMP4.TIME_EXCEEDED, 0, 0, 0, 0, 0, 0, 0]);
  tx.writeUInt16BE(internetChecksum(tx), 2);
  assert.deepEqual(decodeIcmp(4, tx), { ok: true, value: { kind: 'other', type: 11, code: 0 } });
  assert.deepEqual(decodeIcmp(4, Buffer.alloc(7)), { ok: false, reason: 'short-icmp' });
  const req = encodeEcho(4, { reply: false, id: 1, seq: 1, data: Buffer.from('x') });
  req[8]! ^= 0xff;
  assert.deepEqual(decodeIcmp(4, req), { ok: false, reason: 'bad-checksum' });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(4 as const, 6 as const), (b, family) => {
    const d = decodeIcmp(family, b);
    assert.equal(typeof d.ok, 'boolean');
  }));
});

test('ICMP6_FILTER struct: every type blocked except those passed (host-order words, bit set = block)', () => {
  const f = icmp6FilterPassing([ICMP6.ECHO_REPLY, ICMP6.DEST_UNREACH]);
  assert.equal(f.length, 32);
  const words = Array.from({ length: 8 }, (_, i) => (endianness() === 'LE' ? f.readUInt32LE(i * 4) : f.readUInt32BE(i * 4)));
  const blocked = (t: number): boolean => ((words[t >> 5]! >>> (t & 31)) & 1) === 1;
  for (let t = 0; t < 256; t++) assert.equal(blocked(t), t !== 129 && t !== 1, `type ${t}`);
  assert.throws(() => icmp6FilterPassing([256]), /0\.\.255/);
});
