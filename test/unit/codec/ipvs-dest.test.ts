// The direct real-server and service codecs against the table-driven one: the same bytes out, the same values in.
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { decodeService, serviceReplyAttrs, decodeDest, decodeIpvs, destAttrs, destKeyAttrs, destReplyAttrs, encodeIpvs, encodeServiceBlock, IPVS_CMD, serviceKeyAttrs, STATS_ATTRS } from '../../../src/codec/netlink/ipvs.js';
import { decodeDestReply, encodeDestCommand } from '../../../src/codec/netlink/ipvs-dest.js';
import { encodeAttrs, NLA_F_NESTED } from '../../../src/codec/netlink/attrs.js';
import { encodeGenl } from '../../../src/codec/netlink/genl.js';
import { decodeServiceIn, decodeServiceReply, encodeServiceKeyCommand, encodeServiceKeyCommands, NO_STATS } from '../../../src/codec/netlink/ipvs-service.js';
import type { ServiceEntry } from '../../../src/ipvs/model.js';
import { zeroStats, type DestEntry, type DestSpec } from '../../../src/ipvs/model.js';

const base: DestSpec = { family: 4, address: '10.200.3.7', port: 8080, forward: 'masq', weight: 3, upperThreshold: 100, lowerThreshold: 10 };
const dests: DestSpec[] = [
  base,
  { ...base, address: '0.0.0.0', port: 0, weight: 0, upperThreshold: 0, lowerThreshold: 0, forward: 'route' },
  { ...base, address: '255.255.255.255', port: 65535, weight: 2 ** 31 - 1 },
  { ...base, family: 6, address: '2001:db8::1:2' },
  { ...base, family: 6, address: '::ffff:10.0.0.1', forward: 'tunnel', tunnelType: 'ipip' },
  { ...base, forward: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, tunnelChecksum: 'remcsum' },
  { ...base, forward: 'tunnel', tunnelType: 'gre', tunnelChecksum: 'csum' },
];
const services = [
  { family: 4 as const, protocol: 'tcp' as const, address: '10.100.0.1', port: 80, fwmark: 0 },
  { family: 6 as const, protocol: 'udp' as const, address: '2001:db8::80', port: 53, fwmark: 0 },
  { family: 4 as const, protocol: 'tcp' as const, address: '0.0.0.0', port: 0, fwmark: 77 },
];

test('encodeDestCommand writes the bytes of the table encoder, for add, edit and delete', () => {
  for (const s of services) {
    const block = encodeServiceBlock(serviceKeyAttrs(s));
    for (const d of dests) {
      for (const cmd of [IPVS_CMD.NEW_DEST, IPVS_CMD.SET_DEST]) {
        assert.deepEqual(encodeDestCommand(cmd, block, d), encodeIpvs(cmd, { service: block, dest: destAttrs(d) }), `${cmd} ${d.address}`);
      }
      assert.deepEqual(encodeDestCommand(IPVS_CMD.DEL_DEST, block, d, true), encodeIpvs(IPVS_CMD.DEL_DEST, { service: block, dest: destKeyAttrs(d) }));
    }
  }
});

test('an address that is no dotted quad goes through the full parser (or is refused like it)', () => {
  const block = encodeServiceBlock(serviceKeyAttrs(services[0]!));
  for (const address of ['010.0.0.1', '1.2.3', '1.2.3.4.5', '256.0.0.1', 'a.b.c.d', '']) {
    assert.throws(() => encodeDestCommand(IPVS_CMD.NEW_DEST, block, { ...base, address }), /not an IP address/, address);
  }
});

test('decodeDestReply gives what decodeIpvs + decodeDest give, counters included', () => {
  const stats = { ...zeroStats(), conns: 5n, inPkts: 2n ** 32n + 7n, outBytes: 2n ** 63n + 1n, inBps: 0xffffffffn };
  for (const d of dests) {
    const entry: DestEntry = { ...d, activeConns: 3, inactConns: 2 ** 32 - 1, persistConns: 1, stats };
    const payload = encodeIpvs(IPVS_CMD.NEW_DEST, { dest: destReplyAttrs(entry) });
    for (const fam of [4, 6] as const) {
      const want = decodeDest(decodeIpvs(payload).attrs.dest as Record<string, unknown>, fam);
      assert.deepEqual(decodeDestReply(payload, fam), want, d.address);
    }
  }
});

