// Issue 14, end to end through the real daemon: a router namespace running FRR bgpd with
// multipath (conf/scale-out/frr-router.conf), two directors each running `vipkeeper run` (from
// src/ through tsx) and BIRD (variant 1) or FRR (variant 2) with the example configurations of
// conf/scale-out/, real servers as HTTP servers in namespaces of their own (director 1 checks
// its server with HTTP_GET, director 2 with TCP_CHECK), and a client namespace behind the router.
//
// This host has no IPVS, so traffic cannot be load-balanced through a director. Instead each
// director holds the VIP on lo (FRR directors: as a local route, see below) with a tiny HTTP server bound to VIP:8080 answering its own name:
// the router's ECMP route really delivers the client's flows to the directors that announce, and
// the client sees which one answered. (Port 8080, not the virtual server's 80, so that a kernel
// with IPVS would not send these flows to the real servers.)
//
// Asserted: both pools healthy -> the router's kernel route to the VIP has two next hops and the
// client gets answers from both; director 1's real server answers 500 -> within
// delay_loop x (retry + 1) + connect timeouts + 2 s the route has one next hop and every answer
// comes from director 2; the server recovers -> two next hops again, not before the hold-down;
// SIGTERM to vipkeeper on director 1 -> its next hop gone within 2 s; SIGKILL to vipkeeper on
// director 2 -> its route stays; restarted while its real server is stopped -> the stale route is
// flushed and nothing is announced while the pool is down; `vipkeeper status --json` shows the
// announcement; the log says `ipvs: unavailable` and the checks and announcements run anyway.
// FRR variant only: the VIP added to lo as an address makes FRR withdraw the route (why its
// directors hold the VIP as a local route). The measured times are printed (docs/scale-out.md,
// "Through the daemon"). The last test is the restart with `holdDownS: 0`.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Lan, sh, type Host } from '../../support/netns.js';
import { httpAnswers, startNsHttpServer, type NsHttpServer } from '../../support/ns-http.js';
import { startVipkeeper, vipkeeperStatus, waitLogged, type VipkeeperRun } from '../../support/vipkeeper-process.js';
import { DIRECTOR_IPS, PROTO, ROUTER_IP, TABLE, buildTopology, nextHops, type Topology } from './topology.js';

const VIP = '10.20.0.1';
const VS = `${VIP}:80/TCP`;
const RS_IPS = ['10.99.0.21', '10.99.0.22'] as const;
const CLIENT_NET = { router: '10.98.0.1', client: '10.98.0.2' };
const ANSWER_PORT = 8080;
const NAMES = ['d1', 'd2'] as const;

// The checkers' timing (the issue's: delay_loop 1, connect_timeout 1, retry 1; delay_before_retry
// set to the delay_loop, HTTP_GET's default being 3 s) and the announcement's hold-down.
const DELAY_LOOP_MS = 1000, CONNECT_TIMEOUT_MS = 1000, RETRY = 1, HOLD_DOWN_MS = 2000;
/** The bound for a pool failure to reach the router. */
const POOL_FAIL_BOUND_MS = DELAY_LOOP_MS * (RETRY + 1) + CONNECT_TIMEOUT_MS * (RETRY + 1) + 2000;
/** The bound for a stopped vipkeeper's route to leave the router. */
const STOP_BOUND_MS = 2000;
/** BGP sessions coming up (connect-retry 1 s), daemons starting under tsx, on 2 loaded cores. */
const CONVERGE_MS = 45_000;
/** Generous: things that take a second or two, on a loaded machine. */
const REACT_MS = 15_000;

