// Issue 11 against a running daemon: two vipkeeper directors (a, priority 150, with a virtual
// server; b, priority 100) on a bridge in network namespaces, VRRPv3 at advert_int 1, a real
// server (an HTTP server in its own namespace, test/support/ns-http.ts) checked by HTTP_GET from
// a, and a third namespace (c) that sends crafted VRRP packets. What operators see is asserted
// through the operators' own tools: `vipkeeper status --json` / `vipkeeper reload` (the CLI, over
// each daemon's control socket) and GET /metrics fetched inside each director's namespace (the
// metrics server listens on that namespace's loopback).
//
// In order (each a subtest, so that one failure does not hide the others):
//   1. after start: a MASTER, b BACKUP, in status and in vipkeeper_vrrp_state (2 and 1); GARPs
//      counted on a; no BACKUP->MASTER transition on b yet;
//   2. the real server is up (status and vipkeeper_realserver_up), HTTP_GET durations observed,
//      ipvsAvailable says whether this kernel has IPVS;
//   3. crafted adverts from c (VRID 51, priority 254, TTL 1 / a corrupted checksum) are counted
//      under bad-ttl / bad-checksum by exactly the number sent, in status and in metrics, on both
//      directors, and change nothing (a would yield to priority 254 if one were accepted); a runs
//      with its eBPF receive filter (drops in the kernel where CAP_BPF allows), b without
//      (VIPKEEPER_VRRP_FILTER=off): where a packet is dropped must not change what is counted;
//   4. the control socket is 0600 and refuses nobody: at connect (EACCES) and, with the mode
//      opened up, by its peer-credential check; both as words from `vipkeeper status`, exit 1;
//   5. `vipkeeper reload` with a broken file exits 1, prints file:line:col errors and changes
//      nothing; with priority 150 -> 160 it exits 0, VI_1 is changed in place (same last
//      transition), the new priority is in status, metrics and on the wire (b's master seen);
//   6. the real server answers 500: down in status and metrics, failures counted as `status`;
//   7. failover (SIGTERM to a): b becomes MASTER in status and metrics, transitions_total
//      {from="BACKUP",to="MASTER"} is 1 on b, and a's socket is gone.
// Timings are bounded generously (2 shared, loaded cores); the measured ones are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needRoot } from '../../support/privileged.js';
import { startNsHttpServer, type NsHttpServer } from '../../support/ns-http.js';
import type { Host } from '../../support/netns.js';
import { Bench, confText, ADDR, VIP, type Daemon } from '../vrrp/support.js';
import { runNode } from '../net/ns-node.js';
import { sleep } from '../../support/wait.js';
import { controlRequest } from '../../../src/control/client.js';
import type { Status } from '../../../src/app/status.js';
import { parseExposition, valueOf, type Exposition } from '../../unit/ops/prom-text.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FLOOD = fileURLToPath(new URL('../net/vrrp-flood.ts', import.meta.url));
const METRICS_PORT = 9100; // each director has its own namespace, so its own loopback port space
const RS_IP = '10.9.0.30';
const RS_PORT = 80;
const VRID = 51;
const NOBODY = 65534;
// Checker timing: delay_loop 1 s, connect_timeout 1 s, retry 1, delay_before_retry 1 s.
const DELAY_LOOP_S = 1, CONNECT_TIMEOUT_S = 1, RETRY = 1;
/** The bound for a failing real server to be marked down, plus slack for a loaded host. */
const DOWN_BOUND_MS = (DELAY_LOOP_S * (RETRY + 1) + CONNECT_TIMEOUT_S * (RETRY + 1)) * 1000 + 8000;
/** Things that take a second or two, on a loaded machine. */
const REACT_MS = 20_000;
const N_TTL = 5, N_CHECKSUM = 3;

/** Director a's file: confText's VI_1 (VRRPv3, advert_int 1) plus one virtual server checked by HTTP_GET. */
function confA(priority: number): string {
  return `${confText({ version: 3, advertInt: 1 }, 'a', priority)}virtual_server ${VIP} 80 {
  delay_loop ${DELAY_LOOP_S}
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server ${RS_IP} ${RS_PORT} {
    weight 1
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout ${CONNECT_TIMEOUT_S}
      retry ${RETRY}
      delay_before_retry ${DELAY_LOOP_S}
    }
  }
}
`;
}

