// virtual_routes / virtual_rules against keepalived on a namespace LAN: both daemons carry the same
// routes and rules; whoever is MASTER has them installed, the other has none, through a failover
// and back and a graceful stop. Checked with `ip -j route show table N` and `ip -j rule`. Routes
// and rules are tracked (one deleted under a master hands over) unless no_track; a reload that
// puts a master in FAULT removes what only the old configuration had.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

test('tracked routes and rules: one deleted under vipkeeper as master hands over to keepalived and comes back with it; no_track ones do not', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip')) return;
  const NT = `10.81.0.0/16 dev eth0 table ${TABLE} no_track`;
  const ot: ConfOpts = { ...o, instanceLines: ['  virtual_routes {', ...[...ROUTES, NT].map((r) => `    ${r}`), '  }', '  virtual_rules {', ...RULES.map((r) => `    ${r}`), '  }'] };
  const WITH_NT = [...WANT_ROUTES, '10.81.0.0/16 unicast - - eth0 0 keepalived'];
  const bench = new Bench();
  let vk: Daemon | undefined;
  let ka: Daemon | undefined;
  const dump = () => `--- vipkeeper (a)\n${vk?.output().slice(-4000)}\n--- keepalived (b)\n${ka?.output().slice(-2000)}`;
  const all = (h: Host) => JSON.stringify(routes(h)) === JSON.stringify(WITH_NT) && JSON.stringify(rules(h)) === JSON.stringify(WANT_RULES);
  try {
    ka = bench.start('keepalived', 'b', confText(ot, 'b', 100));
    vk = bench.start('vipkeeper', 'a', confText(ot, 'a', 200));
    assert.ok(await vipOnlyOn(bench, 'a', 10_000), `vipkeeper becomes master\n${dump()}`);
    assert.ok(await waitFor(() => all(bench.a), 5000), `all installed: ${JSON.stringify(routes(bench.a))}\n${dump()}`);

    // no_track: deleted, the master stays master and the route stays deleted.
    bench.a.run('ip', 'route', 'del', '10.81.0.0/16', 'table', String(TABLE));
    assert.ok(await vipOnlyOn(bench, 'a', 3000, 2000), `a no_track route deleted: still master\n${dump()}`);
    assert.deepEqual(routes(bench.a), WANT_ROUTES, 'not reinstated while master');

    // Tracked: a hands over (keepalived takes the VIP), then preempts back with everything reinstalled.
    let mark = vk.output().length;
    bench.a.run('ip', 'route', 'del', '10.78.0.0/16', 'table', String(TABLE));
    assert.ok(await waitFor(() => bench.hasVip('b'), 5000), `a tracked route deleted: keepalived takes over\n${dump()}`);
    assert.match(vk.output().slice(mark), /virtual route blackhole 10\.78\.0\.0\/16 table 100 metric 7 was deleted: leaving MASTER/);
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 500), `a preempts back\n${dump()}`);
    assert.ok(await waitFor(() => all(bench.a), 5000), `reinstalled, the no_track one too: ${JSON.stringify(routes(bench.a))}\n${dump()}`);

    mark = vk.output().length;
    bench.a.run('ip', 'rule', 'del', 'priority', '1001');
    assert.ok(await waitFor(() => bench.hasVip('b'), 5000), `a tracked rule deleted: keepalived takes over\n${dump()}`);
    assert.match(vk.output().slice(mark), /virtual rule v4 to 10\.80\.0\.0\/16 priority 1001 prohibit was deleted: leaving MASTER/);
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 500), `a preempts back\n${dump()}`);
    assert.ok(await waitFor(() => all(bench.a), 5000), `rule reinstalled: ${JSON.stringify(rules(bench.a))}\n${dump()}`);
    assert.equal(await vk.stop(), 0, 'graceful stop exits 0');
    assert.ok(routes(bench.a).length === 0 && rules(bench.a).length === 0, `nothing left after stop\n${dump()}`);
  } finally {
    await bench.cleanup();
  }
});

test('a reload that puts the master in FAULT removes the routes and rules only the old configuration had', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const vk = bench.start('vipkeeper', 'a', confText(o, 'a', 200));
    assert.ok(await waitFor(() => bench.hasVip('a') && routes(bench.a).length === 3 && rules(bench.a).length === 2, 10_000), vk.output().slice(-3000));
    // The new configuration keeps one route and no rule, and tracks an interface that is down.
    bench.a.run('ip', 'link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk1');
    const next: ConfOpts = { version: 3, instanceLines: ['  virtual_routes {', `    ${ROUTES[1]}`, '  }', '  track_interface {', '    trk0', '  }'] };
    writeFileSync(join(bench.dir, 'vipkeeper-a-1.conf'), confText(next, 'a', 200));
    const before = vk.output().length;
    vk.proc.kill('SIGHUP');
    assert.ok(await waitFor(() => /configuration reloaded/.test(vk.output().slice(before)), 10_000), vk.output().slice(-3000));
    assert.ok(await waitFor(() => !bench.hasVip('a') && routes(bench.a).length === 0 && rules(bench.a).length === 0, 5000),
      `FAULT: nothing left, old-only routes and rules included: ${JSON.stringify([routes(bench.a), rules(bench.a)])}\n${vk.output().slice(-3000)}`);
    assert.equal(await vk.stop(), 0);
  } finally {
    await bench.cleanup();
  }
});