function directorYaml(i: number, holdDownMs = HOLD_DOWN_MS): string {
  const check = i === 0
    ? `type: HTTP_GET\n            urls: [{ path: /healthz, statusCodes: [200] }]`
    : 'type: TCP_CHECK';
  return `# vipkeeper on director ${NAMES[i]} (test/integration/announce/run-e2e.test.ts)
global:
  routerId: lb-${'ab'[i]}
virtualServers:
  - address: ${VIP}
    port: 80
    protocol: TCP
    lbKind: DR
    delayLoopMs: ${DELAY_LOOP_MS}
    quorum: 1
    realServers:
      - address: ${RS_IPS[i]}
        port: 80
        checkers:
          - ${check}
            connectTimeoutMs: ${CONNECT_TIMEOUT_MS}
            retry: ${RETRY}
            delayBeforeRetryMs: ${DELAY_LOOP_MS}
announcements:
  table: ${TABLE}
  routes:
    - prefix: ${VIP}/32
      virtualServer: "${VS}"
      holdDownS: ${holdDownMs / 1000}
`;
}

/** A client namespace on its own link to the router (10.98.0.0/24), default route via the router. */
function addClient(router: Host, tag: string): { ns: string; destroy(): void } {
  const ns = `vkcl-${tag}`;
  sh('ip', ['netns', 'add', ns]);
  const destroy = () => {
    sh('ip', ['netns', 'pids', ns], { allowFail: true }).split(/\s+/).filter(Boolean)
      .forEach((pid) => { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } });
    sh('ip', ['netns', 'del', ns], { allowFail: true });
  };
  try {
    const a = `vc${tag}`.slice(0, 15), b = `vr${tag}`.slice(0, 15);
    sh('ip', ['link', 'add', a, 'netns', ns, 'type', 'veth', 'peer', 'name', b, 'netns', router.ns]);
    sh('ip', ['link', 'set', a, 'name', 'eth0'], { ns });
    sh('ip', ['link', 'set', b, 'name', 'cl0'], { ns: router.ns });
    sh('ip', ['link', 'set', 'lo', 'up'], { ns });
    sh('ip', ['addr', 'add', `${CLIENT_NET.client}/24`, 'dev', 'eth0'], { ns });
    sh('ip', ['link', 'set', 'eth0', 'up'], { ns });
    sh('ip', ['route', 'add', 'default', 'via', CLIENT_NET.router], { ns });
    router.run('ip', 'addr', 'add', `${CLIENT_NET.router}/24`, 'dev', 'cl0');
    router.run('ip', 'link', 'set', 'cl0', 'up');
  } catch (e) { destroy(); throw e; }
  return { ns, destroy };
}

function ourRoutes(d: Host): string[] {
  let out: string;
  try { out = d.run('ip', '-j', 'route', 'show', 'table', String(TABLE), 'proto', String(PROTO)); } catch (e) {
    if (String(e).includes('FIB table does not exist')) return []; // no route was ever put in it
    throw e;
  }
  return (JSON.parse(out || '[]') as Array<{ dst: string }>).map((r) => r.dst);
}

function diagnostics(topo: Topology, runs: (VipkeeperRun | undefined)[]): string {
  const daemons = topo.daemons.map((d) => { try { return d.query(d.kind === 'bird' ? 'show protocols' : 'show bgp summary'); } catch (e) { return String(e); } }).join('\n');
  const logs = runs.map((r, i) => `--- vipkeeper ${NAMES[i]} (last 15 lines):\n${r ? r.lines.slice(-15).map((l) => l.text).join('\n') + r.stderr() : 'not running'}`).join('\n');
  return `${daemons}\n${logs}`;
}

