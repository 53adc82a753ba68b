// VRRPv2 with IPsec AH (src/codec/vrrp-ah.ts): every AH packet keepalived 2.2.7 sent in
// test/fixtures/golden/vrrp/ah/v2_ah.pcap verifies and re-encodes byte for byte (IPv4 header
// included) from its fields and sequence number; each tampered field is caught or, for the
// fields RFC 2402 calls mutable, ignored; the sequence-number rules follow keepalived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEthernet, readPcap } from '../../support/pcap.js';
import {
  AH_SEQ_INITIAL, AH_SEQ_LAST, IPPROTO_AH, VRRP_AUTH_AH, ahIcv, ahKey, ahSeqBecomeMaster, ahSeqReceive, ahSeqSend,
  decodeVrrpAh, encodeVrrpAh, verifyVrrpAh, withIpv4Checksum, type AhSeqCounter,
} from '../../../src/codec/vrrp-ah.js';
import { decodeVrrp, encodeVrrp, vrrpChecksum } from '../../../src/codec/vrrp.js';
import { formatIP } from '../../../src/lib/ip.js';
import { fromHex, hex } from '../../../src/lib/bytes.js';

const dir = new URL('../../fixtures/golden/vrrp/ah/', import.meta.url);
const conf = readFileSync(fileURLToPath(new URL('v2_ah.keepalived.conf', dir)), 'utf8');
const password = /auth_pass\s+(\S+)/.exec(conf)![1]!;
const key = ahKey(password);

/** The whole IPv4 packets (header included, Ethernet padding cut) of protocol 51 in the capture. */
function ahPackets(): Buffer[] {
  const out: Buffer[] = [];
  for (const rec of readPcap(readFileSync(fileURLToPath(new URL('v2_ah.pcap', dir))))) {
    const eth = parseEthernet(rec.data);
    if (!eth || eth.etherType !== 0x0800 || eth.payload[9] !== IPPROTO_AH) continue;
    out.push(Buffer.from(eth.payload.subarray(0, (eth.payload[2]! << 8) | eth.payload[3]!)));
  }
  return out;
}

const golden = ahPackets();

// keepalived 2.2.7 with unicast_peer 10.9.0.2 (same instance otherwise, ah-capture.ts --unicast):
// its ICV is computed with the TTL zeroed, which the multicast packets' is not.
const UNICAST_SEQ1 = fromHex('45c0004000010000ff33a6b50a0900010a090002700400000a09000100000001'
  + 'f6bb0550bcd9803be7e2f6422133c80102010a5d0a0900640000000000000000');

test('the key is auth_pass NUL padded / truncated to 8 bytes, as keepalived derives it', () => {
  assert.equal(hex(ahKey('secret')), hex(Buffer.from('secret\0\0')));
  assert.equal(hex(ahKey('longpassword')), hex(Buffer.from('longpass')));
});

