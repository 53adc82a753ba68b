// Scale-out end to end on real components: a router namespace running FRR bgpd with multipath,
// two director namespaces each running BIRD (variant A) or FRR (variant B) that learn
// vipkeeper's kernel table, and the announcement engine running in each director over real
// rtnetlink, with pool health toggled from here through a file. Asserted on the router's kernel
// route to the VIP (ip -j route: one or two next hops); the times are measured and printed.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Lan, type Host } from '../../support/netns.js';
import { startNode, waitForLine, type NodeRun } from '../net/ns-node.js';
import { DIRECTOR_IPS, PROTO, TABLE, buildTopology, nextHops, type Topology } from './topology.js';

const VIP = '10.20.0.1';
const VS = '10.20.0.1:80/TCP';
const HOLD_DOWN_MS = 2000;
/** Generous: BGP establishment with connect-retry 1 s, on 2 loaded cores. */
const CONVERGE_MS = 30_000;
/** "Within a few seconds", with room for a loaded machine. */
const REACT_MS = 10_000;

const ENGINE = (healthFile: string) => `
  import { readFileSync } from 'node:fs';
  import { AnnouncementEngine } from '$SRC/announce/engine.ts';
  import { NetlinkRoutes } from '$SRC/adapters/routes.ts';
  import { MonotonicClock } from '$SRC/adapters/clock.ts';
  const read = () => { try { return readFileSync(${JSON.stringify(healthFile)}, 'utf8').trim() === 'up'; } catch { return undefined; } };
  let up = read();
  const fns = [];
  const pools = { onChange: (fn) => { fns.push(fn); }, isUp: (vs) => (vs === ${JSON.stringify(VS)} ? up : undefined) };
  // The director polls its checkers; here a file stands in for them.
  setInterval(() => { const v = read(); if (v !== up) { up = v; for (const f of fns) f(${JSON.stringify(VS)}); } }, 20);
  const line = (o) => console.log(JSON.stringify({ t: Date.now(), ...o }));
  const logger = { child: () => logger, debug() {}, info: (o, msg) => line({ ...o, msg }), warn: (o, msg) => line({ ...o, msg }), error: (o, msg) => line({ ...o, msg, error: true }) };
  const cfg = { table: ${TABLE}, routes: [{ prefix: '${VIP}/32', family: 4, condition: { kind: 'virtualServer', virtualServer: ${JSON.stringify(VS)} }, holdDownMs: ${HOLD_DOWN_MS}, metric: 0 }] };
  const engine = new AnnouncementEngine(cfg, { routes: NetlinkRoutes.open(), clock: new MonotonicClock(), pools, logger });
  await engine.start();
  line({ ready: true, snapshot: engine.snapshot() });
  process.on('SIGTERM', async () => { await engine.stop(); line({ stopped: true, snapshot: engine.snapshot() }); process.exit(0); });
`;

async function startEngine(d: Host, healthFile: string): Promise<NodeRun> {
  const run = startNode(d.ns, ENGINE(healthFile), { timeoutMs: 180_000 });
  await waitForLine(run, (l) => l.includes('"ready":true'), 20_000);
  return run;
}

async function stopEngine(run: NodeRun): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGTERM');
  await run.done;
}

