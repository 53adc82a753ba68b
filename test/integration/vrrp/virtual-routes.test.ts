// virtual_routes / virtual_rules against keepalived on a namespace LAN: both daemons carry the same
// routes and rules; whoever is MASTER has them installed, the other has none, through a failover
// and back and a graceful stop. Checked with `ip -j route show table N` and `ip -j rule`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot } from '../../support/privileged.js';
import { Bench, VIP, confText, vipOnlyOn, waitFor, type ConfOpts, type Daemon } from './support.js';
import type { Host } from '../../support/netns.js';

const TABLE = 100;
const ROUTES = [`src ${VIP} to 10.77.0.0/16 via 10.9.0.50 table ${TABLE}`, `blackhole 10.78.0.0/16 table ${TABLE} metric 7`, `10.79.0.0/16 dev eth0 table ${TABLE}`];
const RULES = [`from ${VIP}/32 table ${TABLE} priority 1000`, 'to 10.80.0.0/16 prohibit priority 1001'];
const o: ConfOpts = {
  version: 3,
  instanceLines: ['  virtual_routes {', ...ROUTES.map((r) => `    ${r}`), '  }', '  virtual_rules {', ...RULES.map((r) => `    ${r}`), '  }'],
};

interface RouteRow { dst: string; type?: string; gateway?: string; prefsrc?: string; dev?: string; protocol?: string; metric?: number }
interface RuleRow { priority: number; src?: string; srclen?: number; dst?: string; dstlen?: number; table?: string; action?: string }

/** Our routes in TABLE on `h`, as "dst type via src dev metric" lines, sorted. */
function routes(h: Host): string[] {
  const rows = JSON.parse(h.run('ip', '-j', 'route', 'show', 'table', String(TABLE)) || '[]') as RouteRow[];
  return rows.map((r) => [r.dst, r.type ?? 'unicast', r.gateway ?? '-', r.prefsrc ?? '-', r.dev ?? '-', r.metric ?? 0, r.protocol].join(' ')).sort();
}

/** Rules with the priorities we configure, as "prio from to table|action" lines. */
function rules(h: Host): string[] {
  const rows = JSON.parse(h.run('ip', '-j', 'rule', 'show') || '[]') as RuleRow[];
  return rows.filter((r) => r.priority === 1000 || r.priority === 1001)
    .map((r) => [r.priority, sel(r.src, r.srclen), sel(r.dst, r.dstlen), r.table ?? r.action].join(' ')).sort();
}

/** ip -j rule says "all" (or nothing) for no selector, and leaves out a /32 length. */
function sel(a: string | undefined, len: number | undefined): string {
  return a === undefined || a === 'all' ? 'all' : `${a}/${len ?? 32}`;
}

const WANT_ROUTES = [
  '10.77.0.0/16 unicast 10.9.0.50 10.9.0.100 eth0 0 keepalived',
  '10.78.0.0/16 blackhole - - - 7 keepalived',
  '10.79.0.0/16 unicast - - eth0 0 keepalived',
];
const WANT_RULES = [`1000 ${VIP}/32 all ${TABLE}`, '1001 all 10.80.0.0/16 prohibit'];

test('virtual_routes and virtual_rules are present exactly while MASTER (vipkeeper against keepalived)', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip')) return;
  const bench = new Bench();
  let vk: Daemon | undefined;
  let ka: Daemon | undefined;
  const dump = () => `--- vipkeeper (a)\n${vk?.output().slice(-4000)}\n--- keepalived (b)\n${ka?.output().slice(-2000)}`;
  const installed = (h: Host) => JSON.stringify(routes(h)) === JSON.stringify(WANT_ROUTES) && JSON.stringify(rules(h)) === JSON.stringify(WANT_RULES);
  const none = (h: Host) => routes(h).length === 0 && rules(h).length === 0;
  try {
    ka = bench.start('keepalived', 'b', confText(o, 'b', 100));
    vk = bench.start('vipkeeper', 'a', confText(o, 'a', 200));
    assert.ok(await vipOnlyOn(bench, 'a', 10_000), `vipkeeper becomes master\n${dump()}`);
    assert.ok(await waitFor(() => installed(bench.a), 5000), `master a has the routes and rules: ${JSON.stringify([routes(bench.a), rules(bench.a)])}\n${dump()}`);
    assert.ok(none(bench.b), `backup b has none: ${JSON.stringify([routes(bench.b), rules(bench.b)])}`);

    bench.lan.setCable('a', false);
    assert.ok(await vipOnlyOn(bench, 'b', 10_000), `link cut: keepalived takes over\n${dump()}`);
    assert.ok(await waitFor(() => none(bench.a), 5000), `a left MASTER and removed them: ${JSON.stringify([routes(bench.a), rules(bench.a)])}\n${dump()}`);
    assert.ok(await waitFor(() => installed(bench.b), 5000), `keepalived installed the same: ${JSON.stringify([routes(bench.b), rules(bench.b)])}`);

    bench.lan.setCable('a', true);
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 500), `link back: vipkeeper preempts\n${dump()}`);
    assert.ok(await waitFor(() => installed(bench.a) && none(bench.b), 5000), `back on a only: a=${JSON.stringify([routes(bench.a), rules(bench.a)])} b=${JSON.stringify([routes(bench.b), rules(bench.b)])}\n${dump()}`);

    assert.equal(await vk.stop(), 0, 'graceful stop exits 0');
    assert.ok(none(bench.a), `a stopped vipkeeper leaves no route or rule: ${JSON.stringify([routes(bench.a), rules(bench.a)])}\n${dump()}`);
    assert.ok(await waitFor(() => installed(bench.b), 10_000), 'keepalived takes them over after the stop');
    assert.doesNotMatch(vk.output(), /could not (add|remove) virtual (route|rule)/, 'no route or rule change failed');
  } finally {
    await bench.cleanup();
  }
});