test('without stats64 (kernels before 4.1) the 32-bit block is read; without a dest, undefined', () => {
  const s32 = encodeAttrs(STATS_ATTRS, { conns: 4, inPkts: 1, outPkts: 2, inBytes: 2n ** 40n, outBytes: 3n, cps: 0, inPps: 0, outPps: 0, inBps: 9, outBps: 0 });
  const dAttrs = encodeAttrs({ addr: { id: 1, type: 'bytes' }, port: { id: 2, type: 'be16' }, stats: { id: 10 | NLA_F_NESTED, type: 'bytes' } }, { addr: new Uint8Array(16).fill(1), port: 80, stats: s32 });
  const payload = encodeGenl(IPVS_CMD.NEW_DEST, 1, encodeAttrs({ dest: { id: 2 | NLA_F_NESTED, type: 'bytes' } }, { dest: dAttrs }));
  const want = decodeDest(decodeIpvs(payload).attrs.dest as Record<string, unknown>, 4);
  assert.deepEqual(decodeDestReply(payload, 4), want);
  assert.equal(want.stats.inBytes, 2n ** 40n);
  assert.equal(decodeDestReply(encodeGenl(IPVS_CMD.NEW_DEST, 1), 4), undefined);
});

test('decodeServiceReply gives what decodeIpvs + decodeService give', () => {
  const stats = { ...zeroStats(), conns: 9n, outBytes: 2n ** 50n + 3n };
  const all: ServiceEntry[] = [
    { family: 4, protocol: 'tcp', address: '10.100.0.1', port: 80, fwmark: 0, scheduler: 'wrr', flags: [], timeout: 0, netmask: 32, stats, dests: [] },
    { family: 4, protocol: 'udp', address: '10.1.2.3', port: 53, fwmark: 0, scheduler: 'sh', flags: ['persistent', 'sh-fallback'], timeout: 300, netmask: 24, stats, dests: [] },
    { family: 6, protocol: 'sctp', address: '2001:db8::5', port: 9, fwmark: 0, scheduler: 'mh', flags: ['persistent'], timeout: 60, netmask: 64, pe: 'sip', stats, dests: [] },
    { family: 4, protocol: 'tcp', address: '0.0.0.0', port: 0, fwmark: 4000000000, scheduler: 'rr', flags: ['one-packet'], timeout: 0, netmask: 0, stats, dests: [] },
    // Names are read byte by byte while ASCII; anything else goes through the UTF-8 decoder.
    { family: 4, protocol: 'tcp', address: '10.0.0.7', port: 8, fwmark: 0, scheduler: 'wrr-\u00fc\u2603', flags: [], timeout: 0, netmask: 31, pe: 'p\u00e9', stats, dests: [] },
    { family: 4, protocol: 'tcp', address: '10.0.0.8', port: 8, fwmark: 0, scheduler: '', flags: [], timeout: 0, netmask: 1, stats, dests: [] },
  ];
  for (const svc of all) {
    const payload = encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(svc) });
    const want = decodeService(decodeIpvs(payload).attrs.service as Record<string, unknown>);
    assert.deepEqual(decodeServiceReply(payload), want, svc.address);
    // Without counters: every other value the same, the counters the shared zero block.
    const bare = decodeServiceReply(payload, false)!;
    assert.deepEqual(bare, { ...want, stats: zeroStats() }, svc.address);
    assert.equal(bare.stats, NO_STATS);
  }
  assert.ok(Object.isFrozen(NO_STATS));
  assert.equal(decodeServiceReply(encodeGenl(IPVS_CMD.NEW_SERVICE, 1)), undefined);
});

test('encodeServiceKeyCommand writes the bytes of the table encoder', () => {
  for (const k of [...services, { ...services[2]!, family: 6 as const, address: '::' }, { ...services[0]!, fwmark: 2 ** 32 - 1 }]) {
    assert.deepEqual(encodeServiceKeyCommand(IPVS_CMD.GET_DEST, k), encodeIpvs(IPVS_CMD.GET_DEST, { service: serviceKeyAttrs(k) }), k.address);
  }
});

