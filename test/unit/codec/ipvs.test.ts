import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitAttrs, decodeAttrs, encodeAttrs } from '../../../src/codec/netlink/attrs.js';
import {
  decodeDest, decodeIpvs, decodeService, destAttrs, destReplyAttrs, encodeIpvs, IPVS_CMD, SERVICE_ATTRS, serviceAttrs,
  serviceKeyAttrs, serviceReplyAttrs, STATS64_ATTRS, STATS_ATTRS, DEST_ATTRS, decodeTimeouts, encodeServiceBlock,
} from '../../../src/codec/netlink/ipvs.js';
import { HOST_LE } from '../../../src/codec/netlink/message.js';
import { zeroStats, type DestEntry, type ServiceEntry, type ServiceSpec } from '../../../src/ipvs/model.js';

const le32 = (n: number) => { const b = Buffer.alloc(4); HOST_LE ? b.writeUInt32LE(n) : b.writeUInt32BE(n); return [...b]; };
const le16 = (n: number) => { const b = Buffer.alloc(2); HOST_LE ? b.writeUInt16LE(n) : b.writeUInt16BE(n); return [...b]; };

const web: ServiceSpec = { family: 4, protocol: 'tcp', address: '10.0.0.1', port: 80, fwmark: 0, scheduler: 'rr', flags: ['persistent'], timeout: 300, netmask: 24 };

test('a full IPv4 service: 16-byte address, network-order port and mask, struct ip_vs_flags', () => {
  const bytes = [...encodeAttrs(SERVICE_ATTRS, serviceAttrs(web))];
  const expected = [
    6, 0, 1, 0, ...le16(2), 0, 0, // AF_INET
    6, 0, 2, 0, ...le16(6), 0, 0, // IPPROTO_TCP
    20, 0, 3, 0, 10, 0, 0, 1, ...Array(12).fill(0), // union nf_inet_addr
    6, 0, 4, 0, 0, 80, 0, 0, // port 80, big-endian
    7, 0, 6, 0, 0x72, 0x72, 0, 0, // "rr\0"
    12, 0, 7, 0, ...le32(1), ...le32(0x3d), // flags persistent, mask = the user-settable bits
    8, 0, 8, 0, ...le32(300),
    8, 0, 9, 0, 255, 255, 255, 0, // netmask /24 as a network-order mask
  ];
  assert.deepEqual(bytes, expected);
});

test('an IPv6 netmask is a host-order prefix length; a fwmark service names only af and mark', () => {
  const v6 = { ...web, family: 6 as const, address: '2001:db8::1', netmask: 64 };
  const attrs = splitAttrs(encodeAttrs(SERVICE_ATTRS, serviceAttrs(v6)));
  assert.deepEqual([...attrs.find((a) => a.type === 9)!.data], le32(64));
  assert.deepEqual([...attrs.find((a) => a.type === 3)!.data], [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1]);
  const fw = splitAttrs(encodeAttrs(SERVICE_ATTRS, serviceKeyAttrs({ family: 6, protocol: 'tcp', address: '::', port: 0, fwmark: 7 })));
  assert.deepEqual(fw.map((a) => a.type), [1, 5]);
  assert.deepEqual([...fw[0]!.data], le16(10));
});

test('services and destinations round trip through what the kernel replies', () => {
  const svc: ServiceEntry = { ...web, flags: ['persistent', 'sh-fallback', 'sh-port'], scheduler: 'sh', pe: 'sip', stats: { ...zeroStats(), conns: 5n, inBytes: 2n ** 40n, outBps: 7n }, dests: [] };
  const back = decodeService(decodeAttrs(SERVICE_ATTRS, encodeAttrs(SERVICE_ATTRS, serviceReplyAttrs(svc))));
  assert.deepEqual(back, svc);
  const d: DestEntry = {
    family: 4, address: '10.0.1.2', port: 8080, forward: 'tunnel', weight: 3, upperThreshold: 10, lowerThreshold: 2,
    tunnelType: 'gue', tunnelPort: 6080, tunnelChecksum: 'remcsum', activeConns: 1, inactConns: 2, persistConns: 3, stats: { ...zeroStats(), inPkts: 9n },
  };
  assert.deepEqual(decodeDest(decodeAttrs(DEST_ATTRS, encodeAttrs(DEST_ATTRS, destReplyAttrs(d))), 4), d);
});

