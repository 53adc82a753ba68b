// Laws checked with fast-check on generated inputs: codec round trips (VRRP v2/v3, ARP, NA, ICMP
// echo, netlink attributes, IPVS service and destination attributes), the IPVS reconciler reaching
// a fixed point against the fake kernel, planReload(a, a) changing nothing, and pool quorum being
// monotonic in live weight. Each property runs a fixed number of cases (seed printed on failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeVrrp, encodeVrrp, VRRP_MCAST_V4, VRRP_MCAST_V6, type ChecksumMode } from '../../src/codec/vrrp.js';
import { validateAdvert } from '../../src/vrrp/validate.js';
import { decodeArp, encodeArp } from '../../src/codec/arp.js';
import { decodeNeighborAdvert, encodeNeighborAdvert } from '../../src/codec/ndisc.js';
import { decodeIcmp, encodeEcho } from '../../src/codec/icmp.js';
import { decodeAttrs, encodeAttrs } from '../../src/codec/netlink/attrs.js';
import { decodeDest, decodeIpvs, decodeService, destReplyAttrs, encodeIpvs, IPVS_CMD, serviceReplyAttrs } from '../../src/codec/netlink/ipvs.js';
import { reconcile } from '../../src/ipvs/reconcile.js';
import { IpvsClient } from '../../src/ipvs/client.js';
import { zeroStats, type DesiredService, type DestEntry, type DestSpec, type ServiceEntry } from '../../src/ipvs/model.js';
import { planReload, settingsKeys, wireIdentity, type InstanceKeys } from '../../src/app/reload.js';
import { evaluatePool, type RsView } from '../../src/check/pool.js';
import { loadConfigText } from '../../src/config/load.js';
import type { RealServer } from '../../src/config/model.js';
import { FakeIpvsKernel } from '../support/fake-ipvs-kernel.js';
import { FUZZ_TABLE } from '../fuzz/targets/netlink-attrs.js';

const RUNS = Number(process.env.VIPKEEPER_PROPERTY_RUNS ?? 300);
const params = { numRuns: RUNS };
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const ip4 = bytes(4), ip6 = bytes(16), macA = bytes(6);

test('VRRP v2: encode then decode gives the advert back, and validation accepts it', () => {
  fc.assert(fc.property(
    fc.record({ vrid: fc.integer({ min: 1, max: 255 }), priority: fc.integer({ min: 0, max: 255 }), interval: fc.integer({ min: 1, max: 255 }),
      addresses: fc.array(ip4, { minLength: 1, maxLength: 20 }), pass: fc.option(fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom(...'abcdefgh0123') })) }),
    (a) => {
      const authData = a.pass ? Buffer.from(a.pass.padEnd(8, '\0').slice(0, 8), 'latin1') : new Uint8Array(8);
      const msg = encodeVrrp({ version: 2, vrid: a.vrid, priority: a.priority, interval: a.interval, addresses: a.addresses, authType: a.pass ? 1 : 0, authData });
      const d = decodeVrrp(msg, 4);
      assert.ok(d.ok);
      assert.deepEqual([d.advert.vrid, d.advert.priority, d.advert.interval, d.advert.authType], [a.vrid, a.priority, a.interval, a.pass ? 1 : 0]);
      assert.deepEqual(d.advert.addresses.map((x) => [...x]), a.addresses.map((x) => [...x]));
      const v = validateAdvert({ version: 2, family: 4, vrid: a.vrid, checksumMode: 'pseudo-header', auth: a.pass ? { type: 'pass', password: a.pass } : { type: 'none' }, advertIntervalCs: a.interval * 100 },
        { payload: msg, src: Uint8Array.of(10, 0, 0, 2), dst: VRRP_MCAST_V4, ttl: 255 });
      assert.ok(v.ok, v.ok ? '' : v.reason);
      // The same advert arriving with a TTL below 255 (it was routed) is always dropped.
      const routed = validateAdvert({ version: 2, family: 4, vrid: a.vrid, checksumMode: 'pseudo-header', auth: a.pass ? { type: 'pass', password: a.pass } : { type: 'none' }, advertIntervalCs: a.interval * 100 },
        { payload: msg, src: Uint8Array.of(10, 0, 0, 2), dst: VRRP_MCAST_V4, ttl: 254 });
      assert.deepEqual(routed, { ok: false, reason: 'bad-ttl' });
    }), params);
});