/** Polls the router until its next hops for the VIP equal `want`; returns the ms it took. */
async function waitHops(topo: Topology, runs: (VipkeeperRun | undefined)[], want: string[], timeoutMs: number, what: string, from = Date.now()): Promise<number> {
  for (;;) {
    const got = nextHops(topo.router, VIP);
    if (JSON.stringify(got) === JSON.stringify([...want].sort())) return Date.now() - from;
    if (Date.now() - from > timeoutMs) throw new Error(`${what}: router next hops ${JSON.stringify(got)}, want ${JSON.stringify(want)} after ${timeoutMs} ms\n${diagnostics(topo, runs)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The time (pino's own `time`, ms) of the first log line whose msg has `text` at or after `after`; waits up to 3 s for it. */
async function loggedAt(run: VipkeeperRun, text: string, after: number): Promise<number | undefined> {
  const end = Date.now() + 3000;
  for (;;) {
    const at = run.logged(text).map((l) => Date.parse(String(l.time))).find((t) => t >= after);
    if (at !== undefined || Date.now() > end) return at;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const countOf = (answers: string[]) => answers.reduce<Record<string, number>>((m, a) => { m[a] = (m[a] ?? 0) + 1; return m; }, {});

async function scenario(t: TestContext, variant: 'bird' | 'frr'): Promise<void> {
  if (!needRoot(t, 'bird', 'birdc', 'vtysh', '/usr/lib/frr/zebra', '/usr/lib/frr/bgpd')) return;
  const lan = new Lan();
  const dir = mkdtempSync(join(tmpdir(), 'vk-run-e2e-'));
  const runs: (VipkeeperRun | undefined)[] = [undefined, undefined];
  const servers: NsHttpServer[] = [];
  let client: { ns: string; destroy(): void } | undefined;
  let topo: Topology | undefined;
  const figures: Record<string, number | string> = {};
  const configs = NAMES.map((n, i) => { const f = join(dir, `${n}.yaml`); writeFileSync(f, directorYaml(i)); return f; });
  const sockets = NAMES.map((n) => join(dir, `${n}.sock`));
  const start = (i: number) => { runs[i] = startVipkeeper(topo!.directors[i]!.ns, configs[i]!, sockets[i]!); return runs[i]!; };
  try {
    topo = await buildTopology(lan, variant, 'frr');
    const router = topo.router;
    const directors = topo.directors as [Host, Host];
    // Routing for the client's flows: the router forwards and hashes on ports too (so the
    // client's connections spread over both next hops), the directors answer through it.
    router.run('sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.fib_multipath_hash_policy=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
    client = addClient(router, lan.tag);
    for (const [i, d] of directors.entries()) {
      // BIRD: the VIP as an address on lo (docs/scale-out.md). FRR: as a local route, because
      // zebra makes a connected route of an address on lo, and that connected 10.20.0.1/32 wins
      // over the imported table route, which is then never redistributed (nothing announced).
      if (variant === 'bird') d.run('ip', 'addr', 'add', `${VIP}/32`, 'dev', 'lo');
      else d.run('ip', 'route', 'add', 'local', `${VIP}/32`, 'dev', 'lo');
      d.run('ip', 'route', 'add', 'default', 'via', ROUTER_IP);
      servers.push(await startNsHttpServer(d.ns, VIP, ANSWER_PORT, NAMES[i]!, join(dir, `answer-${i}.state`)));
    }
    // The real servers, each in its own namespace: director 1's (HTTP_GET /healthz), director 2's (TCP_CHECK).
    const rs = [] as NsHttpServer[];
    for (const [i, ip] of RS_IPS.entries()) {
      const h = lan.addHost(`r${i + 1}`, [`${ip}/24`]);
      rs.push(await startNsHttpServer(h.ns, ip, 80, `rs${i + 1}`, join(dir, `rs-${i}.state`)));
    }
    servers.push(...rs);
    const ipvsInKernel = existsSync('/proc/net/ip_vs') || sh('sh', ['-c', 'test -e /proc/net/ip_vs && echo yes || true'], { ns: directors[0].ns }).trim() === 'yes';
    figures.ipvs = ipvsInKernel ? 'available' : 'unavailable';
    const answers = async (n: number) => httpAnswers(client!.ns, `http://${VIP}:${ANSWER_PORT}/`, n);

    // Both directors healthy: two next hops, and the client's flows reach both.
    const t0 = Date.now();
    start(0); start(1);
    figures.convergeMs = await waitHops(topo, runs, [...DIRECTOR_IPS], CONVERGE_MS, 'both pools healthy', t0);
    for (const [i, run] of runs.entries()) {
      const st = await vipkeeperStatus(sockets[i]!);
      assert.equal(st.announcements.length, 1);
      assert.equal(st.announcements[0].prefix, `${VIP}/32`);
      assert.equal(st.announcements[0].condition, `virtualServer ${VS}`);
      assert.equal(st.announcements[0].active, true, `director ${NAMES[i]} status: ${JSON.stringify(st.announcements)}`);
      assert.equal(st.announcements[0].conditionMet, true);
      assert.equal(st.virtualServers[0].quorumUp, true);
      assert.equal(st.ipvsAvailable, ipvsInKernel);
      // No IPVS: the checkers and the announcement run all the same, and the log says why nothing is programmed.
      if (!ipvsInKernel) assert.equal(run!.logged('ipvs: unavailable').length, 1, `director ${NAMES[i]} logs ipvs: unavailable once`);
      assert.deepEqual(ourRoutes(directors[i]!), [VIP]);
    }
    const both = await answers(40);
    assert.deepEqual(Object.keys(countOf(both)).sort(), ['d1', 'd2'], `the client's 40 flows over both directors: ${JSON.stringify(countOf(both))}`);
    figures.spreadBoth = JSON.stringify(countOf(both));

    // Director 1's real server answers 500: its HTTP_GET fails, retries once, the pool falls below quorum.
    const failAt = Date.now();
    rs[0]!.set('500');
    figures.poolFailMs = await waitHops(topo, runs, [DIRECTOR_IPS[1]], REACT_MS, 'director 1 pool down', failAt);
    const withdrawnLog = await loggedAt(runs[0]!, 'withdrawing', failAt);
    if (withdrawnLog) figures.poolFailToWithdrawLogMs = withdrawnLog - failAt;
    assert.ok((figures.poolFailMs as number) <= POOL_FAIL_BOUND_MS, `director 1's next hop left ${figures.poolFailMs} ms after its pool failed, more than delay_loop x (retry + 1) + timeouts + 2 s = ${POOL_FAIL_BOUND_MS} ms`);
    assert.deepEqual(ourRoutes(directors[0]), [], 'the route left director 1\'s table');
    const st1 = await vipkeeperStatus(sockets[0]!);
    assert.equal(st1.announcements[0].active, false);
    assert.equal(st1.announcements[0].conditionMet, false);
    assert.equal(st1.virtualServers[0].quorumUp, false);
    const onlyD2 = await answers(20);
    assert.deepEqual(countOf(onlyD2), { d2: 20 }, 'every answer from director 2 while director 1\'s pool is down');

    // It recovers: announced again after the hold-down.
    const recoverAt = Date.now();
    rs[0]!.set('up');
    figures.recoverMs = await waitHops(topo, runs, [...DIRECTOR_IPS], REACT_MS + HOLD_DOWN_MS, 'director 1 pool recovered', recoverAt);
    const announcedLog = await loggedAt(runs[0]!, `announcing ${VIP}/32`, recoverAt);
    if (announcedLog) figures.recoverToAnnounceLogMs = announcedLog - recoverAt;
    assert.ok((figures.recoverMs as number) >= HOLD_DOWN_MS, `announced again ${figures.recoverMs} ms after the recovery, before the ${HOLD_DOWN_MS} ms hold-down`);

    // The HTTP_GET failure was seen for what it is.
    const httpDown = runs[0]!.logged('real server down')[0];
    assert.match(String(httpDown?.reason), /500/, `director 1's real server down for HTTP 500: ${JSON.stringify(httpDown)}`);

    // SIGTERM: the route is withdrawn before the daemon exits.
    const stopAt = Date.now();
    const stopping = runs[0]!.stop();
    figures.stopMs = await waitHops(topo, runs, [DIRECTOR_IPS[1]], REACT_MS, 'vipkeeper on director 1 stopped', stopAt);
    const exit = await stopping;
    figures.stopExitMs = Date.now() - stopAt;
    assert.deepEqual(exit, { code: 0, signal: null }, `vipkeeper exit after SIGTERM; stderr: ${runs[0]!.stderr()}`);
    assert.ok((figures.stopMs as number) < STOP_BOUND_MS, `withdrawn ${figures.stopMs} ms after SIGTERM, more than ${STOP_BOUND_MS} ms`);
    assert.deepEqual(ourRoutes(directors[0]), []);
    // Started again: announced once its pool is seen healthy (and held down).
    const restartAt = Date.now();
    start(0);
    figures.restartHealthyMs = await waitHops(topo, runs, [...DIRECTOR_IPS], REACT_MS + HOLD_DOWN_MS, 'vipkeeper on director 1 restarted', restartAt);

    // SIGKILL: nothing is cleaned up, the route stays in the table and at the router.
    await runs[1]!.kill();
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(ourRoutes(directors[1]), [VIP], 'a killed vipkeeper cannot remove its route');
    assert.deepEqual(nextHops(router, VIP), [...DIRECTOR_IPS], 'the killed director stays in the ECMP set until the restart');
    // Restarted while its pool is down (the real server's port is closed: TCP_CHECK refused).
    rs[1]!.set('stop');
    await new Promise((r) => setTimeout(r, 200));
    const killRestartAt = Date.now();
    const again = start(1);
    figures.killRestartFlushMs = await waitHops(topo, runs, [DIRECTOR_IPS[0]], REACT_MS, 'restarted with its pool down', killRestartAt);
    const flushLine = await waitLogged(again, 'by an earlier run', 5000);
    figures.killRestartFlushLogMs = Date.parse(String(flushLine.time)) - again.spawnedAt;
    // Watch until the pool is known to be down and a hold-down more has passed: the route must
    // never come back, neither in director 2's table nor at the router.
    const violations: string[] = [];
    let downAt: number | undefined;
    const watchEnd = Date.now() + REACT_MS + CONVERGE_MS;
    while (Date.now() < watchEnd) {
      const table = ourRoutes(directors[1]);
      const hops = nextHops(router, VIP);
      if (table.length) violations.push(`+${Date.now() - killRestartAt} ms: director 2 table ${JSON.stringify(table)}`);
      if (hops.includes(DIRECTOR_IPS[1])) violations.push(`+${Date.now() - killRestartAt} ms: router next hops ${JSON.stringify(hops)}`);
      if (downAt === undefined && again.logged('quorum lost').length) downAt = Date.now();
      if (downAt !== undefined && Date.now() - downAt > HOLD_DOWN_MS + 1000) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(downAt !== undefined, `the restarted vipkeeper never saw its pool down:\n${again.lines.map((l) => l.text).join('\n')}`);
    figures.killRestartPoolDownKnownMs = downAt - killRestartAt;
    assert.deepEqual(violations, [], 'nothing announced by a vipkeeper restarted while its pool is down');
    assert.equal(again.logged(`announcing ${VIP}/32`).length, 0, 'the restarted vipkeeper never logged an announcement');
    // (Known bug, see the test below: the first failed attempt, with a retry left, counts as a
    // verdict and arms the hold-down, which the second failure cancels. Counted, not asserted.)
    figures.killRestartHoldDownsArmed = again.logged('condition holds').length;
    const st2 = await vipkeeperStatus(sockets[1]!);
    assert.equal(st2.announcements[0].active, false);
    assert.equal(st2.virtualServers[0].quorumUp, false);
    const onlyD1 = await answers(20);
    assert.deepEqual(countOf(onlyD1), { d1: 20 }, 'every answer from director 1 while director 2 announces nothing');
    // The restarted daemon announces once its pool is back.
    const backAt = Date.now();
    rs[1]!.set('up');
    figures.tcpRecoverMs = await waitHops(topo, runs, [...DIRECTOR_IPS], REACT_MS + HOLD_DOWN_MS, 'director 2 pool back after the restart', backAt);
    const tcpDown = again.logged('real server down')[0];
    assert.ok(tcpDown, 'director 2\'s TCP_CHECK saw its real server down');
    figures.tcpDownReason = String(tcpDown.reason);

    if (variant === 'frr') {
      // Why the FRR directors hold the VIP as a local route (docs/scale-out.md, FRR): with the
      // address on lo, zebra's connected 10.20.0.1/32 outranks the table route, and FRR withdraws
      // the announcement although vipkeeper's route is still in table 100.
      const addrAt = Date.now();
      directors[0].run('ip', 'addr', 'add', `${VIP}/32`, 'dev', 'lo');
      figures.frrAddressOnLoWithdrawnMs = await waitHops(topo, runs, [DIRECTOR_IPS[1]], REACT_MS, 'FRR director 1 with the VIP as an address on lo', addrAt);
      assert.deepEqual(ourRoutes(directors[0]), [VIP], 'vipkeeper\'s route is still in table 100');
      directors[0].run('ip', 'addr', 'del', `${VIP}/32`, 'dev', 'lo');
      await waitHops(topo, runs, [...DIRECTOR_IPS], REACT_MS, 'FRR director 1 with the address removed again');
    }

    console.log(`run-e2e, ${variant} on the directors, frr on the router: ${JSON.stringify(figures)}`);
  } finally {
    for (const r of runs) await r?.kill().catch(() => {});
    for (const s of servers) await s.kill().catch(() => {});
    for (const d of topo?.daemons ?? []) await d.stop().catch(() => {});
    client?.destroy();
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('vipkeeper run with BIRD on the directors: pool health, stop and crash move the router\'s ECMP next hops', { timeout: 300_000 }, (t) => scenario(t, 'bird'));
test('vipkeeper run with FRR on the directors: pool health, stop and crash move the router\'s ECMP next hops', { timeout: 300_000 }, (t) => scenario(t, 'frr'));

// The same restart, without the routing daemons, with `holdDownS: 0` (the default): a pool whose
// checks have not reached a verdict must count as unknown, so nothing may be announced: a first
// attempt that failed with a retry left is no verdict (policy.ts stepCheck keeps hasRun), else the
// pool's initial quorum would announce the route until the retry fails.
test('vipkeeper killed and restarted with its pool down, holdDownS 0: nothing announced, not even before the retry', {
  timeout: 120_000,
}, async (t) => {
  if (!needRoot(t)) return;
  const lan = new Lan();
  const dir = mkdtempSync(join(tmpdir(), 'vk-run-e2e-'));
  let run: VipkeeperRun | undefined;
  let rs: NsHttpServer | undefined;
  try {
    const d = lan.addHost('d2', [`${DIRECTOR_IPS[1]}/24`]);
    const r = lan.addHost('r2', [`${RS_IPS[1]}/24`]);
    rs = await startNsHttpServer(r.ns, RS_IPS[1], 80, 'rs2', join(dir, 'rs.state'));
    const cfg = join(dir, 'd2.yaml'), sock = join(dir, 'd2.sock');
    writeFileSync(cfg, directorYaml(1, 0));
    run = startVipkeeper(d.ns, cfg, sock);
    const end = Date.now() + REACT_MS;
    while (ourRoutes(d).length === 0) {
      assert.ok(Date.now() < end, `never announced with a healthy pool:\n${run.lines.map((l) => l.text).join('\n')}`);
      await new Promise((res) => setTimeout(res, 25));
    }
    await run.kill();
    rs.set('stop');
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(ourRoutes(d), [VIP], 'the killed vipkeeper left its route');
    const restartAt = Date.now();
    run = startVipkeeper(d.ns, cfg, sock);
    const seen: string[] = [];
    let flushed = false, downAt: number | undefined;
    while (Date.now() - restartAt < REACT_MS + CONVERGE_MS) {
      const present = ourRoutes(d).length > 0;
      if (!present) flushed = true;
      else if (flushed) seen.push(`+${Date.now() - restartAt} ms: route back in table ${TABLE}`);
      if (downAt === undefined && run.logged('quorum lost').length) downAt = Date.now();
      if (downAt !== undefined && Date.now() - downAt > 1000) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(flushed && downAt !== undefined, `restart: flushed ${flushed}, pool down seen ${downAt !== undefined}:\n${run.lines.map((l) => l.text).join('\n')}`);
    assert.deepEqual(seen.length ? [`${seen[0]} ... ${seen.at(-1)} (${seen.length} samples)`] : [], [], `announced by a vipkeeper restarted with its pool down:\n${run.logged('announc').map((l) => l.msg).join('\n')}`);
  } finally {
    await run?.kill().catch(() => {});
    await rs?.kill().catch(() => {});
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
