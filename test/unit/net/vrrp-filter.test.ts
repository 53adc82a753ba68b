// The VRRP kernel filter (src/net/vrrp-filter.ts) run through an eBPF interpreter over the flood
// packets, boundary cases and mutated adverts: every packet it drops is counted under the reason
// src/vrrp/validate.ts (after the transport's VRID dispatch and the own-source check) gives it,
// for the right VRID, so that no drop counter changes when the filter is on; and every packet the
// filter could decide is dropped in the kernel. IPv4 and IPv6, v2 and v3, every checksum form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeVrrp, type ChecksumMode } from '../../../src/codec/vrrp.js';
import { parseIP } from '../../../src/lib/ip.js';
import { validateAdvert, type ReceiveConfig } from '../../../src/vrrp/validate.js';
import {
  CONFIG_SIZE, COUNTER_ENTRIES, counterKey, encodeVridConfig, FOREIGN_KEY, KERNEL_REASONS, MAX_SUM_LEN, vrrpFilter,
  type FilterVrid, type KernelReason,
} from '../../../src/net/vrrp-filter.js';
import { classify, floodPackets, FLOOD_KINDS, ipv4, type FloodKind, type Outcome } from '../../integration/net/vrrp-flood.js';
import { runFilter, type FakeMap } from './ebpf-interp.js';

const CONFIG_FD = 3, COUNTERS_FD = 4;
const MASTER4 = '10.9.0.1', PEER4 = '10.9.0.9';
const MASTER6 = 'fe80::1', PEER6 = 'fe80::9', GROUP6 = 'ff02::12';

interface Served { vrid: number; rx: ReceiveConfig; filter: FilterVrid; full: boolean }

function served4(): Served[] {
  const own = parseIP(MASTER4).addr;
  const rx = (vrid: number, version: 2 | 3, checksumMode: ChecksumMode | 'either' = 'pseudo-header'): ReceiveConfig =>
    ({ version, family: 4, vrid, checksumMode, auth: { type: 'none' }, advertIntervalCs: 100 });
  return [
    { vrid: 51, rx: rx(51, 3), filter: { src: own, version: 3, checksum: 'pseudo-header' }, full: true },
    { vrid: 60, rx: rx(60, 2), filter: { src: own, version: 2 }, full: true },
    { vrid: 70, rx: rx(70, 3, 'either'), filter: { src: own, version: 3, checksum: 'either' }, full: true },
    { vrid: 80, rx: rx(80, 3, 'plain'), filter: { src: own, version: 3, checksum: 'plain' }, full: true },
    // Told less: the filter leaves what it cannot decide to user space.
    { vrid: 90, rx: rx(90, 3), filter: { src: own }, full: false },
    { vrid: 100, rx: rx(100, 3), filter: { version: 3, checksum: 'pseudo-header' }, full: false },
    { vrid: 110, rx: rx(110, 3, 'either'), filter: { src: own, version: 3 }, full: false },
  ];
}

function maps(family: 4 | 6, served: Served[]): Map<number, FakeMap> {
  const config: FakeMap = { type: 'hash', valueSize: CONFIG_SIZE, maxEntries: 256, values: new Map() };
  for (const s of served) config.values.set(s.vrid, encodeVridConfig(family, s.filter));
  return new Map([[CONFIG_FD, config], [COUNTERS_FD, { type: 'array', valueSize: 8, maxEntries: COUNTER_ENTRIES, values: new Map() }]]);
}

/** Runs the filter on one packet: undefined when accepted, else the counter it added one to. */
function decide(prog: Buffer, m: Map<number, FakeMap>, data: Uint8Array, net: Uint8Array): number | undefined {
  const counters = m.get(COUNTERS_FD)!.values;
  const before = new Map([...counters].map(([k, v]) => [k, Buffer.from(v).readBigUInt64LE(0)]));
  const res = runFilter(prog, { data, net }, m);
  const changed = [...counters].filter(([k, v]) => Buffer.from(v).readBigUInt64LE(0) !== (before.get(k) ?? 0n));
  if (res !== 0) { assert.equal(changed.length, 0, 'an accepted packet changed a counter'); return undefined; }
  assert.equal(changed.length, 1, 'a dropped packet must add to exactly one counter');
  assert.equal(Buffer.from(changed[0]![1]).readBigUInt64LE(0) - (before.get(changed[0]![0]) ?? 0n), 1n);
  return changed[0]![0];
}

const decodeKey = (k: number): { vrid: number; reason: KernelReason } | 'foreign' =>
  k === FOREIGN_KEY ? 'foreign' : { vrid: Math.floor(k / 8), reason: KERNEL_REASONS[k % 8]! };