test('VRRP v3: encode then decode gives the advert back for IPv4 and IPv6, either checksum form', () => {
  fc.assert(fc.property(
    fc.boolean(), fc.constantFrom<ChecksumMode>('pseudo-header', 'plain'), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 1, max: 4095 }), fc.integer({ min: 1, max: 10 }), ip6, ip6, fc.array(ip4, { minLength: 10, maxLength: 10 }),
    (six, mode, vrid, priority, interval, n, src6, extra6, v4s) => {
      const addresses = six ? Array.from({ length: n }, (_, i) => Uint8Array.from(extra6.map((b) => b ^ i))) : v4s.slice(0, n);
      const src = six ? src6 : Uint8Array.of(10, 0, 0, 2);
      const dst = six ? VRRP_MCAST_V6 : VRRP_MCAST_V4;
      const msg = encodeVrrp({ version: 3, vrid, priority, interval, addresses }, { src, dst, mode });
      const d = decodeVrrp(msg, six ? 6 : 4);
      assert.ok(d.ok);
      assert.deepEqual([d.advert.version, d.advert.vrid, d.advert.priority, d.advert.interval], [3, vrid, priority, interval]);
      assert.deepEqual(d.advert.addresses.map((x) => [...x]), addresses.map((x) => [...x]));
      const v = validateAdvert({ version: 3, family: six ? 6 : 4, vrid, checksumMode: mode, auth: { type: 'none' }, advertIntervalCs: 100 }, { payload: msg, src, dst, ttl: 255 });
      assert.ok(v.ok, v.ok ? '' : v.reason);
    }), params);
});

test('ARP, neighbour advertisement and ICMP echo: encode then decode is the identity', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), macA, ip4, macA, ip4, (op, sm, si, tm, ti) => {
    const d = decodeArp(encodeArp({ op, senderMac: sm, senderIp: si, targetMac: tm, targetIp: ti }));
    assert.ok(d.ok);
    assert.deepEqual(d.value, { op, senderMac: sm, senderIp: si, targetMac: tm, targetIp: ti });
  }), params);
  fc.assert(fc.property(ip6, fc.boolean(), fc.boolean(), fc.boolean(), fc.option(macA, { nil: undefined }), ip6, ip6, (target, router, solicited, override, targetMac, src, dst) => {
    const na = { target, router, solicited, override, ...(targetMac ? { targetMac } : {}) };
    const d = decodeNeighborAdvert(encodeNeighborAdvert(na, src, dst), src, dst);
    assert.ok(d.ok);
    assert.deepEqual(d.value, na);
  }), params);
  fc.assert(fc.property(fc.constantFrom<4 | 6>(4, 6), fc.boolean(), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 64 }), ip6, ip6,
    (family, reply, id, seq, data, src, dst) => {
      const v6 = family === 6 ? { src, dst } : undefined;
      const d = decodeIcmp(family, encodeEcho(family, { reply, id, seq, data }, v6), v6);
      assert.ok(d.ok && d.value.kind === 'echo');
      assert.deepEqual({ reply: d.value.reply, id: d.value.id, seq: d.value.seq, data: [...d.value.data] }, { reply, id, seq, data: [...data] });
    }), params);
});

test('netlink attributes: decode(encode(v)) == v for every scalar type, nested and array', () => {
  const str = fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0'));
  const inner = fc.record({ a: fc.nat(0xffffffff), s: str }, { requiredKeys: [] }).map((o) => ({ ...o }));
  const values = fc.record({
    u8: fc.nat(0xff), u16: fc.nat(0xffff), u32: fc.nat(0xffffffff), u64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    s32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), be16: fc.nat(0xffff), be32: fc.nat(0xffffffff), str,
    bytes: fc.uint8Array({ maxLength: 40 }), flag: fc.constant(true), nest: inner, list: fc.array(inner, { maxLength: 5 }),
  }, { requiredKeys: [] }).map((o) => ({ ...o }));
  fc.assert(fc.property(values, (v) => {
    assert.deepEqual(decodeAttrs(FUZZ_TABLE, encodeAttrs(FUZZ_TABLE, v)), v);
  }), params);
});

// ---------------------------------------------------------------- IPVS

