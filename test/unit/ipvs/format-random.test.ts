// The listing built as one string, with IPv4 tables sorted by index, against the formatter it
// replaced (format-reference.ts) on random tables: every view, IPv4 and IPv6, marks, addresses
// spread over the whole range (ipvsadm's wrap-around comparison), long names, large counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatList, sortServices, type ListFormat } from '../../../src/ipvs/format.js';
import { formatList as referenceList, sortServices as referenceSort } from './format-reference.js';
import type { DestEntry, ForwardMethod, ServiceEntry, ServiceFlag, Stats } from '../../../src/ipvs/model.js';
import { seededDraws } from '../../support/seeded-random.js';

const { rnd, pick } = seededDraws(12345);
const big = (): bigint => pick([0n, 7n, 99999999n, 100000000n, 123456789012n, 10n ** 15n]) + BigInt(rnd(1000));
const stats = (): Stats => ({ conns: big(), inPkts: big(), outPkts: big(), inBytes: big(), outBytes: big(), cps: big(), inPps: big(), outPps: big(), inBps: big(), outBps: big() });
const v4 = () => pick([
  () => `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`,
  () => `10.${rnd(3)}.${rnd(3)}.${rnd(4)}`, // close addresses: equal words, ports decide
]).call(null);
const v6 = () => pick([`2001:db8::${rnd(65536).toString(16)}`, `fe80::${rnd(16)}:${rnd(65536).toString(16)}`, '::', `${rnd(65536).toString(16)}:1:2:3:4:5:6:7`]);
const number = () => pick([0, 1, 65535, 4294967295, rnd(100000)]);

function dest(family: 4 | 6): DestEntry {
  const forward = pick<ForwardMethod>(['masq', 'masq', 'masq', 'local', 'tunnel', 'route']);
  const d: DestEntry = {
    family, address: family === 4 ? v4() : v6(), port: pick([80, 8000 + rnd(4), rnd(65536)]), forward, weight: pick([1, 1, 0, 65535, rnd(300)]),
    upperThreshold: number(), lowerThreshold: number(), activeConns: pick([0, 0, number()]), inactConns: pick([0, 0, number()]), persistConns: number(), stats: stats(),
  };
  if (forward === 'tunnel' && rnd(2)) { d.tunnelType = pick(['ipip', 'gue', 'gre'] as const); d.tunnelPort = rnd(65536); d.tunnelChecksum = pick(['nocsum', 'csum', 'remcsum'] as const); }
  return d;
}

function service(allV4: boolean): ServiceEntry {
  const family = allV4 || rnd(4) ? 4 : 6;
  const fwmark = allV4 || rnd(5) ? 0 : pick([1, 7, 0x80000000, 0xffffffff]);
  const scheduler = pick(['wrr', 'rr', 'sh', 'mh', 'wlc']);
  const flags: ServiceFlag[] = [];
  if (!allV4 && rnd(3) === 0) flags.push('persistent');
  if (rnd(5) === 0) flags.push('one-packet');
  if (scheduler === 'sh' && rnd(2)) flags.push('sh-port');
  // Mostly IPv4 real servers in an IPv4 service; sometimes IPv6 ones (their sort takes the general path).
  const n = pick([0, 1, 2, 10, 10, 33]);
  const dests = Array.from({ length: n }, () => dest(allV4 || family === 4 && rnd(10) ? 4 : family === 6 ? 6 : pick([4, 6] as const)));
  return {
    family, protocol: pick(['tcp', 'tcp', 'udp', 'sctp'] as const), address: fwmark ? (family === 4 ? '0.0.0.0' : '::') : family === 4 ? v4() : v6(),
    port: fwmark ? 0 : pick([80, 443, rnd(65536)]), fwmark, scheduler, flags, timeout: flags.includes('persistent') ? rnd(1000) : 0,
    netmask: family === 4 ? pick([32, 24, 0]) : pick([128, 64]), stats: stats(), dests,
  };
}

const views: ListFormat[] = [{}, { stats: true }, { rate: true }, { thresholds: true }, { persistentConn: true }, { stats: true, exact: true }, { rate: true, exact: true }];
const info = { version: 0x010201, connTabSize: 4096 };

test('formatList gives the reference text on 400 random tables, every view', () => {
  for (let t = 0; t < 400; t++) {
    const allV4 = t % 2 === 0;
    const table = Array.from({ length: pick([0, 1, 5, 40]) }, () => service(allV4));
    for (const f of views) assert.equal(formatList(info, table, f), referenceList(info, table, f), `table ${t}, view ${JSON.stringify(f)}`);
  }
});

test('the IPv4 services sort (by index) puts them in the order the general comparator does, wrap-around included', () => {
  for (let t = 0; t < 200; t++) {
    const table = Array.from({ length: 2 + rnd(60) }, () => service(true));
    const got = sortServices(table), want = referenceSort(table);
    assert.equal(got.length, want.length);
    got.forEach((s, i) => assert.equal(s, want[i], `table ${t}, position ${i}`));
  }
});