test('golden v2_ah: every AH packet verifies, decodes as the config says and re-encodes byte for byte', () => {
  assert.ok(golden.length >= 4, `AH packets in the capture: ${golden.length}`);
  for (const [i, pkt] of golden.entries()) {
    const what = `packet ${i}`;
    const v = verifyVrrpAh(pkt, key, false);
    assert.ok(v.ok, `${what}: verifies (${v.ok ? '' : v.reason})`);
    const p = v.packet;
    assert.equal(formatIP(p.src), '10.9.0.1', what);
    assert.equal(formatIP(p.dst), '224.0.0.18', what);
    assert.equal(p.ttl, 255, what);
    assert.equal(p.tos, 0xc0, what);
    assert.equal(p.ah.spi, 0x0a090001, `${what}: SPI is the source address`);
    assert.equal(p.ah.nextHeader, 112, what);
    assert.equal(p.ah.payloadLen, 4, what);
    // keepalived's counters both start at 1 for the first advert and go up by one per advert.
    assert.equal(p.ah.seq, i + 1, `${what}: sequence number`);
    assert.equal(p.id, i + 1, `${what}: IPv4 id`);
    const d = decodeVrrp(p.vrrp, 4);
    assert.ok(d.ok, what);
    const a = d.advert;
    assert.equal(a.version, 2, what);
    assert.equal(a.vrid, 51, what);
    assert.equal(a.priority, i === golden.length - 1 ? 0 : 200, what);
    assert.equal(a.interval, 1, what);
    assert.equal(a.authType, VRRP_AUTH_AH, what);
    assert.deepEqual(a.authData, new Uint8Array(8), `${what}: VRRP auth data left zero`);
    assert.deepEqual(a.addresses.map(formatIP), ['10.9.0.100'], what);
    assert.equal(vrrpChecksum(p.vrrp, 2), 0, `${what}: VRRP checksum`);
    // Re-encode from the fields alone: VRRP message, then the IPv4 + AH packet around it.
    const vrrp = encodeVrrp(a);
    assert.equal(hex(vrrp), hex(p.vrrp), `${what}: VRRP message re-encodes`);
    const sent = encodeVrrpAh({ src: p.src, dst: p.dst, id: p.id, seq: p.ah.seq, vrrp, key, zeroTtl: false });
    assert.equal(sent.readUInt16BE(10), 0, `${what}: handed to the kernel with header checksum 0`);
    assert.equal(hex(withIpv4Checksum(sent)), hex(pkt), `${what}: re-encodes identically`);
  }
});

test('golden v2_ah: keepalived leaves the TTL in the ICV with multicast, zeroes it with unicast peers', () => {
  assert.equal(verifyVrrpAh(golden[0]!, key, true).ok, false);
  assert.ok(verifyVrrpAh(UNICAST_SEQ1, key, true).ok);
  const r = verifyVrrpAh(UNICAST_SEQ1, key, false);
  assert.deepEqual(r, { ok: false, reason: 'bad-icv' });
  const d = decodeVrrpAh(UNICAST_SEQ1);
  assert.ok(d.ok);
  const again = encodeVrrpAh({ src: d.packet.src, dst: d.packet.dst, id: 1, seq: 1, vrrp: d.packet.vrrp, key, zeroTtl: true });
  assert.equal(hex(withIpv4Checksum(again)), hex(UNICAST_SEQ1));
  // With the TTL zeroed a router's decrement no longer breaks the ICV (the check of 255 is VRRP's).
  const hop = Buffer.from(UNICAST_SEQ1); hop[8] = 64;
  assert.ok(verifyVrrpAh(hop, key, true).ok);
});

test('mutable IPv4 fields (TOS, flags/fragment, checksum) are outside the ICV; everything else is in it', () => {
  const base = golden[0]!;
  const tamper = (at: number, v: number) => { const b = Buffer.from(base); b[at] = v; return b; };
  for (const [at, v, name] of [[1, 0x00, 'TOS'], [6, 0x40, 'DF flag'], [10, 0x12, 'checksum']] as const) {
    assert.ok(verifyVrrpAh(tamper(at, v), key, false).ok, `${name} changed: still verifies`);
  }
  for (const [at, name] of [[5, 'IPv4 id'], [8, 'TTL'], [15, 'source'], [19, 'destination'], [31, 'sequence'],
    [20 + 12, 'ICV'], [20 + 24 + 2, 'VRRP priority'], [base.length - 1, 'VRRP auth data']] as const) {
    assert.deepEqual(verifyVrrpAh(tamper(at, base[at]! ^ 1), key, false), { ok: false, reason: 'bad-icv' }, name);
  }
  assert.deepEqual(verifyVrrpAh(base, ahKey('Secret'), false), { ok: false, reason: 'bad-icv' }, 'wrong password');
});

test('the SPI must be the source address, checked after the ICV', () => {
  const b = Buffer.from(golden[0]!);
  b.writeUInt32BE(0x0a090002, 24);
  assert.deepEqual(verifyVrrpAh(b, key, false), { ok: false, reason: 'bad-icv' });
  Buffer.from(ahIcv(b, 20, key, false)).copy(b, 32); // a sender with the key but another SPI
  assert.deepEqual(verifyVrrpAh(b, key, false), { ok: false, reason: 'bad-spi' });
});