test('encodeServiceKeyCommands: the same bytes for a whole listing, IPv4 addresses taken from their numbers', () => {
  const keys = [...services, { ...services[0]!, address: '255.1.2.3', port: 65535 }, { ...services[2]!, fwmark: 2 ** 31 + 5 }, { ...services[1]!, protocol: 'sctp' as const }];
  // The numbers decodeServiceReply gives (-1 for IPv6); a fwmark service's is never used.
  const v4 = [0x0a640001, -1, 0, 0xff010203, 0, -1];
  for (const numbers of [undefined, v4]) {
    const got = encodeServiceKeyCommands(IPVS_CMD.GET_DEST, keys, numbers);
    assert.equal(got.length, keys.length);
    keys.forEach((k, i) => assert.deepEqual(Buffer.from(got[i]!), encodeServiceKeyCommand(IPVS_CMD.GET_DEST, k), `${k.address} ${numbers ? 'by number' : 'by text'}`));
    // One buffer for all, each a view of its own bytes.
    assert.ok(got.every((p) => p.buffer === got[0]!.buffer));
  }
  assert.deepEqual(encodeServiceKeyCommands(IPVS_CMD.GET_DEST, []), []);
});

test('encodeServiceKeyCommands: any mix of families, protocols, addresses and ports (no service by mark) gives each key\'s own bytes', () => {
  // Families, protocols, addresses and ports varying from the first key's, in any order.
  const key = fc.oneof(
    fc.record({ family: fc.constant(4 as const), protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const), address: fc.ipV4(), port: fc.integer({ min: 0, max: 65535 }), fwmark: fc.constant(0) }),
    fc.record({ family: fc.constant(6 as const), protocol: fc.constantFrom('tcp' as const, 'udp' as const), address: fc.constantFrom('2001:db8::80', '::1', 'fe80::1:2'), port: fc.integer({ min: 0, max: 65535 }), fwmark: fc.constant(0) }),
  );
  fc.assert(fc.property(fc.array(key, { minLength: 1, maxLength: 40 }), (keys) => {
    const v4 = keys.map((k) => (k.family === 4 ? k.address.split('.').reduce((n, o) => n * 256 + Number(o), 0) : -1));
    const got = encodeServiceKeyCommands(IPVS_CMD.GET_DEST, keys, v4);
    assert.equal(got.length, keys.length);
    keys.forEach((k, i) => assert.deepEqual(Buffer.from(got[i]!), encodeServiceKeyCommand(IPVS_CMD.GET_DEST, k), `${i}: ${k.address}`));
  }), { numRuns: 300 });
});

test('decodeServiceIn reads replies in place, one after another in a buffer; a repeated scheduler name comes back whole', () => {
  const names = ['wrr', 'wrr', 'wr', 'wrrx', 'wrr', 'rr', 'w\u00e9', 'w', 'wrr', '', 'sh', 'sh'];
  const all: ServiceEntry[] = names.map((scheduler, i) => ({
    family: 4, protocol: 'tcp', address: `10.0.0.${i}`, port: 80 + i, fwmark: 0, scheduler, flags: i % 3 ? [] : ['persistent'], timeout: i % 3 ? 0 : 60,
    netmask: 32, pe: i === 4 ? 'sip' : undefined, stats: zeroStats(), dests: [],
  }));
  const payloads = all.map((s) => encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(s) }));
  const buf = Buffer.concat(payloads.flatMap((p) => [Buffer.alloc(3, 0xee), p]));
  let at = 0;
  const v4: number[] = [];
  payloads.forEach((p, i) => {
    at += 3;
    const got = decodeServiceIn(buf, at, at + p.length, false, v4)!;
    assert.deepEqual(got, decodeServiceReply(p, false), names[i]);
    assert.equal(got.scheduler, names[i]);
    at += p.length;
  });
  assert.deepEqual(v4, all.map((_, i) => 0x0a000000 + i));
});