function check(prog: Buffer, m: Map<number, FakeMap>, served: Served[], data: Uint8Array, net: Uint8Array, expected: { vrid: number; outcome: Outcome }, plen: number, what: string, sums = true): boolean {
  const key = decide(prog, m, data, net);
  if (key === undefined) {
    assert.notEqual(expected.outcome, 'unknown-vrid', `${what}: a packet for no served VRID was accepted`);
    const s = served.find((x) => x.vrid === expected.vrid)!;
    // Effectiveness: with everything told, only what user space must see gets through.
    const decidable = KERNEL_REASONS.filter((r) => sums || r !== 'bad-checksum') as readonly string[];
    if (s.full && plen <= MAX_SUM_LEN) assert.ok(!decidable.includes(expected.outcome), `${what}: ${expected.outcome} was left to user space`);
    return false;
  }
  const d = decodeKey(key);
  if (d === 'foreign') assert.equal(expected.outcome, 'unknown-vrid', `${what}: counted as foreign VRID`);
  else assert.deepEqual({ vrid: d.vrid, outcome: d.reason }, expected, what);
  return true;
}

/**
 * n packets with 1-3 random bytes changed at `from` or later (IPv4: the payload; the kernel has
 * checked the IP header before a socket filter runs) and, for IPv4, the TTL now and then.
 */
function mutants(base: Buffer[], n: number, seed: number, from = 0): Buffer[] {
  let x = seed;
  const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return Array.from({ length: n }, () => {
    const p = Buffer.from(base[rnd() % base.length]!);
    if (p.length > from) for (let k = rnd() % 3; k >= 0; k--) p[from + (rnd() % (p.length - from))] = rnd() & 0xff;
    if (from === 20 && rnd() % 8 === 0) p[8] = rnd() % 4 === 0 ? 255 : rnd() & 0xff;
    return p;
  });
}

test('IPv4: every packet the filter drops is counted under validate.ts\'s reason for its VRID, and every decidable one is dropped', () => {
  const served = served4();
  const prog = vrrpFilter(4, CONFIG_FD, COUNTERS_FD);
  const byVrid = new Map(served.map((s) => [s.vrid, { rx: s.rx, src: parseIP(MASTER4).addr }]));
  const pkts: Buffer[] = [];
  for (const s of served) {
    for (const src of [PEER4, MASTER4]) {
      const target = { src, vrid: s.vrid, version: s.rx.version, vip: '10.9.1.1' };
      for (const k of [...FLOOD_KINDS, 'edge'] as FloodKind[]) pkts.push(...floodPackets(k, target, k === 'edge' ? 45 : 12, s.vrid));
    }
  }
  // Plain-checksum adverts (v3_checksum_as_v2) for the forms that accept them.
  for (const vrid of [51, 70, 80, 110]) {
    const msg = encodeVrrp({ version: 3, vrid, priority: 100, addresses: [parseIP('10.9.1.1').addr], interval: 100 }, { src: parseIP(PEER4).addr, dst: parseIP('224.0.0.18').addr, mode: 'plain' });
    pkts.push(ipv4(PEER4, '224.0.0.18', 255, msg));
  }
  // Unicast destination: no TTL check (RFC 5798 §7.1 applies it to multicast only).
  pkts.push(...floodPackets('ttl1', { src: PEER4, vrid: 51, version: 3, vip: '10.9.1.1' }, 3).map((p) => { const q = Buffer.from(p); q.set(parseIP(MASTER4).addr, 16); return q; }));
  // Longer than the kernel sums: left to user space, still never miscounted.
  pkts.push(ipv4(PEER4, '224.0.0.18', 255, Buffer.concat([floodPackets('checksum', { src: PEER4, vrid: 51, version: 3, vip: '10.9.1.1' }, 1)[0]!.subarray(20), Buffer.alloc(MAX_SUM_LEN)])));
  pkts.push(...mutants(pkts, 3000, 7, 20));
  const outcomes = new Set<string>();
  // The full filter, and the one without the checksum loop (CAP_BPF without CAP_PERFMON).
  for (const sums of [true, false]) {
    const p2 = sums ? prog : vrrpFilter(4, CONFIG_FD, COUNTERS_FD, { checksum: false });
    const m2 = maps(4, served);
    let dropped = 0;
    for (const [i, p] of pkts.entries()) {
      const e = classify(p, byVrid);
      outcomes.add(e.outcome);
      if (check(p2, m2, served, p, p, e, p.length - 20, `${sums ? '' : 'no sums: '}packet ${i} (${p.subarray(20, 28).toString('hex')}, ttl ${p[8]})`, sums)) dropped++;
    }
    assert.ok(dropped > pkts.length / 2, `only ${dropped} of ${pkts.length} dropped`);
  }
  for (const o of ['unknown-vrid', 'own', 'ok', 'bad-length', 'bad-ttl', 'bad-version', 'bad-type', 'bad-checksum']) assert.ok(outcomes.has(o), `no ${o} case`);
});