/** Polls the router until its next hops for the VIP equal `want`; returns the ms it took. */
async function waitHops(topo: Topology, want: string[], timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const got = nextHops(topo.router, VIP);
    if (JSON.stringify(got) === JSON.stringify([...want].sort())) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) {
      const diag = topo.daemons.map((d) => { try { return d.query(d.kind === 'bird' ? 'show protocols' : 'show bgp summary'); } catch (e) { return String(e); } }).join('\n');
      throw new Error(`${what}: router next hops ${JSON.stringify(got)}, want ${JSON.stringify(want)} after ${timeoutMs} ms\n${diag}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function ourRoutes(d: Host): string[] {
  return (JSON.parse(d.run('ip', '-j', 'route', 'show', 'table', String(TABLE), 'proto', String(PROTO))) as Array<{ dst: string }>).map((r) => r.dst);
}

async function scenario(t: TestContext, variant: 'bird' | 'frr', router: 'bird' | 'frr' = 'frr'): Promise<void> {
  if (!needRoot(t, 'bird', 'birdc', 'vtysh', '/usr/lib/frr/zebra', '/usr/lib/frr/bgpd')) return;
  const lan = new Lan();
  const dir = mkdtempSync(join(tmpdir(), 'vk-announce-'));
  const health = DIRECTOR_IPS.map((_, i) => join(dir, `d${i + 1}.health`));
  const engines: NodeRun[] = [];
  let topo: Topology | undefined;
  const figures: Record<string, number> = {};
  try {
    topo = await buildTopology(lan, variant, router);
    const [d1, d2] = topo.directors as [Host, Host];
    // Someone else's routes, in our table and in main: never announced, never removed.
    d1.run('ip', 'route', 'add', 'blackhole', '10.20.9.0/24', 'table', String(TABLE), 'proto', 'static');
    d1.run('ip', 'route', 'add', 'blackhole', '10.20.8.0/24', 'proto', String(PROTO));
    for (const f of health) writeFileSync(f, 'up');
    engines[0] = await startEngine(d1, health[0]!);
    engines[1] = await startEngine(d2, health[1]!);

    figures.convergeMs = await waitHops(topo, [...DIRECTOR_IPS], CONVERGE_MS, 'both pools healthy');

    writeFileSync(health[0]!, 'down');
    figures.poolFailMs = await waitHops(topo, [DIRECTOR_IPS[1]], REACT_MS, 'director 1 pool down');
    assert.deepEqual(ourRoutes(d1), [], 'the route left director 1\'s table');

    writeFileSync(health[0]!, 'up');
    figures.recoverMs = await waitHops(topo, [...DIRECTOR_IPS], REACT_MS + HOLD_DOWN_MS, 'director 1 pool recovered');
    assert.ok(figures.recoverMs >= HOLD_DOWN_MS, `announced again after ${figures.recoverMs} ms, before the ${HOLD_DOWN_MS} ms hold-down`);

    const stopAt = Date.now();
    await stopEngine(engines[1]!);
    await waitHops(topo, [DIRECTOR_IPS[0]], REACT_MS, 'engine on director 2 stopped');
    figures.stopMs = Date.now() - stopAt;
    assert.ok(figures.stopMs < 2000, `withdrawn ${figures.stopMs} ms after SIGTERM, more than 2 s`);
    assert.deepEqual(ourRoutes(d2), []);

    // Crash: SIGKILL leaves the route in the table (and announced) until the next start flushes it.
    engines[1] = await startEngine(d2, health[1]!);
    await waitHops(topo, [...DIRECTOR_IPS], REACT_MS + HOLD_DOWN_MS, 'engine on director 2 restarted');
    engines[1].child.kill('SIGKILL');
    await engines[1].done;
    assert.deepEqual(ourRoutes(d2), [`${VIP}`], 'a killed engine cannot remove its route');
    writeFileSync(health[1]!, 'down');
    const restartAt = Date.now();
    engines[1] = await startEngine(d2, health[1]!);
    const ready = JSON.parse(engines[1].lines.find((l) => l.includes('"ready":true'))!);
    assert.equal(ready.snapshot[0].active, false);
    assert.ok(engines[1].lines.some((l) => l.includes('earlier run')), 'the restarted engine flushed the stale route');
    assert.deepEqual(ourRoutes(d2), []);
    await waitHops(topo, [DIRECTOR_IPS[0]], REACT_MS, 'restarted with pool down');
    figures.restartFlushMs = Date.now() - restartAt;

    // Foreign routes survived every flush, withdrawal and stop.
    assert.deepEqual(JSON.parse(d1.run('ip', '-j', 'route', 'show', 'table', String(TABLE), 'proto', 'static')).map((r: { dst: string }) => r.dst), ['10.20.9.0/24']);
    assert.deepEqual(JSON.parse(d1.run('ip', '-j', 'route', 'show', '10.20.8.0/24', 'proto', String(PROTO))).length, 1);
    // Only the announcement table is learned. BIRD also filters on the route protocol
    // (krt_source); FRR's import-table takes the whole table, which is why docs/scale-out.md asks
    // for a table of vipkeeper's own.
    assert.deepEqual(nextHops(topo.router, '10.20.8.0/24'), []);
    if (variant === 'bird') assert.deepEqual(nextHops(topo.router, '10.20.9.0/24'), []);
    else assert.deepEqual(nextHops(topo.router, '10.20.9.0/24'), [DIRECTOR_IPS[0]]);
    // The director itself fails. Its routing daemon killed: the kernel closes the TCP session, so
    // the router hears of it at once. The whole box gone (cable cut): only the hold time tells.
    writeFileSync(health[1]!, 'up');
    await waitHops(topo, [...DIRECTOR_IPS], REACT_MS + HOLD_DOWN_MS, 'director 2 pool recovered');
    const crashAt = Date.now();
    await topo.directorDaemons[1]!.crash();
    await waitHops(topo, [DIRECTOR_IPS[0]], REACT_MS, 'routing daemon on director 2 killed');
    figures.daemonKilledMs = Date.now() - crashAt;
    lan.setCable('d1', false);
    figures.cableCutMs = await waitHops(topo, [], REACT_MS, 'director 1 cut off');
    lan.setCable('d1', true);

    console.log(`scale-out, ${variant} on the directors, ${router} on the router: ${JSON.stringify(figures)}`);
  } finally {
    for (const e of engines) if (e && e.child.exitCode === null && e.child.signalCode === null) e.child.kill('SIGKILL');
    for (const d of topo?.daemons ?? []) await d.stop().catch(() => {});
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('scale-out with BIRD on the directors: pool health moves the router\'s ECMP next hops', { timeout: 240_000 }, (t) => scenario(t, 'bird'));
test('scale-out with FRR on the directors: pool health moves the router\'s ECMP next hops', { timeout: 240_000 }, (t) => scenario(t, 'frr'));
test('scale-out with BIRD on the router (conf/scale-out/bird-router.conf) and FRR on the directors', { timeout: 240_000 }, (t) => scenario(t, 'frr', 'bird'));