interface CliResult { code: number | null; stdout: string; stderr: string }

/** `vipkeeper ARGS` from the checkout's src/ (optionally as nobody, through setpriv). */
function cli(args: string[], asNobody = false): Promise<CliResult> {
  const node = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args];
  const argv = asNobody ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...node] : node;
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { cwd: ROOT, timeout: 60_000, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `vipkeeper status --json --control-socket SOCK`, parsed; exit 0 required. */
async function statusCli(sock: string): Promise<Status> {
  const r = await cli(['status', '--json', '--control-socket', sock]);
  assert.equal(r.code, 0, `vipkeeper status --control-socket ${sock}: exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Status;
}

/** The same status over the socket from this process: cheap enough to poll with. */
async function statusNow(sock: string): Promise<Status | undefined> {
  try {
    const r = await controlRequest(sock, { cmd: 'status' }, { timeoutMs: 5000 });
    return r.ok && 'status' in r ? r.status : undefined;
  } catch { return undefined; }
}

/** Polls the status until `pred` holds; throws with the last status (and `why()`) after `ms`. */
async function waitStatus(sock: string, pred: (s: Status) => boolean, ms: number, why: () => string = () => ''): Promise<{ status: Status; tookMs: number }> {
  const t0 = Date.now();
  let last: Status | undefined;
  for (;;) {
    last = await statusNow(sock);
    if (last && pred(last)) return { status: last, tookMs: Date.now() - t0 };
    if (Date.now() - t0 > ms) throw new Error(`status on ${sock} did not reach the expected state within ${ms} ms; last:\n${JSON.stringify(last, null, 1)}\n${why()}`);
    await sleep(200);
  }
}

const FETCH = `fetch(process.argv[1]).then(async (r) => { if (r.status !== 200) { console.error('HTTP ' + r.status); process.exit(1); } process.stdout.write(await r.text()); }, (e) => { console.error(String(e.cause ?? e)); process.exit(1); });`;

/** GET http://127.0.0.1:PORT/metrics from inside the host's namespace, parsed. */
function metrics(host: Host): Promise<Exposition> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', host.ns, process.execPath, '-e', FETCH, `http://127.0.0.1:${METRICS_PORT}/metrics`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d: Buffer) => { out += d; });
    p.stderr.on('data', (d: Buffer) => { err += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) { reject(new Error(`GET /metrics in ${host.ns}: exit ${code} ${err}`)); return; }
      try { resolve(parseExposition(out)); } catch (e) { reject(e as Error); }
    });
  });
}

const re = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const vi1 = (s: Status) => s.instances.find((i) => i.name === 'VI_1');
const VI1_LABELS = { instance: 'VI_1', vrid: String(VRID), interface: 'eth0' };

/**
 * From c: `ttl1` adverts with TTL 1 and `checksum` adverts with a corrupted checksum, each VRID 51,
 * priority 254 (above both directors: one accepted would take the mastership from a), as whole
 * IPv4 packets (IP_HDRINCL) to 224.0.0.18 on eth0. Prints {sent, errors}.
 */
function crafted(ttl1: number, checksum: number): string {
  return `
    import { RawSocket } from '$SRC/net/raw-socket.js';
    import { encodeVrrp } from '$SRC/codec/vrrp.js';
    import { parseIP } from '$SRC/lib/ip.js';
    import { ipv4 } from '${FLOOD}';
    const src = '${ADDR.client}', group = '224.0.0.18';
    const advert = () => encodeVrrp({ version: 3, vrid: ${VRID}, priority: 254, interval: 100, addresses: [parseIP('${VIP}').addr] },
      { src: parseIP(src).addr, dst: parseIP(group).addr, mode: 'pseudo-header' });
    const pkts = [];
    for (let i = 0; i < ${ttl1}; i++) pkts.push(ipv4(src, group, 1, advert()));
    for (let i = 0; i < ${checksum}; i++) { const p = advert(); p[6] ^= 0x5a; pkts.push(ipv4(src, group, 255, p)); }
    const s = RawSocket.open({ family: 4, protocol: 112, headerIncluded: true });
    s.bindToDevice('eth0');
    let sent = 0, errors = 0;
    for (const p of pkts) { try { s.send(p, group); sent++; } catch { errors++; } await new Promise((r) => setTimeout(r, 20)); }
    s.close();
    console.log(JSON.stringify({ sent, errors }));`;
}

