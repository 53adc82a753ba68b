import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatList, formatRules, largeNum, sortServices } from '../../../src/ipvs/format.js';
import { dest, entry, svc } from './builders.js';
import type { ServiceEntry } from '../../../src/ipvs/model.js';

// The fixtures are ipvsadm 1.31's own output for this table on a real kernel, captured by
// test/kernel/inside/capture-fixtures.ts (same rules, FIXTURE_RULES there).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const info = { version: 0x010201, connTabSize: 4096 };

const table: ServiceEntry[] = [
  svc('10.0.0.1', 80, [dest('10.0.1.2', { weight: 3 }), dest('10.0.1.3', { port: 8080, upperThreshold: 10, lowerThreshold: 5 })], { scheduler: 'rr' }),
  svc('192.168.0.1', 443, [
    dest('10.0.2.2', { port: 443, forward: 'route' }),
    dest('10.0.2.3', { port: 443, forward: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, tunnelChecksum: 'csum' }),
  ], { scheduler: 'sh', flags: ['persistent', 'sh-fallback', 'sh-port'], timeout: 60, netmask: 24 }),
  svc('10.0.0.1', 53, [], { protocol: 'udp', scheduler: 'wlc', flags: ['one-packet'] }),
  svc('10.0.0.9', 99, [], { protocol: 'sctp', scheduler: 'mh', flags: ['mh-port'] }),
  svc('0.0.0.0', 0, [], { fwmark: 7, scheduler: 'lc', flags: ['persistent'], timeout: 360 }),
  svc('2001:db8::1', 80, [dest('2001:db8::2')], { scheduler: 'rr', flags: ['persistent'], timeout: 100, netmask: 64 }),
  svc('::', 0, [], { fwmark: 8, scheduler: 'rr' }),
  svc('10.255.255.254', 65535, [dest('172.16.255.254', { port: 65535, weight: 65535 })], { scheduler: 'wrr' }),
].map(entry);

const listings: [string, Parameters<typeof formatList>[2]][] = [
  ['ipvsadm-Ln.txt', {}],
  ['ipvsadm-Ln-stats.txt', { stats: true }],
  ['ipvsadm-Ln-rate.txt', { rate: true }],
  ['ipvsadm-Ln-thresholds.txt', { thresholds: true }],
  ['ipvsadm-Ln-persistent-conn.txt', { persistentConn: true }],
  ['ipvsadm-Ln-exact-stats.txt', { stats: true, exact: true }],
];

for (const [file, opts] of listings) {
  test(`formatList matches ${file} byte for byte`, () => {
    assert.equal(formatList(info, table, opts), fixture(file));
  });
}

test('formatRules matches ipvsadm -Sn byte for byte', () => {
  assert.equal(formatRules(table), fixture('ipvsadm-Sn.txt'));
});

test("services sort as ipvsadm's C comparator does, wrap-around included", () => {
  // 192.168.0.1 - 10.0.0.1 overflows a signed int, so ipvsadm lists 192.168.0.1 first.
  const order = sortServices(table).map((s) => (s.fwmark ? `fwm${s.fwmark}` : `${s.protocol} ${s.address}:${s.port}`));
  assert.deepEqual(order, ['tcp 192.168.0.1:443', 'tcp 10.0.0.1:80', 'tcp 10.255.255.254:65535', 'udp 10.0.0.1:53', 'sctp 10.0.0.9:99', 'tcp 2001:db8::1:80', 'fwm7', 'fwm8']);
});

test('large counters abbreviate like print_largenum, or not with --exact', () => {
  const cases: [bigint, string, string][] = [
    [0n, '        0', '        0'],
    [99999999n, ' 99999999', ' 99999999'],
    [100000000n, '  100000K', ' 100000000'],
    [999999999n, '  999999K', ' 999999999'],
    [1000000000n, '    1000M', ' 1000000000'],
    [99999999999n, '   99999M', ' 99999999999'],
    [100000000000n, '     100G', ' 100000000000'],
    [100000000000000n, '     100T', ' 100000000000000'],
  ];
  for (const [n, abbreviated, exact] of cases) {
    assert.equal(largeNum(n), abbreviated, String(n));
    assert.equal(largeNum(n, true), exact, `${n} exact`);
  }
});

test('an empty table is the header and titles only; -Sn of it is empty', () => {
  assert.equal(formatList(info, []), fixture('ipvsadm-Ln.txt').split('\n').slice(0, 3).join('\n') + '\n');
  assert.equal(formatRules([]), '');
});

test('a firewall mark above 2^31 prints and sorts as ipvsadm does (as a negative %d)', () => {
  // Seen on a real kernel: `ipvsadm -A -f 4294967295` lists as "FWM  -1", before every other service.
  const t = [svc('10.0.0.1', 80, [], { scheduler: 'rr' }), svc('0.0.0.0', 0, [], { fwmark: 4294967295, scheduler: 'fo' })].map(entry);
  const out = formatList(info, t).split('\n');
  assert.deepEqual(out.slice(3, 5), ['FWM  -1 fo', 'TCP  10.0.0.1:80 rr']);
  assert.equal(formatRules(t).split('\n')[0], '-A -f -1 -s fo');
});