test('IPv6: hop limit, v3 only, pseudo-header checksum over the IPv6 addresses', () => {
  const own = parseIP(MASTER6).addr;
  const rx = (vrid: number): ReceiveConfig => ({ version: 3, family: 6, vrid, checksumMode: 'pseudo-header', auth: { type: 'none' }, advertIntervalCs: 100 });
  const served: Served[] = [
    { vrid: 51, rx: rx(51), filter: { src: own, version: 3 }, full: true },
    { vrid: 90, rx: rx(90), filter: { src: own }, full: false },
  ];
  const m = maps(6, served);
  const prog = vrrpFilter(6, CONFIG_FD, COUNTERS_FD);
  const net = (src: string, dst: string, hop: number, plen: number): Buffer => {
    const h = Buffer.alloc(40);
    h[0] = 0x60; h.writeUInt16BE(plen, 4); h[6] = 112; h[7] = hop;
    h.set(parseIP(src).addr, 8); h.set(parseIP(dst).addr, 24);
    return h;
  };
  const cases: { payload: Buffer; src: string; dst: string; hop: number }[] = [];
  for (const vrid of [51, 90, 52]) {
    for (const src of [PEER6, MASTER6]) {
      const good = encodeVrrp({ version: 3, vrid, priority: 100, addresses: [parseIP('fd00::1').addr], interval: 100 }, { src: parseIP(src).addr, dst: parseIP(GROUP6).addr, mode: 'pseudo-header' });
      const v2 = Buffer.from(good); v2[0] = 0x21;
      const bad = Buffer.from(good); bad[7]! ^= 0x55;
      const typ = Buffer.from(good); typ[0] = 0x32;
      for (const payload of [good, v2, bad, typ, good.subarray(0, 7), good.subarray(0, good.length - 1), good.subarray(0, 1), Buffer.concat([good, Buffer.alloc(1)])]) {
        for (const hop of [255, 1]) cases.push({ payload: Buffer.from(payload), src, dst: GROUP6, hop });
      }
      cases.push({ payload: Buffer.from(good), src, dst: 'fd00::2', hop: 1 }); // unicast: no hop-limit check
    }
  }
  const base = cases.map((c) => c.payload);
  for (const p of mutants(base, 1500, 11)) cases.push({ payload: p, src: PEER6, dst: GROUP6, hop: 255 });
  let dropped = 0;
  for (const [i, c] of cases.entries()) {
    const vrid = c.payload.length >= 2 ? c.payload[1]! : -1;
    const s = served.find((x) => x.vrid === vrid);
    let e: { vrid: number; outcome: Outcome };
    if (!s) e = { vrid, outcome: 'unknown-vrid' };
    else if (c.src === MASTER6) e = { vrid, outcome: 'own' };
    else {
      const v = validateAdvert(s.rx, { payload: c.payload, src: parseIP(c.src).addr, dst: parseIP(c.dst).addr, ttl: c.hop });
      e = { vrid, outcome: v.ok ? 'ok' : v.reason };
    }
    if (check(prog, m, served, c.payload, net(c.src, c.dst, c.hop, c.payload.length), e, c.payload.length, `case ${i} (${c.payload.subarray(0, 8).toString('hex')}, hop ${c.hop})`)) dropped++;
  }
  assert.ok(dropped > cases.length / 3, `only ${dropped} of ${cases.length} dropped`);
});

test('encodeVridConfig: source words as LD_ABS reads them, flags, version, checksum forms', () => {
  const c = encodeVridConfig(4, { src: Uint8Array.of(10, 9, 0, 1), version: 3, checksum: 'either' });
  assert.equal(c.subarray(0, 24).toString('hex'), '0100090a000000000000000000000000' + '03' + '03' + '03' + '0000000000');
  assert.ok(c.subarray(19).every((x) => x === 0), 'no reference');
  assert.equal(encodeVridConfig(4, { version: 2 }).subarray(16, 19).toString('hex'), '020201'); // v2: plain, whatever the form
  assert.equal(encodeVridConfig(6, { version: 3 }).subarray(16, 19).toString('hex'), '020302'); // IPv6: pseudo-header
  assert.equal(encodeVridConfig(4, { version: 3 }).subarray(16, 19).toString('hex'), '020300'); // form unknown: user space
  assert.equal(encodeVridConfig(4, {}).subarray(16, 19).toString('hex'), '000000');
  assert.equal(counterKey(51, 'bad-checksum'), 51 * 8 + 4);
});
