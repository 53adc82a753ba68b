// Accept_Mode off: which addresses are filtered (accept-vips), the nft JSON batch (nft-plan), and
// the filter's life cycle over the in-memory nft (install, replace on reload, remove, failures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptFilterSpec } from '../../../src/vrrp/accept-vips.js';
import { AcceptFilter } from '../../../src/vrrp/accept-filter.js';
import { NFT_TABLE, planAcceptTable, planDeleteTable } from '../../../src/net/nft-plan.js';
import { MemoryNft } from '../../../src/net/nft-memory.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import { load } from '../config/helpers.js';
import type { Config } from '../../../src/config/model.js';

function conf(text: string): Config {
  const r = load(text);
  assert.ok(r.model, r.diagnostics.map((d) => d.message).join('\n'));
  return r.model;
}

const inst = (name: string, vrid: number, body: string, vips: string[]) =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n${body}  virtual_ipaddress {\n${vips.map((v) => `    ${v}\n`).join('')}  }\n}\n`;

test('spec: no_accept and strict-without-accept instances are filtered, accept and the owner are not', () => {
  const c = conf([
    inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24', '10.0.0.2/24']),
    inst('B', 2, '  priority 100\n', ['10.0.0.3/24']), // accept by default without vrrp_strict
    inst('C', 3, '  priority 255\n  state MASTER\n  no_accept\n', ['10.0.0.4/24']), // address owner
    inst('D', 4, '  priority 100\n  no_accept\n', ['fd00::9/64']),
  ].join(''));
  assert.deepEqual(acceptFilterSpec(c), { vips4: ['10.0.0.1', '10.0.0.2'], vips6: ['fd00::9'], linkLocal: [] });
});

test('spec: vrrp_strict turns Accept_Mode off by default, `accept` turns it back on (v3)', () => {
  const strict = 'global_defs {\n  vrrp_strict\n}\n';
  const c = conf(strict + inst('A', 1, '  version 3\n  priority 100\n', ['10.0.0.1/24']) + inst('B', 2, '  version 3\n  priority 100\n  accept\n', ['10.0.0.2/24']));
  assert.deepEqual(acceptFilterSpec(c).vips4, ['10.0.0.1']);
});

test('spec: strict_mode per instance: on filters that instance alone, off exempts one from vrrp_strict', () => {
  const on = conf(inst('S', 1, '  strict_mode\n', ['10.0.0.1/24']) + inst('L', 2, '', ['10.0.0.2/24']));
  assert.deepEqual(acceptFilterSpec(on).vips4, ['10.0.0.1']);
  const off = conf('global_defs {\n  vrrp_strict\n}\n' + inst('S', 1, '', ['10.0.0.1/24']) + inst('L', 2, '  strict_mode off\n', ['10.0.0.2/24']));
  assert.deepEqual(acceptFilterSpec(off).vips4, ['10.0.0.1']);
});

test('spec: eVIPs are filtered too; IPv6 link-local VIPs only on their own interface', () => {
  const c = conf(inst('A', 1, '  version 3\n  priority 100\n  no_accept\n  virtual_ipaddress_excluded {\n    fd00::7/64\n    fe80::99/64 dev eth1\n  }\n', ['fe80::1/64', 'fd00::1/64']));
  const s = acceptFilterSpec(c);
  assert.deepEqual(s.vips6, ['fd00::1', 'fd00::7']);
  assert.deepEqual(s.linkLocal, [{ address: 'fe80::1', ifname: 'eth0' }, { address: 'fe80::99', ifname: 'eth1' }]);
});

test('plan: one atomic replace of the inet table, sets, ND accepted before the drops, both hooks at priority -1', () => {
  const b = planAcceptTable({ vips4: ['10.0.0.2', '10.0.0.1', '10.0.0.1'], vips6: [], linkLocal: [{ address: 'fe80::1', ifname: 'eth0' }] });
  const verbs = b.nftables.slice(0, 3).map((s) => Object.keys(s)[0]);
  assert.deepEqual(verbs, ['add', 'delete', 'add'], 'add (so delete cannot fail), delete, add: the old table goes in the same transaction');
  const adds = b.nftables.slice(3).map((s) => (s as { add: Record<string, Record<string, unknown>> }).add);
  const sets = adds.filter((a) => a.set).map((a) => a.set!);
  assert.deepEqual(sets.map((s) => [s.name, s.type, s.elem]), [['vips4', 'ipv4_addr', ['10.0.0.1', '10.0.0.2']], ['vips6', 'ipv6_addr', undefined]]);
  const chains = adds.filter((a) => a.chain).map((a) => a.chain!);
  assert.deepEqual(chains.map((c) => [c.name, c.hook, c.prio, c.policy, c.type, c.family]), [['in', 'input', -1, 'accept', 'filter', 'inet'], ['out', 'output', -1, 'accept', 'filter', 'inet']]);
  const rules = adds.filter((a) => a.rule).map((a) => a.rule as { chain: string; expr: unknown[] });
  for (const chain of ['in', 'out']) {
    const mine = rules.filter((r) => r.chain === chain).map((r) => JSON.stringify(r.expr));
    assert.equal(mine.length, 4, `${chain}: ND, vips4, vips6, one link-local`);
    assert.match(mine[0]!, /nd-neighbor-solicit.*nd-neighbor-advert.*"accept"/, 'ND first: neighbours must resolve the VIP');
    const field = chain === 'in' ? 'daddr' : 'saddr';
    assert.match(mine[1]!, new RegExp(`"protocol":"ip","field":"${field}".*"right":"@vips4".*"drop"`));
    assert.match(mine[2]!, new RegExp(`"protocol":"ip6","field":"${field}".*"right":"@vips6".*"drop"`));
    assert.match(mine[3]!, new RegExp(`"key":"${chain === 'in' ? 'iifname' : 'oifname'}"}},"right":"eth0".*"right":"fe80::1".*"drop"`));
  }
});

test('plan: delete is add+delete of our table only', () => {
  assert.deepEqual(planDeleteTable('t'), { nftables: [{ add: { table: { family: 'inet', name: 't' } } }, { delete: { table: { family: 'inet', name: 't' } } }] });
});

test('filter: installed at start, replaced on reload, removed when no instance needs it and at stop', async () => {
  const nft = new MemoryNft();
  const log = new MemoryLogger();
  const f = new AcceptFilter(nft, log);
  await f.apply(conf(inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24'])));
  assert.deepEqual(nft.setElements(NFT_TABLE, 'vips4'), ['10.0.0.1']);
  assert.deepEqual(f.status(), { installed: true, addresses: 1 });

  await f.apply(conf(inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24', '10.0.0.5/24'])));
  assert.deepEqual(nft.setElements(NFT_TABLE, 'vips4'), ['10.0.0.1', '10.0.0.5'], 'reload: new VIPs filtered');
  assert.equal(nft.tables.get(NFT_TABLE)!.filter((s) => 'add' in s && (s.add as Record<string, unknown>).set).length, 2, 'the table was replaced, not appended to');

  await f.apply(conf(inst('A', 1, '  priority 100\n  accept\n', ['10.0.0.1/24'])));
  assert.equal(nft.tables.has(NFT_TABLE), false, 'reload to accept: table removed');
  await f.apply(conf(inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24'])));
  await f.remove();
  assert.equal(nft.tables.has(NFT_TABLE), false, 'stop: table removed');
  assert.equal(f.status().installed, false);
});

test('filter: a failing nft is logged with its reason, never thrown, and a later success clears it', async () => {
  const nft = new MemoryNft();
  const log = new MemoryLogger();
  const f = new AcceptFilter(nft, log);
  nft.failNext = 'nft failed (exit 1): Error: Could not process rule: No such file or directory';
  await f.apply(conf(inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24'])));
  assert.equal(f.status().installed, false);
  assert.match(f.status().error ?? '', /Could not process rule/);
  const err = log.records.find((r) => r.level === 'error');
  assert.match(String(err?.msg), /cannot install the nftables table: nft failed \(exit 1\): .*NOT filtered/);
  await f.apply(conf(inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24'])));
  assert.deepEqual(f.status(), { installed: true, addresses: 1 });
});

test('filter: without no_accept nothing is installed; a leftover of a crashed run is removed quietly at start', async () => {
  const nft = new MemoryNft();
  nft.tables.set(NFT_TABLE, []); // left by a daemon that was killed
  const log = new MemoryLogger();
  const f = new AcceptFilter(nft, log);
  await f.apply(conf(inst('A', 1, '  priority 100\n', ['10.0.0.1/24'])));
  assert.equal(nft.tables.has(NFT_TABLE), false);
  await f.apply(conf(inst('A', 1, '  priority 100\n', ['10.0.0.1/24'])));
  assert.equal(nft.batches.length, 1, 'later reloads without no_accept do not run nft');
  assert.equal(log.records.filter((r) => r.level !== 'debug').length, 0);
});

test('filter: without no_accept and without a leftover table, nft is never run (the kernel is asked instead)', async () => {
  const nft = new MemoryNft();
  const f = new AcceptFilter(nft, new MemoryLogger());
  await f.apply(conf(inst('A', 1, '  priority 100\n', ['10.0.0.1/24'])));
  await f.apply(conf(inst('A', 1, '  priority 100\n', ['10.0.0.1/24'])));
  assert.equal(nft.lookups, 1, 'asked once, at start');
  assert.deepEqual(nft.batches, []);
  assert.deepEqual(f.status(), { installed: false, addresses: 0 });
});

test('filter: when the kernel cannot say whether a leftover is there, it is removed in case, quietly', async () => {
  const nft = new MemoryNft();
  nft.tables.set(NFT_TABLE, []);
  nft.hasTable = async () => { throw new Error('look up nftables table inet vipkeeper: operation not permitted'); };
  const log = new MemoryLogger();
  await new AcceptFilter(nft, log).apply(conf(inst('A', 1, '  priority 100\n', ['10.0.0.1/24'])));
  assert.equal(nft.tables.has(NFT_TABLE), false);
  assert.deepEqual(log.records.filter((r) => r.level !== 'debug'), []);
  assert.match(String(log.records.find((r) => /cannot tell/.test(String(r.msg)))?.err), /not permitted/);
});

test('filter: no nft port on the platform is an error in the log, not a crash', async () => {
  const log = new MemoryLogger();
  const f = new AcceptFilter(undefined, log);
  await f.apply(conf(inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24'])));
  assert.match(String(log.records.find((r) => r.level === 'error')?.msg), /NOT filtered/);
});

test('filter: calls are serialised (a stop waits for a reload in flight)', async () => {
  const order: string[] = [];
  const slow = { hasTable: async () => false, apply: async (b: { nftables: unknown[] }) => { order.push(`start ${b.nftables.length}`); await new Promise((r) => setTimeout(r, 20)); order.push(`end ${b.nftables.length}`); } };
  const f = new AcceptFilter(slow, new MemoryLogger());
  const c = conf(inst('A', 1, '  priority 100\n  no_accept\n', ['10.0.0.1/24']));
  await Promise.all([f.apply(c), f.remove()]);
  assert.deepEqual(order.map((o) => o.split(' ')[0]), ['start', 'end', 'start', 'end']);
  assert.equal(order[2], 'start 2', 'the remove ran after the install');
});
