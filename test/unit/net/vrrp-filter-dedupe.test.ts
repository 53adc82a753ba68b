// The kernel filter's duplicate drop (src/net/vrrp-filter.ts duplicate()), through the eBPF
// interpreter: a packet whose payload, source, destination and TTL equal the VRID's reference is
// dropped, counted in DUP_SLOT and stamped in SEEN_SLOT; any other packet (thousands of mutants of
// the reference) goes on to the usual checks and is never counted as a duplicate. IPv4 and IPv6,
// with and without the checksum loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeVrrp } from '../../../src/codec/vrrp.js';
import { parseIP } from '../../../src/lib/ip.js';
import {
  CONFIG_SIZE, COUNTER_ENTRIES, DUP_SLOT, encodeVridConfig, REF_MAX, referable, SEEN_SLOT, vrrpFilter, type FilterVrid,
} from '../../../src/net/vrrp-filter.js';
import { ipv4 } from '../../integration/net/vrrp-flood.js';
import { runFilter, type FakeMap } from './ebpf-interp.js';

const CONFIG_FD = 3, COUNTERS_FD = 4;
const counter = (m: Map<number, FakeMap>, key: number): bigint => {
  const v = m.get(COUNTERS_FD)!.values.get(key);
  return v ? Buffer.from(v).readBigUInt64LE(0) : 0n;
};

function maps(family: 4 | 6, vrid: number, f: FilterVrid): Map<number, FakeMap> {
  const config: FakeMap = { type: 'hash', valueSize: CONFIG_SIZE, maxEntries: 256, values: new Map([[vrid, encodeVridConfig(family, f)]]) };
  return new Map([[CONFIG_FD, config], [COUNTERS_FD, { type: 'array', valueSize: 8, maxEntries: COUNTER_ENTRIES, values: new Map() }]]);
}

function rnd(seed: number): () => number {
  let x = seed;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

test('IPv4: exact copies of the reference are dropped and stamped; every other packet is not a duplicate', () => {
  const own = parseIP('10.9.0.2').addr, peer = '10.9.0.1', group = '224.0.0.18';
  const msg = encodeVrrp({ version: 3, vrid: 51, priority: 200, addresses: [parseIP('10.9.0.100').addr, parseIP('10.9.0.101').addr], interval: 2 },
    { src: parseIP(peer).addr, dst: parseIP(group).addr, mode: 'pseudo-header' });
  const ref = { payload: msg, src: parseIP(peer).addr, dst: parseIP(group).addr, ttl: 255 };
  const refPkt = ipv4(peer, group, 255, msg);
  for (const sums of [true, false]) {
    const prog = vrrpFilter(4, CONFIG_FD, COUNTERS_FD, { checksum: sums });
    const m = maps(4, 51, { src: own, version: 3, checksum: 'pseudo-header', reference: ref });
    const dup = 51 * 8 + DUP_SLOT, seen = 51 * 8 + SEEN_SLOT;
    assert.equal(runFilter(prog, { data: refPkt, net: refPkt, ktimeNs: 123_456_789n }, m), 0, 'the copy is dropped');
    assert.equal(counter(m, dup), 1n);
    assert.equal(counter(m, seen), 123_456_789n);
    assert.equal(runFilter(prog, { data: refPkt, net: refPkt, ktimeNs: 223_456_789n }, m), 0);
    assert.deepEqual([counter(m, dup), counter(m, seen)], [2n, 223_456_789n]);
    // Every byte of the payload, the TTL, the source and the destination matter; and 3,000 random mutants.
    const variants: Buffer[] = [];
    for (let i = 20; i < refPkt.length; i++) { const p = Buffer.from(refPkt); p[i]! ^= 0x01; variants.push(p); }
    for (const [off, val] of [[8, 254], [15, 2], [19, 19]] as const) { const p = Buffer.from(refPkt); p[off] = val; variants.push(p); }
    variants.push(ipv4(peer, '10.9.0.2', 255, msg), ipv4(peer, group, 255, Buffer.concat([msg, Buffer.alloc(4)])), ipv4(peer, group, 255, msg.subarray(0, 12)));
    const r = rnd(sums ? 3 : 5);
    for (let n = 0; n < 3000; n++) {
      const p = Buffer.from(refPkt);
      for (let k = r() % 2; k >= 0; k--) { const at = [8, 12, 13, 14, 15, 16, 19][r() % 7]!; p[r() % 3 === 0 ? at : 20 + (r() % msg.length)] = r() % 4 === 0 ? p[at]! : r() & 0xff; }
      variants.push(p);
    }
    let copies = 0;
    for (const p of variants) {
      const same = p.equals(refPkt);
      const before = counter(m, dup);
      const res = runFilter(prog, { data: p, net: p, ktimeNs: 1n }, m);
      if (same) { copies++; assert.equal(res, 0); assert.equal(counter(m, dup), before + 1n); } else assert.equal(counter(m, dup), before, `not a copy: ${p.toString('hex')}`);
    }
    assert.ok(copies < variants.length / 5, `${copies} random copies`);
    // Without a reference, or with it cleared, the copy goes on to user space.
    const none = maps(4, 51, { src: own, version: 3, checksum: 'pseudo-header' });
    assert.notEqual(runFilter(prog, { data: refPkt, net: refPkt }, none), 0);
  }
});

test('IPv6: the copy is dropped; another source, destination or hop limit is not', () => {
  const own = parseIP('fe80::2').addr, peer = 'fe80::1', group = 'ff02::12';
  const msg = encodeVrrp({ version: 3, vrid: 9, priority: 150, addresses: [parseIP('fd00::100').addr], interval: 2 },
    { src: parseIP(peer).addr, dst: parseIP(group).addr, mode: 'pseudo-header' });
  const net = (src: string, dst: string, hop: number): Buffer => {
    const h = Buffer.alloc(40);
    h[0] = 0x60; h.writeUInt16BE(msg.length, 4); h[6] = 112; h[7] = hop;
    h.set(parseIP(src).addr, 8); h.set(parseIP(dst).addr, 24);
    return h;
  };
  const prog = vrrpFilter(6, CONFIG_FD, COUNTERS_FD);
  const m = maps(6, 9, { src: own, version: 3, reference: { payload: msg, src: parseIP(peer).addr, dst: parseIP(group).addr, ttl: 255 } });
  assert.equal(runFilter(prog, { data: msg, net: net(peer, group, 255), ktimeNs: 7n }, m), 0);
  assert.deepEqual([counter(m, 9 * 8 + DUP_SLOT), counter(m, 9 * 8 + SEEN_SLOT)], [1n, 7n]);
  for (const n of [net('fe80::3', group, 255), net(peer, 'fe80::2', 255), net(peer, group, 254)]) {
    runFilter(prog, { data: msg, net: n, ktimeNs: 8n }, m);
    assert.equal(counter(m, 9 * 8 + DUP_SLOT), 1n);
  }
});

test('only whole words up to REF_MAX bytes become a reference', () => {
  assert.ok(referable(new Uint8Array(REF_MAX)));
  assert.ok(!referable(new Uint8Array(REF_MAX + 4)));
  assert.ok(!referable(new Uint8Array(10)));
  assert.ok(!referable(new Uint8Array(0)));
  const long = { payload: new Uint8Array(REF_MAX + 4), src: new Uint8Array(4), dst: new Uint8Array(4), ttl: 255 };
  assert.equal(encodeVridConfig(4, { version: 3, reference: long })[16]! & 4, 0, 'too long: no reference flag');
});