const SCHED = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'sed'] as const;
const destArb = (family: 4 | 6) => fc.record({
  host: fc.integer({ min: 1, max: 6 }), port: fc.constantFrom(80, 8080), forward: fc.constantFrom('masq', 'route', 'tunnel', 'local') as fc.Arbitrary<DestSpec['forward']>,
  weight: fc.integer({ min: 0, max: 100 }), lower: fc.integer({ min: 0, max: 50 }), extra: fc.integer({ min: 0, max: 50 }),
  tun: fc.constantFrom('ipip', 'gue', 'gre') as fc.Arbitrary<'ipip' | 'gue' | 'gre'>, csum: fc.constantFrom('nocsum', 'csum', 'remcsum') as fc.Arbitrary<'nocsum' | 'csum' | 'remcsum'>,
}).map((d): DestSpec => {
  const out: DestSpec = { family, address: family === 4 ? `10.0.1.${d.host}` : `fd00:1::${d.host}`, port: d.port, forward: d.forward, weight: d.weight,
    upperThreshold: d.lower === 0 ? d.extra : d.lower + d.extra, lowerThreshold: d.lower === 0 ? 0 : d.lower };
  if (d.forward === 'tunnel') { out.tunnelType = d.tun; if (d.tun === 'gue') out.tunnelPort = 6080; if (d.tun !== 'ipip') out.tunnelChecksum = d.csum; }
  return out;
});
const serviceArb: fc.Arbitrary<DesiredService> = fc.record({
  six: fc.boolean(), host: fc.integer({ min: 1, max: 3 }), port: fc.constantFrom(80, 443), protocol: fc.constantFrom('tcp', 'udp') as fc.Arbitrary<'tcp' | 'udp'>,
  fwmark: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 3 })), scheduler: fc.constantFrom(...SCHED),
  persistent: fc.boolean(), onePacket: fc.boolean(), timeout: fc.integer({ min: 0, max: 600 }), mask: fc.integer({ min: 8, max: 32 }),
}).chain((s) => fc.uniqueArray(destArb(s.six ? 6 : 4), { maxLength: 5, selector: (d) => `${d.address}:${d.port}` }).map((dests): DesiredService => ({
  family: s.six ? 6 : 4, protocol: s.protocol, address: s.six ? `fd00::${s.host}` : `10.0.0.${s.host}`, port: s.port, fwmark: s.fwmark,
  scheduler: s.scheduler, flags: [...(s.persistent ? ['persistent' as const] : []), ...(s.onePacket && s.protocol === 'udp' ? ['one-packet' as const] : [])],
  timeout: s.persistent ? Math.max(1, s.timeout) : s.timeout, netmask: s.six ? 128 : s.mask, dests,
})));
const serviceKey = (s: DesiredService) => (s.fwmark > 0 ? `fw${s.family}:${s.fwmark}` : `${s.family}:${s.protocol}:${s.address}:${s.port}`);
const servicesArb = fc.uniqueArray(serviceArb, { maxLength: 5, selector: serviceKey });

test('IPVS attributes: service and destination survive encode, the genl message and decode', () => {
  fc.assert(fc.property(serviceArb, (s) => {
    const entry: ServiceEntry = { ...s, stats: { ...zeroStats(), conns: 7n, inBytes: 2n ** 40n }, dests: [] };
    const msg = decodeIpvs(encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(entry) }));
    const back = decodeService(msg.attrs.service as Record<string, unknown>);
    assert.deepEqual({ ...back, dests: [] }, { ...entry, dests: [] });
    for (const d of s.dests) {
      const de: DestEntry = { ...d, activeConns: 3, inactConns: 1, persistConns: 0, stats: zeroStats() };
      const m2 = decodeIpvs(encodeIpvs(IPVS_CMD.NEW_DEST, { service: serviceReplyAttrs(entry), dest: destReplyAttrs(de) }));
      assert.deepEqual(decodeDest(m2.attrs.dest as Record<string, unknown>, s.family), de);
    }
  }), params);
});

