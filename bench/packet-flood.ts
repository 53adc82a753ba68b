// CPU cost of a flood of invalid VRRP packets to a master, vipkeeper beside keepalived in one run.
// A master (VRRPv3 multicast, advert_int 1, the same config for both daemons) runs in one
// namespace; a flooder namespace sends N packets of each kind at a fixed rate through a raw socket
// (IP_HDRINCL, packets built with the project's codecs: test/integration/net/vrrp-flood.ts):
//   random    random payloads of 0-40 bytes        ttl1     valid adverts with TTL 1
//   checksum  adverts with a wrong checksum        version  VRRPv2 adverts to the v3 instance
//   vrid      adverts for every other VRID         lowprio  valid adverts with a lower priority
// Per kind and repetition: the CPU time (utime + stime of every process, /proc/PID/stat) over the
// flood, minus an idle window of the same length just before it (scaled to the flood's wall
// time), divided by the packets sent. Prints medians per kind and the ratio to keepalived, whether
// the VIP stayed on the master, and the kernel socket drops; then a counting check: the transport
// in process, a short flood of each kind, its counts by reason beside classify()'s.
// What is measured (KINDS=... selects, comma-separated):
//   keepalived          keepalived 2.2.7 with its default logging (syslog; it logs every invalid
//                       packet). Not -l: its console logging also writes /dev/console, ~0.8 ms a line here.
//   vipkeeper           the daemon (src/cli.ts run, or the build's dist/cli.cjs with VK_DIST=1) at log level info
//   vipkeeper-nofilter  the same with VIPKEEPER_VRRP_FILTER=off: every packet checked in user space
//   transport           the transport alone in a process (test/integration/net/vrrp-flood.ts
//                       receiverCode), told the version and checksum form, counting as the
//                       instance does: the daemon's receive path once it passes them too
//   transport-nofilter  the same without the kernel filter
// Asserts nothing; timings are for reading. Run (root):
//   node --import tsx bench/packet-flood.ts [N per kind, 20000] [rate/s, 5000] [reps, 3]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lan, type Host } from '../test/support/netns.js';
import { distBin, hasAddress } from '../test/support/directors.js';
import { startNode, waitForLine, runNode } from '../test/integration/net/ns-node.js';
import { classify, floodPackets, flooderCode, receiverCode, rx, FLOOD_KINDS, type FloodTarget } from '../test/integration/net/vrrp-flood.js';
import { parseIP } from '../src/lib/ip.js';
import { conf, fmt, median, sleep, usage, waitFor } from './failover-lab.js';

const N = Number(process.argv[2] ?? 20000);
const RATE = Number(process.argv[3] ?? 5000);
const REPS = Number(process.argv[4] ?? 3);
type Variant = 'keepalived' | 'vipkeeper' | 'vipkeeper-nofilter' | 'transport' | 'transport-nofilter';
const VARIANTS = (process.env.KINDS ?? 'keepalived,vipkeeper,vipkeeper-nofilter,transport,transport-nofilter').split(',') as Variant[];
const MASTER = '10.9.0.1';
const FLOODER = '10.9.0.9';
const VIP = '10.9.1.51';
const TARGET: FloodTarget = { src: FLOODER, vrid: 51, version: 3, vip: VIP };

interface KindResult { usPerPacket: number[]; sent: number[] }
interface RunResult { perKind: Map<string, KindResult>; vipKept: boolean | undefined; socketDrops: number; counters?: { received: number; own: number; dropped: Record<string, number> } }

/** Kernel drops on the master's raw sockets (/proc/net/raw's last column): packets the daemon never read. */
function rawDrops(ns: string): number {
  try {
    const text = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/raw'], { encoding: 'utf8' });
    return text.split('\n').slice(1).filter(Boolean).reduce((n, l) => n + Number(l.trim().split(/\s+/).pop() ?? 0), 0);
  } catch { return NaN; }
}

interface Target {
  pids(): number[];
  gone(): string | undefined;
  moved(): boolean;
  /** vipkeeper: its instance's counters from `vipkeeper status --json`. */
  counters?(): { received: number; own: number; dropped: Record<string, number> } | undefined;
  stop(): Promise<void>;
}