test('64-bit statistics win over the 32-bit set when both are present', () => {
  const v = { stats: { conns: 1 }, stats64: { conns: 2n ** 33n } };
  const table = { stats: { id: 10, type: 'nested' as const, table: STATS_ATTRS }, stats64: { id: 12, type: 'nested' as const, table: STATS64_ATTRS } };
  const decoded = decodeAttrs(table, encodeAttrs(table, v));
  assert.equal(decodeService(decoded).stats.conns, 2n ** 33n);
  assert.equal(decodeService({ stats: { conns: 4 } }).stats.conns, 4n);
  // An old kernel sends only the 32-bit block: it is decoded from the bytes then.
  const only32 = encodeAttrs(SERVICE_ATTRS, { af: 2, stats: { conns: 3, inBytes: 2n ** 35n } });
  const s = decodeService(decodeAttrs(SERVICE_ATTRS, only32));
  assert.deepEqual([s.stats.conns, s.stats.inBytes], [3n, 2n ** 35n]);
});

test('flags from the kernel carry HASHED; it never shows up as a named flag', () => {
  const s = decodeService({ af: 2, schedName: 'mh', flags: { flags: 0x2 | 0x4 | 0x10, mask: 0xffffffff } });
  assert.deepEqual(s.flags, ['one-packet', 'mh-port']);
});

test('tunnel attributes go out only for tunnel destinations; a masq one has none', () => {
  const base = { family: 4 as const, address: '10.0.1.2', port: 80, weight: 1, upperThreshold: 0, lowerThreshold: 0 };
  assert.equal(destAttrs({ ...base, forward: 'masq', tunnelType: 'gue' }).tunType, undefined);
  assert.equal(destAttrs({ ...base, forward: 'tunnel', tunnelType: 'gre' }).tunType, 2);
  assert.equal(destAttrs({ ...base, forward: 'route' }).fwdMethod, 3);
});

test('IPVS command payloads: command byte, version 1, nested service and destination', () => {
  const p = encodeIpvs(IPVS_CMD.NEW_DEST, { service: serviceKeyAttrs(web), dest: destAttrs({ family: 4, address: '10.0.1.2', port: 80, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 }) });
  assert.deepEqual([...p.subarray(0, 4)], [5, 1, 0, 0]);
  const top = splitAttrs(p.subarray(4));
  assert.deepEqual(top.map((a) => [a.type, a.nested]), [[1, true], [2, true]]);
  const d = decodeIpvs(p);
  assert.equal(d.cmd, IPVS_CMD.NEW_DEST);
  assert.equal((d.attrs.dest as { weight: number }).weight, 1);
  assert.deepEqual(decodeTimeouts(encodeIpvs(IPVS_CMD.SET_CONFIG, { timeouts: { tcp: 1, tcpFin: 2, udp: 3 } })), { tcp: 1, tcpFin: 2, udp: 3 });
});

test('a pre-encoded service block goes out byte for byte like the nested attributes', () => {
  const dest = destAttrs({ family: 4, address: '10.0.1.2', port: 80, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
  const viaValues = encodeIpvs(IPVS_CMD.SET_DEST, { service: serviceKeyAttrs(web), dest });
  const viaBlock = encodeIpvs(IPVS_CMD.SET_DEST, { service: encodeServiceBlock(serviceKeyAttrs(web)), dest });
  assert.deepEqual([...viaBlock], [...viaValues]);
});