interface Counts { ttl: number; checksum: number }
const dropped = (s: Status): Counts => ({ ttl: vi1(s)!.counters.dropped['bad-ttl'], checksum: vi1(s)!.counters.dropped['bad-checksum'] });
const droppedMetric = (e: Exposition): Counts => ({
  ttl: valueOf(e, 'vipkeeper_vrrp_packets_dropped_total', { instance: 'VI_1', reason: 'bad-ttl' }) ?? NaN,
  checksum: valueOf(e, 'vipkeeper_vrrp_packets_dropped_total', { instance: 'VI_1', reason: 'bad-checksum' }) ?? NaN,
});

test('status, metrics, control socket and reload of running directors (issue 11)', { timeout: 300_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'setpriv')) return;
  const bench = new Bench();
  let rs: NsHttpServer | undefined;
  try {
    const r = bench.lan.addHost('r', [`${RS_IP}/24`]);
    rs = await startNsHttpServer(r.ns, RS_IP, RS_PORT, 'r1', join(bench.dir, 'r1.state'));
    const dopts = { logLevel: 'info', args: ['--metrics-listen', `127.0.0.1:${METRICS_PORT}`, '--rt-priority', '0'] };
    // a first, so that b starts as a backup hearing a master: b's one BACKUP->MASTER is the failover.
    const a = bench.start('vipkeeper', 'a', confA(150), dopts);
    const fileA = join(bench.dir, 'vipkeeper-a-1.conf');
    const sockA = join(bench.dir, 'vipkeeper-a-1.sock');
    const logs = (d: Daemon) => () => `--- ${d.host.ns} (exit ${d.proc.exitCode}):\n${d.output().slice(-4000)}`;
    const upA = await waitStatus(sockA, (s) => vi1(s)?.state === 'MASTER', 30_000, logs(a));
    t.diagnostic(`a MASTER ${upA.tookMs} ms after it was spawned`);
    // b checks every packet in user space, a lets its transport's eBPF filter drop what it can in
    // the kernel (where CAP_BPF allows): the counts must not depend on where a packet is dropped.
    const b = bench.start('vipkeeper', 'b', confText({ version: 3, advertInt: 1 }, 'b', 100), { ...dopts, env: { VIPKEEPER_VRRP_FILTER: 'off' } });
    const sockB = join(bench.dir, 'vipkeeper-b-2.sock');
    await waitStatus(sockB, (s) => vi1(s)?.state === 'BACKUP' && vi1(s)?.masterSeen?.address === ADDR.a, 30_000, logs(b));
    const diag = () => `${logs(a)()}\n${logs(b)()}`;

    await t.test('after start: one MASTER, in status and in vipkeeper_vrrp_state', async (t) => {
      const [sa, sb] = [await statusCli(sockA), await statusCli(sockB)];
      assert.deepEqual(sa.instances.map((i) => [i.name, i.state, i.vrid, i.interface, i.priority]), [['VI_1', 'MASTER', VRID, 'eth0', 150]]);
      assert.deepEqual(sb.instances.map((i) => [i.name, i.state, i.priority]), [['VI_1', 'BACKUP', 100]]);
      assert.deepEqual(vi1(sb)!.masterSeen, { address: ADDR.a, priority: 150 });
      assert.equal(sa.pid, a.proc.pid);
      assert.equal(sb.pid, b.proc.pid);
      assert.ok(bench.hasVip('a') && !bench.hasVip('b'), 'the VIP is on a only');
      const [ma, mb] = [await metrics(bench.a), await metrics(bench.b)];
      assert.equal(valueOf(ma, 'vipkeeper_vrrp_state', VI1_LABELS), 2, 'a: master');
      assert.equal(valueOf(mb, 'vipkeeper_vrrp_state', VI1_LABELS), 1, 'b: backup');
      assert.equal(valueOf(ma, 'vipkeeper_vrrp_effective_priority', { instance: 'VI_1' }), 150);
      assert.equal(valueOf(ma, 'vipkeeper_vrrp_transitions_total', { instance: 'VI_1', from: 'BACKUP', to: 'MASTER' }), 1);
      assert.equal(vi1(sa)!.lastTransition?.to, 'MASTER');
      assert.equal(valueOf(mb, 'vipkeeper_vrrp_transitions_total', { instance: 'VI_1', from: 'BACKUP', to: 'MASTER' }) ?? 0, 0, 'b never was master');
      assert.ok((valueOf(ma, 'vipkeeper_vrrp_adverts_sent_total', { instance: 'VI_1' }) ?? 0) > 0, 'a advertises');
      assert.ok((valueOf(mb, 'vipkeeper_vrrp_adverts_received_total', { instance: 'VI_1' }) ?? 0) > 0, 'b hears the adverts');
      // GARPs: at the takeover, and again after garp_master_delay (1 s).
      let garps = 0;
      for (const end = Date.now() + REACT_MS; Date.now() < end && garps === 0; await sleep(500)) {
        garps = valueOf(await metrics(bench.a), 'vipkeeper_garp_sent_total', { instance: 'VI_1' }) ?? 0;
      }
      assert.ok(garps > 0, `vipkeeper_garp_sent_total{instance="VI_1"} on the master: ${garps}`);
      assert.equal(valueOf(mb, 'vipkeeper_garp_sent_total', { instance: 'VI_1' }) ?? 0, 0, 'the backup sent no GARP');
    });

    await t.test('the real server is up; HTTP_GET durations observed; ipvsAvailable as the kernel has it', async (t) => {
      const { tookMs } = await waitStatus(sockA, (s) => s.virtualServers[0]?.realServers[0]?.lastCheck?.ok === true, REACT_MS, diag);
      t.diagnostic(`first successful check seen after ${tookMs} ms`);
      const s = await statusCli(sockA);
      assert.equal(s.virtualServers.length, 1);
      const vs = s.virtualServers[0]!;
      assert.deepEqual(vs.realServers.map((x) => [x.address, x.port, x.up]), [[RS_IP, RS_PORT, true]]);
      assert.equal(vs.realServers[0]!.lastCheck?.type, 'HTTP_GET');
      assert.equal(vs.quorumUp, true);
      const hasIpvs = r.run('sh', '-c', 'test -e /proc/net/ip_vs && echo yes || echo no').trim() === 'yes';
      assert.equal(s.ipvsAvailable, hasIpvs, `ipvsAvailable (this kernel ${hasIpvs ? 'has' : 'has no'} IPVS)`);
      const sb = await statusCli(sockB);
      assert.equal(sb.ipvsAvailable, null, 'b has no virtual servers');
      assert.deepEqual(sb.virtualServers, []);
      const m = await metrics(bench.a);
      const rsLabels = { vs: vs.name, rs: `${RS_IP}:${RS_PORT}` };
      assert.equal(valueOf(m, 'vipkeeper_realserver_up', rsLabels), 1);
      assert.equal(valueOf(m, 'vipkeeper_realserver_weight', rsLabels), 1);
      assert.ok((valueOf(m, 'vipkeeper_check_duration_seconds_count', { type: 'HTTP_GET' }) ?? 0) > 0, 'check durations observed');
      assert.equal(valueOf(m, 'vipkeeper_check_failures_total', { ...rsLabels, type: 'HTTP_GET', reason: 'status' }) ?? 0, 0, 'no failure yet');
    });

    await t.test(`crafted adverts: ${N_TTL} with TTL 1 and ${N_CHECKSUM} with a bad checksum are counted exactly`, async (t) => {
      const filterA = /kernel filter unavailable/.test(a.output()) ? 'unavailable: user space' : 'attached';
      t.diagnostic(`a's VRRP kernel filter: ${filterA}; b's: off (VIPKEEPER_VRRP_FILTER=off)`);
      const [s0a, s0b] = [(await statusNow(sockA))!, (await statusNow(sockB))!];
      const before = { a: dropped(s0a), b: dropped(s0b) };
      const sentAt = Date.now();
      const out = await runNode<{ sent: number; errors: number }>(bench.client.ns, crafted(N_TTL, N_CHECKSUM), { timeoutMs: 60_000 });
      assert.deepEqual(out, { sent: N_TTL + N_CHECKSUM, errors: 0 });
      const want = (x: Counts): Counts => ({ ttl: x.ttl + N_TTL, checksum: x.checksum + N_CHECKSUM });
      // The daemons read the packets soon after; wait (bounded) until the counts are at least there.
      for (const [who, sock] of [['a', sockA], ['b', sockB]] as const) {
        const reached = (s: Status) => dropped(s).ttl >= want(before[who]).ttl && dropped(s).checksum >= want(before[who]).checksum;
        await waitStatus(sock, reached, 5000).catch(() => t.diagnostic(`${who}: the counts were not reached within 5 s`));
      }
      await sleep(1000); // nothing more comes: the counts are exact, not at least
      const [sa, sb, ma, mb] = [await statusCli(sockA), await statusCli(sockB), await metrics(bench.a), await metrics(bench.b)];
      t.diagnostic(`counted within ${Date.now() - sentAt} ms; a ${JSON.stringify(dropped(sa))}, b ${JSON.stringify(dropped(sb))} (before ${JSON.stringify(before)})`);
      // Both directors, status (counters.dropped) and metrics (vipkeeper_vrrp_packets_dropped_total)
      // in one comparison, so that a failure shows every difference at once.
      assert.deepEqual(
        { a: { status: dropped(sa), metrics: droppedMetric(ma) }, b: { status: dropped(sb), metrics: droppedMetric(mb) } },
        { a: { status: want(before.a), metrics: want(before.a) }, b: { status: want(before.b), metrics: want(before.b) } },
        'bad-ttl / bad-checksum drops counted exactly, in status and metrics');
      // Received counts every packet before validation (metrics: adverts_received_total).
      for (const [who, s0, s1, m] of [['a', s0a, sa, ma], ['b', s0b, sb, mb]] as const) {
        const got = vi1(s1)!.counters.received - vi1(s0)!.counters.received;
        assert.ok(got >= N_TTL + N_CHECKSUM, `${who}: received grew by ${got}, fewer than the ${N_TTL + N_CHECKSUM} packets sent`);
        // Scraped after the status: the master's adverts keep arriving at b in between.
        const scraped = valueOf(m, 'vipkeeper_vrrp_adverts_received_total', { instance: 'VI_1' }) ?? -1;
        assert.ok(scraped >= vi1(s1)!.counters.received, `${who}: adverts_received_total ${scraped} < the status's ${vi1(s1)!.counters.received}`);
      }
      // Not one of them was taken for an advert of priority 254.
      assert.equal(vi1(sa)!.state, 'MASTER');
      assert.equal(vi1(sb)!.state, 'BACKUP');
      assert.deepEqual(vi1(sb)!.masterSeen, { address: ADDR.a, priority: 150 });
    });

    await t.test('control socket: mode 0600; nobody is refused, in words, exit 1', async (t) => {
      const st = statSync(sockA);
      assert.ok(st.isSocket());
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(st.uid, 0);
      // Let nobody reach the socket file (the test's directory is 0700): only its own mode refuses.
      chmodSync(bench.dir, 0o755);
      try {
        const r1 = await cli(['status', '--control-socket', sockA], true);
        assert.equal(r1.code, 1, `exit code; stderr: ${r1.stderr}`);
        assert.equal(r1.stdout, '');
        assert.match(r1.stderr, new RegExp(`^vipkeeper status: no vipkeeper daemon answers on ${re(sockA)}: EACCES \\(permission denied \\(run as root or as the daemon's user\\)\\)$`, 'm'));
        // With the mode opened up, the daemon's peer-credential check still refuses nobody.
        chmodSync(sockA, 0o666);
        const r2 = await cli(['status', '--json', '--control-socket', sockA], true);
        assert.equal(r2.code, 1, `exit code; stderr: ${r2.stderr}`);
        assert.equal(r2.stdout, '', 'no status leaked');
        assert.match(r2.stderr, new RegExp(`^vipkeeper status: permission denied: uid ${NOBODY} is neither root nor the daemon's uid 0$`, 'm'));
        const r3 = await cli(['reload', '--control-socket', sockA], true);
        assert.equal(r3.code, 1);
        assert.match(r3.stderr, /permission denied: uid 65534/);
      } finally {
        chmodSync(sockA, 0o600);
        chmodSync(bench.dir, 0o700);
      }
      assert.equal(vi1(await statusCli(sockA))!.state, 'MASTER', 'root still gets the status');
    });

    await t.test('reload: a broken file exits 1 with file:line:col errors and changes nothing; a valid one updates in place', async (t) => {
      const before = await statusCli(sockA);
      const broken = confA(150).replace('priority 150', 'priority 999').replace('delay_loop 1', 'delay_loop -1');
      writeFileSync(fileA, broken);
      const lines = broken.split('\n');
      const lineOf = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
      const r1 = await cli(['reload', '--control-socket', sockA]);
      assert.equal(r1.code, 1, `exit code; stdout ${r1.stdout} stderr ${r1.stderr}`);
      assert.equal(r1.stdout, '');
      assert.match(r1.stderr, /the configuration was not reloaded; the running configuration stays/);
      const errs = r1.stderr.split('\n').filter((l) => l.startsWith(`${fileA}:`));
      t.diagnostic(`reload errors:\n${errs.join('\n')}`);
      assert.ok(errs.some((l) => new RegExp(`^${re(fileA)}:${lineOf('priority 999')}:\\d+: .*priority`).test(l)), `the priority error at line ${lineOf('priority 999')}`);
      assert.ok(errs.some((l) => new RegExp(`^${re(fileA)}:${lineOf('delay_loop -1')}:\\d+: .*delay_loop`).test(l)), `the delay_loop error at line ${lineOf('delay_loop -1')}`);
      assert.ok(errs.every((l) => /^\S+:\d+:\d+: \S/.test(l)));
      const after = await statusCli(sockA);
      const shape = (s: Status) => ({
        pid: s.pid,
        instances: s.instances.map((i) => ({ name: i.name, state: i.state, vrid: i.vrid, priority: i.priority, effectivePriority: i.effectivePriority, lastTransition: i.lastTransition?.at })),
        virtualServers: s.virtualServers.map((v) => ({ name: v.name, realServers: v.realServers.map((x) => [x.address, x.port, x.up, x.weight]) })),
      });
      assert.deepEqual(shape(after), shape(before), 'nothing changed');
      assert.equal(valueOf(await metrics(bench.a), 'vipkeeper_vrrp_effective_priority', { instance: 'VI_1' }), 150);

      writeFileSync(fileA, confA(160));
      const r2 = await cli(['reload', '--control-socket', sockA]);
      assert.equal(r2.code, 0, `exit code; stderr ${r2.stderr}`);
      t.diagnostic(r2.stdout.trim());
      assert.match(r2.stdout, /^reloaded$/m);
      assert.match(r2.stdout, /^ {2}changed: VI_1$/m);
      assert.match(r2.stdout, /^ {2}started: -$/m);
      assert.match(r2.stdout, /^ {2}stopped: -$/m);
      const s2 = await statusCli(sockA);
      assert.equal(s2.pid, before.pid);
      assert.deepEqual(s2.instances.map((i) => [i.name, i.state, i.priority, i.effectivePriority]), [['VI_1', 'MASTER', 160, 160]]);
      assert.equal(vi1(s2)!.lastTransition?.at, vi1(before)!.lastTransition?.at, 'not restarted: the last transition is the same');
      assert.deepEqual(s2.virtualServers.map((v) => v.name), before.virtualServers.map((v) => v.name));
      assert.equal(valueOf(await metrics(bench.a), 'vipkeeper_vrrp_effective_priority', { instance: 'VI_1' }), 160);
      assert.equal(valueOf(await metrics(bench.a), 'vipkeeper_vrrp_transitions_total', { instance: 'VI_1', from: 'BACKUP', to: 'MASTER' }), 1, 'no new transition');
      // On the wire: b hears the new priority.
      await waitStatus(sockB, (s) => vi1(s)?.masterSeen?.priority === 160, REACT_MS, diag);
      assert.equal(vi1(await statusCli(sockB))!.state, 'BACKUP');
    });

    await t.test('the real server answers 500: down in status and metrics, failures counted as status', async (t) => {
      rs!.set('500');
      const { tookMs } = await waitStatus(sockA, (s) => s.virtualServers[0]?.realServers[0]?.up === false, DOWN_BOUND_MS, diag);
      t.diagnostic(`marked down ${tookMs} ms after the server started answering 500 (bound ${DOWN_BOUND_MS} ms)`);
      const s = await statusCli(sockA);
      const x = s.virtualServers[0]!.realServers[0]!;
      assert.equal(x.up, false);
      assert.equal(x.lastCheck?.ok, false);
      assert.equal(x.lastCheck?.code, 'status');
      assert.match(x.lastCheck?.reason ?? '', /500/);
      const m = await metrics(bench.a);
      const rsLabels = { vs: s.virtualServers[0]!.name, rs: `${RS_IP}:${RS_PORT}` };
      assert.equal(valueOf(m, 'vipkeeper_realserver_up', rsLabels), 0);
      assert.ok((valueOf(m, 'vipkeeper_check_failures_total', { ...rsLabels, type: 'HTTP_GET', reason: 'status' }) ?? 0) >= 1, 'failures counted with reason="status"');
      assert.ok((valueOf(m, 'vipkeeper_check_duration_seconds_count', { type: 'HTTP_GET' }) ?? 0) > 0);
      // The human table says why.
      const table = await cli(['status', '--control-socket', sockA]);
      assert.equal(table.code, 0);
      assert.match(table.stdout, new RegExp(`${re(RS_IP)}:${RS_PORT}\\s+DOWN\\b.*HTTP_GET failed: .*500`));
    });

    await t.test('failover (SIGTERM to the master): b becomes MASTER in status and metrics', async (t) => {
      const t0 = Date.now();
      assert.equal(await a.stop(), 0, `a's exit code\n${logs(a)()}`);
      const { tookMs } = await waitStatus(sockB, (s) => vi1(s)?.state === 'MASTER', REACT_MS, diag);
      t.diagnostic(`b MASTER ${Date.now() - t0} ms after SIGTERM to a (${tookMs} ms after a exited)`);
      assert.equal(existsSync(sockA), false, "a's control socket removed at stop");
      const s = await statusCli(sockB);
      assert.deepEqual(s.instances.map((i) => [i.name, i.state, i.priority]), [['VI_1', 'MASTER', 100]]);
      assert.equal(vi1(s)!.lastTransition?.from, 'BACKUP');
      assert.equal(vi1(s)!.lastTransition?.to, 'MASTER');
      assert.equal(vi1(s)!.masterSeen, null);
      const m = await metrics(bench.b);
      assert.equal(valueOf(m, 'vipkeeper_vrrp_state', VI1_LABELS), 2);
      assert.equal(valueOf(m, 'vipkeeper_vrrp_transitions_total', { instance: 'VI_1', from: 'BACKUP', to: 'MASTER' }), 1);
      let garps = 0;
      for (const end = Date.now() + REACT_MS; Date.now() < end && garps === 0; await sleep(500)) {
        garps = valueOf(await metrics(bench.b), 'vipkeeper_garp_sent_total', { instance: 'VI_1' }) ?? 0;
      }
      assert.ok(garps > 0, `b's GARPs after the takeover: ${garps}`);
      assert.ok(bench.hasVip('b') && !bench.hasVip('a'), 'the VIP moved to b');
      await assert.rejects(metrics(bench.a), "a's metrics endpoint is gone with it");
    });

    assert.equal(await b.stop(), 0, logs(b)());
  } finally {
    await rs?.kill();
    await bench.cleanup();
  }
});