/** Starts what is measured in the master's namespace; resolves once it holds the VIP (or is ready). */
async function startTarget(variant: Variant, m: Host, dir: string): Promise<Target> {
  const text = conf({ version: 3, advertInt: 1, priority: 200, vridBase: 51 });
  if (variant === 'keepalived') {
    // Default logging (syslog), as on a production director: see the header for why not -l.
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, text);
    const vrrpPid = join(dir, 'vrrp.pid');
    const proc = m.spawn('keepalived', ['-n', '--vrrp', '-f', file, '-p', join(dir, 'k.pid'), '-r', vrrpPid], { stdio: 'ignore' });
    if (!(await waitFor(() => hasAddress(m, VIP), 20_000, 100))) throw new Error('keepalived never became master');
    return {
      pids: () => [proc.pid!, ...(existsSync(vrrpPid) ? [Number(readFileSync(vrrpPid, 'utf8'))] : [])],
      gone: () => (proc.exitCode !== null || proc.signalCode !== null ? `exited ${proc.exitCode ?? proc.signalCode}` : undefined),
      moved: () => false,
      stop: async () => { proc.kill('SIGTERM'); await new Promise((r) => { proc.once('exit', r); setTimeout(r, 5000); }); },
    };
  }
  if (variant.startsWith('transport')) {
    const rcv = startNode(m.ns, receiverCode(MASTER, variant === 'transport'), { timeoutMs: 3_600_000 });
    await waitForLine(rcv, (l) => l.includes('"ready"'), 20_000);
    return {
      pids: () => [rcv.child.pid!],
      gone: () => (rcv.child.exitCode !== null ? `exited ${rcv.child.exitCode}` : undefined),
      moved: () => false,
      stop: async () => { rcv.child.kill('SIGUSR2'); await rcv.done; },
    };
  }
  // The daemon in a mount namespace of its own with a private /run/vipkeeper, so that its control
  // socket is neither another test's nor the host's; `status` is asked there through nsenter.
  const file = join(dir, 'vipkeeper.conf');
  writeFileSync(file, text);
  mkdirSync('/run/vipkeeper', { recursive: true });
  const cli = process.env.VK_DIST ? [distBin(process.cwd())] : ['--import', 'tsx', join(process.cwd(), 'src/cli.ts')];
  const proc = m.spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs vkflood /run/vipkeeper && exec "$0" "$@"',
    process.execPath, ...cli, 'run', '-f', file, '--log-level', 'info'], {
    cwd: process.cwd(), ...(variant === 'vipkeeper-nofilter' ? { env: { ...process.env, VIPKEEPER_VRRP_FILTER: 'off' } } : {}),
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => { out += b; });
  proc.stderr!.on('data', (b: Buffer) => { out += b; });
  if (!(await waitFor(() => hasAddress(m, VIP), 20_000, 100))) throw new Error(`${variant}: never became master\n${out.slice(-2000)}`);
  const before = out.length; // a transition logged from here on means the flood moved it
  return {
    pids: () => [proc.pid!],
    gone: () => (proc.exitCode !== null ? `exited ${proc.exitCode}: ${out.slice(-1000)}` : undefined),
    moved: () => /-> (BACKUP|FAULT|INIT)/.test(out.slice(before)),
    counters: () => {
      try {
        // nsenter -m starts in /: change back to where tsx and the sources resolve.
        const json = execFileSync('nsenter', ['-t', String(proc.pid), '-m', '-n', '--', 'sh', '-c', 'cd "$0" && exec "$@"', process.cwd(), process.execPath, ...cli, 'status', '--json'], { encoding: 'utf8' });
        const inst = (JSON.parse(json) as { instances: { vrid: number; counters: { received: number; own: number; dropped: Record<string, number> } }[] }).instances.find((i) => i.vrid === 51);
        return inst?.counters;
      } catch { return undefined; }
    },
    stop: async () => { proc.kill('SIGTERM'); await new Promise((r) => { proc.once('exit', r); setTimeout(r, 5000); }); },
  };
}