test('decode refuses what is not a keepalived AH advertisement', () => {
  const base = golden[0]!;
  assert.deepEqual(decodeVrrpAh(base.subarray(0, 19)), { ok: false, reason: 'bad-length' });
  assert.deepEqual(decodeVrrpAh(base.subarray(0, 50)), { ok: false, reason: 'bad-length' }, 'shorter than total length');
  const other = Buffer.from(base); other[9] = 112;
  assert.deepEqual(decodeVrrpAh(other), { ok: false, reason: 'not-ah' });
  const next = Buffer.from(base); next[20] = 6;
  assert.deepEqual(decodeVrrpAh(next), { ok: false, reason: 'not-vrrp' });
  const plen = Buffer.from(base); plen[21] = 5;
  assert.deepEqual(decodeVrrpAh(plen), { ok: false, reason: 'bad-length' });
  const padded = Buffer.concat([base, Buffer.alloc(6)]); // Ethernet padding after the total length
  assert.ok(verifyVrrpAh(padded, key, false).ok);
});

test('encode checks its fields', () => {
  const vrrp = golden[0]!.subarray(44);
  const src = Uint8Array.of(10, 9, 0, 1), dst = Uint8Array.of(224, 0, 0, 18);
  assert.throws(() => encodeVrrpAh({ src: new Uint8Array(16), dst, id: 1, seq: 1, vrrp, key, zeroTtl: false }), RangeError);
  assert.throws(() => encodeVrrpAh({ src, dst, id: 0x10000, seq: 1, vrrp, key, zeroTtl: false }), RangeError);
  assert.throws(() => encodeVrrpAh({ src, dst, id: 1, seq: 2 ** 32, vrrp, key, zeroTtl: false }), RangeError);
});

test('sequence numbers: send pre-increments from 0, stops at 0xfffffffe and is reset on becoming master', () => {
  let c: AhSeqCounter = AH_SEQ_INITIAL;
  const sent: number[] = [];
  for (let i = 0; i < 3; i++) { const s = ahSeqSend(c); sent.push(s.seq); c = s.counter; }
  assert.deepEqual(sent, [1, 2, 3]);
  let s = ahSeqSend({ seq: AH_SEQ_LAST - 1, cycled: false });
  assert.deepEqual(s, { seq: AH_SEQ_LAST, counter: { seq: AH_SEQ_LAST, cycled: false } });
  s = ahSeqSend(s.counter);
  assert.deepEqual(s, { seq: AH_SEQ_LAST, counter: { seq: AH_SEQ_LAST, cycled: true } }, 'no wrap to 0');
  assert.deepEqual(ahSeqBecomeMaster(s.counter), { seq: 0, cycled: false });
  assert.deepEqual(ahSeqBecomeMaster({ seq: 7, cycled: false }), { seq: 7, cycled: false }, 'a counter that has not cycled is kept');
});

test('sequence numbers: receive accepts only a greater number, and the counter (shared with send) follows it', () => {
  let c: AhSeqCounter = AH_SEQ_INITIAL;
  const order = [1, 2, 2, 1, 5, 4, 6];
  const accepted = order.filter((n) => { const r = ahSeqReceive(c, n); c = r.counter; return r.accept; });
  assert.deepEqual(accepted, [1, 2, 5, 6]);
  // A backup that heard the master up to 6 continues at 7 when it takes over.
  assert.equal(ahSeqSend(c).seq, 7);
  // The golden capture in order: every packet accepted; the same packets replayed: all refused.
  c = AH_SEQ_INITIAL;
  const seqs = golden.map((p) => { const v = verifyVrrpAh(p, key, false); assert.ok(v.ok); return v.packet.ah.seq; });
  for (const n of seqs) { const r = ahSeqReceive(c, n); assert.ok(r.accept, `seq ${n}`); c = r.counter; }
  for (const n of seqs) assert.equal(ahSeqReceive(c, n).accept, false, `replayed seq ${n}`);
});