test('IPVS reconcile reaches a fixed point: reconcile(desired, apply(reconcile(desired, actual))) is empty', async () => {
  let nonEmpty = 0;
  await fc.assert(fc.asyncProperty(servicesArb, servicesArb, async (desired, actual) => {
    const kernel = new FakeIpvsKernel();
    const client = await IpvsClient.open(kernel);
    for (const s of actual) {
      const { dests, ...spec } = s;
      await client.addService(spec);
      for (const d of dests) await client.addDest(spec, d);
    }
    const ops = reconcile(desired, await client.list());
    if (ops.length) nonEmpty++;
    await client.apply(ops);
    const again = reconcile(desired, await client.list());
    assert.deepEqual(again, [], `left after applying ${ops.length} ops`);
    // Services that were not desired (and not previously managed) are left alone.
    const keys = new Set(desired.map(serviceKey));
    const after = await client.list();
    for (const s of actual) if (!keys.has(serviceKey(s))) assert.ok(after.some((a) => serviceKey(a) === serviceKey(s)), 'an unmanaged service was removed');
    client.close?.();
  }), { numRuns: Math.max(50, Math.floor(RUNS / 3)) });
  assert.ok(nonEmpty >= 10, `only ${nonEmpty} cases had anything to change`);
});

// ---------------------------------------------------------------- reload and pools

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function keysOf(text: string, file: string): Map<string, InstanceKeys> | undefined {
  const r = loadConfigText(file, text);
  if (!r.model) return undefined;
  const settings = settingsKeys(r.model);
  return new Map(r.model.vrrpInstances.map((i) => [i.name, { identity: wireIdentity(r.model!, i), settings: settings.get(i.name)! }]));
}

test('planReload(a, a) changes nothing, for every example config loaded twice and for random key maps', () => {
  const files = [...readdirSync(join(ROOT, 'conf')).filter((f) => /\.(conf|yaml)$/.test(f)).map((f) => join(ROOT, 'conf', f)),
    ...readdirSync(join(ROOT, 'conf/demo')).map((f) => join(ROOT, 'conf/demo', f))];
  let checked = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const a = keysOf(text, f), b = keysOf(text, f);
    if (!a || !b || a.size === 0) continue;
    const plan = planReload(a, b);
    assert.deepEqual({ ...plan, keep: plan.keep.sort() }, { keep: [...a.keys()].sort(), update: [], restart: [], stop: [], start: [] }, f);
    checked++;
  }
  assert.ok(checked >= 3, `example configs with instances: ${checked}`);
  fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.record({ identity: fc.string(), settings: fc.string() })), (d) => {
    const m = new Map(Object.entries(d));
    const plan = planReload(m, new Map(m));
    assert.deepEqual(plan.update.length + plan.restart.length + plan.stop.length + plan.start.length, 0);
    assert.equal(plan.keep.length, m.size);
  }), params);
});

test('pool quorum is monotonic: more live weight never loses a quorum that less live weight kept', () => {
  const rs = (i: number, inhibit: boolean): RealServer => ({ family: 4, address: `10.0.1.${i + 1}`, port: 80, lbKind: 'NAT', upperThreshold: 0, lowerThreshold: 0, inhibitOnFailure: inhibit } as unknown as RealServer);
  const viewArb = fc.array(fc.record({ up: fc.boolean(), weight: fc.integer({ min: 0, max: 20 }), inhibit: fc.boolean(), more: fc.integer({ min: 0, max: 10 }), wake: fc.boolean() }), { minLength: 1, maxLength: 8 });
  fc.assert(fc.property(viewArb, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 5 }), fc.boolean(), (vs, quorum, hysteresis, quorumUp) => {
    const less: RsView[] = vs.map((v, i) => ({ rs: rs(i, v.inhibit), up: v.up, weight: v.weight }));
    // More live weight: some servers come up, live ones gain weight; nothing goes down.
    const more: RsView[] = vs.map((v, i) => ({ rs: rs(i, v.inhibit), up: v.up || v.wake, weight: v.weight + v.more }));
    const cfg = { quorum, hysteresis, sorryServer: undefined };
    const a = evaluatePool(cfg, less, { quorumUp }), b = evaluatePool(cfg, more, { quorumUp });
    if (a.state.quorumUp) assert.ok(b.state.quorumUp, 'more live weight lost the quorum');
    if (!b.state.quorumUp) assert.ok(!a.state.quorumUp);
    // Every live server is a destination while quorum holds (no sorry server here).
    if (b.state.quorumUp) for (const v of more) if (v.up) assert.ok(b.dests.some((d) => d.address === v.rs.address && d.weight === v.weight));
  }), params);
});