async function run(variant: Variant): Promise<RunResult> {
  const lan = new Lan();
  const dir = mkdtempSync(join(tmpdir(), 'vk-flood-'));
  const perKind = new Map<string, KindResult>(FLOOD_KINDS.map((k) => [k, { usPerPacket: [], sent: [] }]));
  const holdsVip = !variant.startsWith('transport');
  let vipKept = true;
  try {
    const m = lan.addHost('m', [`${MASTER}/16`]);
    const f = lan.addHost('f', [`${FLOODER}/16`]);
    if (variant.startsWith('transport')) m.run('sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0');
    const target = await startTarget(variant, m, dir);
    await sleep(1500); // past startup work (JIT, GARP rounds)
    const stepDir = join(dir, 'steps');
    mkdirSync(stepDir);
    const kinds = Array.from({ length: REPS }, () => [...FLOOD_KINDS]).flat();
    const fl = startNode(f.ns, flooderCode({ target: TARGET, kinds, n: N, rate: RATE, stepDir }), { timeoutMs: (kinds.length * (2 * N / RATE + 3) + 30) * 1000 });
    const floodMs = (N / RATE) * 1000;
    for (let k = 0; k < kinds.length; k++) {
      const ready = () => fl.lines.filter((l) => l.includes('"phase":"ready"')).length > k;
      const done = () => fl.lines.filter((l) => l.includes('"phase":"done"')).length > k;
      if (!(await waitFor(ready, 30_000, 5))) throw new Error(`flooder stuck: ${fl.lines.slice(-3).join(' | ')}`);
      // Idle baseline: as long as the flood window will be.
      const i0 = usage(target.pids()), it0 = performance.now();
      await sleep(floodMs + 300);
      const i1 = usage(target.pids()), it1 = performance.now();
      const f0 = usage(target.pids()), ft0 = performance.now();
      writeFileSync(join(stepDir, `go.${k}`), '');
      if (!(await waitFor(done, floodMs * 4 + 30_000, 2))) throw new Error(`flooder did not finish: ${fl.lines.slice(-3).join(' | ')}`);
      await sleep(300); // what is still queued gets read
      const f1 = usage(target.pids()), ft1 = performance.now();
      const line = JSON.parse(fl.lines.filter((l) => l.includes('"phase":"done"'))[k]!) as { sent: number };
      const idleRate = (i1.cpuS - i0.cpuS) / (it1 - it0);
      const extra = (f1.cpuS - f0.cpuS) - idleRate * (ft1 - ft0);
      const r = perKind.get(kinds[k]!)!;
      r.usPerPacket.push(extra / line.sent * 1e6);
      r.sent.push(line.sent);
      if (holdsVip && !hasAddress(m, VIP)) vipKept = false;
      const gone = target.gone();
      if (gone) throw new Error(`${variant} ${gone}`);
    }
    await fl.done;
    await sleep(500);
    const socketDrops = rawDrops(m.ns);
    const moved = target.moved();
    const counters = target.counters?.();
    await target.stop();
    return { perKind, vipKept: holdsVip ? vipKept && !moved : undefined, socketDrops, ...(counters ? { counters } : {}) };
  } finally {
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The in-process counting check: transport in the namespace, expected counts from classify(). */
async function countingCheck(filter: boolean): Promise<string[]> {
  const lan = new Lan();
  const out: string[] = [];
  try {
    const m = lan.addHost('m', [`${MASTER}/16`]);
    const f = lan.addHost('f', [`${FLOODER}/16`]);
    const n = 500;
    const rcv = startNode(m.ns, receiverCode(MASTER, filter), { timeoutMs: 120_000 });
    await waitForLine(rcv, (l) => l.includes('"ready"'), 20_000);
    await runNode(f.ns, flooderCode({ target: TARGET, kinds: [...FLOOD_KINDS], n, rate: RATE }), { timeoutMs: 120_000 });
    rcv.child.kill('SIGUSR2');
    const r = await rcv.done;
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { counts: Record<string, Record<string, number>>; kernel: Record<string, Record<string, number>>; unknown: number | null };
    const served = new Map([[51, { rx: rx(51, 3), src: parseIP(MASTER).addr }], [60, { rx: rx(60, 2), src: parseIP(MASTER).addr }]]);
    const want: Record<string, number> = {};
    let unknown = 0;
    for (const k of FLOOD_KINDS) for (const p of floodPackets(k, TARGET, n)) {
      const c = classify(p, served);
      if (c.outcome === 'unknown-vrid') unknown++; else if (c.vrid === 51) want[c.outcome] = (want[c.outcome] ?? 0) + 1;
    }
    const user = got.counts['51'] ?? {}, kern = got.kernel['51'] ?? {};
    const keys = [...new Set([...Object.keys(want), ...Object.keys(user), ...Object.keys(kern)])].filter((k) => k !== 'received').sort();
    let exact = true;
    for (const k of keys) {
      const total = (user[k] ?? 0) + (kern[k] ?? 0);
      if (total !== (want[k] ?? 0)) exact = false;
      out.push(`    ${k.padEnd(14)} expected ${String(want[k] ?? 0).padStart(5)}   counted ${String(total).padStart(5)} (kernel ${String(kern[k] ?? 0).padStart(5)}, user space ${String(user[k] ?? 0).padStart(5)})`);
    }
    const unk = got.unknown;
    if (unk !== null && unk !== unknown) exact = false;
    out.push(`    ${'foreign VRID'.padEnd(14)} expected ${String(unknown).padStart(5)}   counted ${unk === null ? '  n/a' : String(unk).padStart(5)}`);
    out.unshift(`  filter ${filter ? 'on ' : 'off'}: ${exact ? 'EXACT' : 'MISMATCH'} (${n} packets of each kind to VRID 51)`);
  } finally { lan.destroy(); }
  return out;
}

console.log(`packet flood: ${N} packets of each kind at ${RATE}/s to a VRRPv3 master (advert_int 1), ${REPS} repetitions, CPU = utime+stime over the flood minus idle`);
const results = new Map<Variant, RunResult>();
for (const v of VARIANTS) {
  try { results.set(v, await run(v)); } catch (e) { console.log(`  ${v}: failed: ${(e as Error).message.split('\n').slice(0, 3).join(' / ')}`); }
}
const ka = results.get('keepalived');
console.log(`\n  CPU per packet received, µs (median of ${REPS}; ratio = vipkeeper / keepalived)`);
console.log(`  ${'kind'.padEnd(9)}${VARIANTS.map((v) => v.padStart(20)).join('')}${VARIANTS.filter((v) => v !== 'keepalived').map((v) => `  ratio ${v}`.padStart(28)).join('')}`);
for (const k of FLOOD_KINDS) {
  const cells = VARIANTS.map((v) => { const r = results.get(v)?.perKind.get(k); return r ? fmt(median(r.usPerPacket), 2).padStart(20) : 'n/a'.padStart(20); });
  const kaM = ka ? median(ka.perKind.get(k)!.usPerPacket) : NaN;
  const ratios = VARIANTS.filter((v) => v !== 'keepalived').map((v) => {
    const r = results.get(v)?.perKind.get(k);
    return (r && Number.isFinite(kaM) && kaM > 0 ? fmt(median(r.usPerPacket) / kaM, 2) : 'n/a').padStart(28);
  });
  console.log(`  ${k.padEnd(9)}${cells.join('')}${ratios.join('')}`);
}
console.log('');
for (const [v, r] of results) console.log(`  ${v.padEnd(20)} VIP stayed on the master: ${r.vipKept === undefined ? 'n/a' : r.vipKept ? 'yes' : 'NO'}   raw socket drops (never read): ${r.socketDrops}`);
/** What every flood of the run must have added to VRID 51's counters (classify() over the packets sent). */
function expectedCounters(): Record<string, number> {
  const served = new Map([[51, { rx: rx(51, 3), src: parseIP(MASTER).addr }]]);
  const want: Record<string, number> = { received: 0 };
  for (const k of FLOOD_KINDS) for (const p of floodPackets(k, TARGET, N)) {
    const c = classify(p, served);
    if (c.outcome === 'unknown-vrid') continue;
    want.received! += REPS;
    if (c.outcome !== 'ok' && c.outcome !== 'own') want[c.outcome] = (want[c.outcome] ?? 0) + REPS;
  }
  return want;
}
const withStatus = [...results].filter(([, r]) => r.counters);
if (withStatus.length) {
  const want = expectedCounters();
  console.log(`\n  the daemon's own counters for VRID 51 (vipkeeper status --json) after the run, beside what the floods sent (adverts from the daemon's peers: none)`);
  for (const [v, r] of withStatus) {
    const c = r.counters!;
    const reasons = Object.keys(want).filter((k) => k !== 'received');
    const cells = reasons.map((k) => `${k} ${c.dropped[k] ?? 0}/${want[k]}`).join('   ');
    const exact = reasons.every((k) => (c.dropped[k] ?? 0) === want[k]) && c.received === want.received;
    console.log(`  ${v.padEnd(20)} received ${c.received}/${want.received}   ${cells}   ${exact ? 'EXACT' : `differs (socket drops ${r.socketDrops})`}`);
  }
}
if (VARIANTS.some((v) => v.startsWith('vipkeeper'))) {
  console.log('\n  vipkeeper drop counters, transport in process (what the instance adds up: user-space validation + transport.kernelDrops())');
  for (const filter of [true, false]) {
    try { for (const l of await countingCheck(filter)) console.log(l); } catch (e) { console.log(`  counting check failed: ${(e as Error).message}`); }
  }
}
