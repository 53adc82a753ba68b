// Benchmark, inside the kernel VM: keepalived's checker process (`keepalived -C`) and vipkeeper
// on the SAME keepalived.conf, one after the other in one boot, against the same local backends:
// N virtual servers x M real servers, TCP_CHECK and HTTP_GET alternating, delay_loop 1 s. For each
// daemon: CPU share of its process tree (utime + stime from /proc over a fixed window after
// warm-up), RSS and PSS, real servers wrongly missing from IPVS during the window, and for real
// servers made to fail at a known time the spread until they leave the kernel table, against
// delay_loop x (retry + 1) + connect_timeout. Prints both sides and the ratios.
//   node test/kernel/harness/run.mjs -t 1500 -- node --import tsx bench/checkers-vm.ts [scales=2x10,2x20,4x25] [seconds=30] [warmup=60]
// Each scale NxM is one keepalived run then one vipkeeper run, all in the same boot.
// VK_BENCH_BEFORE=DIR (a directory inside the checkout holding another build's dist/ and build/)
// adds a run of that build after them, for a before/after in the same boot. Only in the
// VM: it flushes the kernel's IPVS table. Emulated (TCG) CPU runs node's code so slowly that
// vipkeeper saturates one vCPU between 10 and 20 checks per second; the default scales straddle
// that point, keepalived keeps up with all three (bench/README.md, "checkers"). The 1,000-server
// run, without keepalived, is bench/checkers.ts on the host.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { sleep, waitFor } from '../test/support/wait.js';

const SCALES = (process.argv[2] ?? '2x10,2x20,4x25').split(',').map((x) => x.split('x').map(Number) as [number, number]);
const SECONDS = Number(process.argv[3] ?? 30);
/**
 * From "every real server in IPVS" to the window, for both daemons. Node's start-up (parsing,
 * compiling, then optimising the code) is 0.3 s of CPU on the host but some 40 s of emulated CPU
 * under TCG, well after the table is first complete: measured with one real server, vipkeeper's
 * CPU is 110-126 % in its first 20 s, 64 % in the next 10, then a steady 7-11 %.
 */
const WARMUP_S = Number(process.argv[4] ?? 60);
const TCP_PORT = 8080, HTTP_PORT = 8081;
const DELAY_LOOP_S = 1, RETRY = 1, DELAY_BEFORE_RETRY_S = 1, CONNECT_TIMEOUT_S = 1;
/** The issue's bound: delay_loop x (retry + 1) + connect_timeout. */
const BOUND_MS = 1000 * (DELAY_LOOP_S * (RETRY + 1) + CONNECT_TIMEOUT_S);
const CLK_TCK = 100;

interface Rs { vs: number; addr: string; port: number; http: boolean }

const vsAddr = (j: number): string => `10.20.0.${j + 1}`;

/** One scale: its real servers and the ones made to fail. */
class Scale {
  readonly total: number;
  /** A tenth of the real servers fail, half of them TCP (listener closed), half HTTP (500). */
  readonly failing: number;
  readonly rs: Rs[] = [];
  readonly victims: Rs[];
  constructor(readonly nvs: number, readonly mrs: number) {
    this.total = nvs * mrs;
    this.failing = Math.max(2, Math.round(this.total / 10));
    for (let j = 0; j < nvs; j++) {
      for (let i = 0; i < mrs; i++) {
        const k = j * mrs + i;
        const http = k % 2 === 1;
        this.rs.push({ vs: j, addr: `127.0.${1 + Math.floor(k / 250)}.${1 + (k % 250)}`, port: http ? HTTP_PORT : TCP_PORT, http });
      }
    }
    // Spread over every virtual server: every (total / failing)-th real server, which alternates
    // TCP and HTTP as long as that step is odd.
    const step = Math.floor(this.total / this.failing) | 1;
    this.victims = this.rs.filter((_, k) => k % step === 0).slice(0, this.failing);
  }
}

function config(sc: Scale): string {
  const out: string[] = [];
  const { rs: rsList } = sc;
  for (let j = 0; j < sc.nvs; j++) {
    out.push(`virtual_server ${vsAddr(j)} 80 {\n  delay_loop ${DELAY_LOOP_S}\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP`);
    for (const r of rsList.filter((x) => x.vs === j)) {
      const check = r.http ? 'HTTP_GET {\n      url {\n        path /health\n        status_code 200\n      }' : 'TCP_CHECK {';
      out.push(`  real_server ${r.addr} ${r.port} {\n    weight 1\n    ${check}
      connect_timeout ${CONNECT_TIMEOUT_S}\n      retry ${RETRY}\n      delay_before_retry ${DELAY_BEFORE_RETRY_S}\n    }\n  }`);
    }
    out.push('}');
  }
  return out.join('\n') + '\n';
}

// The real servers: one listener per real server, in a child process (its CPU is not the
// daemon's). Commands on stdin, one per line, each acknowledged with "ok" once in effect:
// `fail ADDR PORT` (TCP: stop listening, so connects are refused; HTTP: answer 500), `heal`.
const BACKEND = `
const net = require('node:net'), http = require('node:http'), rl = require('node:readline');
const list = JSON.parse(process.argv[1]);
const servers = new Map(), bad = new Set();
const key = (a, p) => a + ' ' + p;
function listen(r) {
  const s = r.http
    ? http.createServer((q, res) => { const b = bad.has(key(r.addr, r.port)); res.writeHead(b ? 500 : 200); res.end(b ? 'no' : 'ok'); })
    : net.createServer((c) => c.end());
  servers.set(key(r.addr, r.port), s);
  return new Promise((ok, ko) => { s.once('error', ko); s.listen(r.port, r.addr, ok); });
}
Promise.all(list.map(listen)).then(() => console.log('ready'));
rl.createInterface({ input: process.stdin }).on('line', async (l) => {
  const [cmd, a, p] = l.split(' ');
  if (cmd === 'fail') {
    const r = list.find((x) => x.addr === a && String(x.port) === p);
    if (r.http) bad.add(key(a, p));
    else await new Promise((ok) => { const s = servers.get(key(a, p)); servers.delete(key(a, p)); s.close(ok); setTimeout(ok, 50); });
  } else if (cmd === 'heal') {
    bad.clear();
    await Promise.all(list.filter((r) => !servers.has(key(r.addr, r.port))).map(listen));
  }
  console.log('ok');
});
`;

class Backend {
  private proc: ChildProcess;
  private waiting: (() => void)[] = [];
  constructor(rsList: Rs[]) {
    this.proc = spawn(process.execPath, ['-e', BACKEND, JSON.stringify(rsList)], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', () => this.waiting.shift()?.());
  }
  /** Resolves on the next line ("ready" or "ok"). */
  private next(): Promise<void> { return new Promise((r) => this.waiting.push(r)); }
  ready(): Promise<void> { return this.next(); }
  async send(cmd: string): Promise<void> { const p = this.next(); this.proc.stdin!.write(cmd + '\n'); await p; }
  stop(): void { this.proc.kill('SIGTERM'); }
}

// ------------------------------------------------------------------ what the kernel holds

const hex = (a: string, port: number): string =>
  a.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('').toUpperCase() + ':' + port.toString(16).padStart(4, '0').toUpperCase();

/**
 * "VS RS" pairs (hex, as the kernel prints them) in /proc/net/ip_vs: the same table `ipvsadm -Ln`
 * reads over netlink, but a file read, not a process start (about 100 ms of emulated CPU per
 * ipvsadm under TCG), so polling every 100 ms measures the daemon, not the poller.
 */
function kernelPairs(): Set<string> {
  const out = new Set<string>();
  let svc = '';
  for (const line of readFileSync('/proc/net/ip_vs', 'utf8').split('\n')) {
    const s = /^(TCP|UDP|SCTP)\s+(\S+)/.exec(line);
    if (s) { svc = s[2]!; continue; }
    const d = /^\s+->\s+([0-9A-F]+:[0-9A-F]+)\s/.exec(line);
    if (d && svc) out.add(`${svc} ${d[1]}`);
  }
  return out;
}
const pairOf = (r: Rs): string => `${hex(vsAddr(r.vs), 80)} ${hex(r.addr, r.port)}`;

// ------------------------------------------------------------------ the daemon's process tree

function statOf(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) }; // ppid, utime + stime
  } catch { return undefined; }
}

/** The pid and its descendants (keepalived -C is a parent and its checker child). */
function tree(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const st = statOf(Number(e));
    if (st) kids.set(st.ppid, [...(kids.get(st.ppid) ?? []), Number(e)]);
  }
  const out: number[] = [];
  const walk = (p: number): void => { out.push(p); for (const c of kids.get(p) ?? []) walk(c); };
  walk(root);
  return out;
}

function memKb(pid: number): { rss: number; pss: number } {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return { rss: Number(/^Rss:\s+(\d+)/m.exec(t)?.[1] ?? 0), pss: Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? 0) };
  } catch { return { rss: 0, pss: 0 }; }
}

// ------------------------------------------------------------------ one run

interface Result {
  name: string;
  procs: number;
  startMs: number;
  cpu: number;
  rssMb: number;
  pssMb: number;
  missingSamples: number;
  /** vipkeeper's own warning that a checker fired more than a delay_loop late. */
  behindLines: number;
  delays: number[];
  notRemoved: number;
}

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };

async function measure(name: string, argv: string[], sc: Scale, backend: Backend, dir: string): Promise<Result> {
  const TOTAL = sc.total;
  const allPairs = sc.rs.map(pairOf);
  execFileSync('ipvsadm', ['-C']);
  const tail: string[] = [];
  let behindLines = 0;
  const t0 = Date.now();
  const daemon = spawn(argv[0]!, argv.slice(1), { cwd: '/project', stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [daemon.stdout!, daemon.stderr!]) createInterface({ input: s }).on('line', (l) => { tail.push(l); if (tail.length > 30) tail.shift(); if (l.includes('checks are behind schedule')) behindLines++; });
  const exited = new Promise<void>((r) => daemon.once('exit', () => r()));
  try {
    // Ready: every real server in the kernel (both start with all up: no alpha).
    const up = await waitFor(() => { const k = kernelPairs(); return allPairs.every((p) => k.has(p)); }, 180_000, 200);
    if (!up) throw new Error(`${name}: the table never held all ${TOTAL} real servers; last output:\n${tail.join('\n')}`);
    const startMs = Date.now() - t0;
    await sleep(WARMUP_S * 1000);

    const pids = tree(daemon.pid!);
    const ticks = (): number => pids.reduce((s, p) => s + (statOf(p)?.ticks ?? 0), 0);
    const w0 = Date.now(), c0 = ticks();
    let rss = 0, pss = 0, missingSamples = 0;
    while (Date.now() - w0 < SECONDS * 1000) {
      const m = pids.map(memKb);
      rss = Math.max(rss, m.reduce((s, x) => s + x.rss, 0));
      pss = Math.max(pss, m.reduce((s, x) => s + x.pss, 0));
      const k = kernelPairs();
      missingSamples += allPairs.filter((p) => !k.has(p)).length;
      await sleep(1000);
    }
    const cpu = (ticks() - c0) / CLK_TCK / ((Date.now() - w0) / 1000);

    // Failures at known times: the backend acknowledges each once it is in effect (a TCP listener
    // closing takes a moment), and each server's spread counts from its own acknowledgement.
    const failAt = new Map<string, number>();
    for (const v of sc.victims) { await backend.send(`fail ${v.addr} ${v.port}`); failAt.set(pairOf(v), Date.now()); }
    const removedAt = new Map<string, number>();
    const want = sc.victims.map(pairOf);
    await waitFor(() => {
      const k = kernelPairs(), now = Date.now();
      for (const p of want) if (!k.has(p) && !removedAt.has(p)) removedAt.set(p, now);
      return removedAt.size === want.length;
    }, 30_000, 100);
    const delays = want.filter((p) => removedAt.has(p)).map((p) => removedAt.get(p)! - failAt.get(p)!);
    // One `ipvsadm -Ln` at the end: the tool agrees with the file (victims gone, the rest there).
    const listed = execFileSync('ipvsadm', ['-Ln'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('->') && !l.includes('RemoteAddress')).length;
    if (listed !== TOTAL - delays.length) console.log(`  (${name}: ipvsadm -Ln lists ${listed} real servers, expected ${TOTAL - delays.length})`);
    return { name, procs: pids.length, startMs, cpu, rssMb: rss / 1024, pssMb: pss / 1024, missingSamples, behindLines, delays, notRemoved: want.length - delays.length };
  } finally {
    daemon.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000).then(() => daemon.kill('SIGKILL'))]);
    await backend.send('heal');
    try { execFileSync('ipvsadm', ['-C']); } catch { /* nothing left */ }
    writeFileSync(join(dir, `${name}.tail`), tail.join('\n'));
  }
}

function report(r: Result, sc: Scale): string[] {
  return [
    `  ${r.name}: ${r.procs} process(es); all ${sc.total} real servers in IPVS ${(r.startMs / 1000).toFixed(1)} s after start`,
    `    CPU ${(r.cpu * 100).toFixed(1)} % of one vCPU over ${SECONDS} s; RSS ${r.rssMb.toFixed(1)} MB, PSS ${r.pssMb.toFixed(1)} MB (max, whole tree)`,
    `    real servers wrongly missing from IPVS during the window: ${r.missingSamples} (server x 1 s samples)${r.behindLines ? `; 'checks are behind schedule' logged ${r.behindLines}x` : ''}`,
    `    failure -> gone from IPVS, ${r.delays.length}/${sc.failing}: min ${pct(r.delays, 0)} ms, median ${pct(r.delays, 0.5)} ms, max ${pct(r.delays, 1)} ms (bound ${BOUND_MS} ms)${r.notRemoved ? `; ${r.notRemoved} not removed in 30 s` : ''}`,
  ];
}

function summary(sc: Scale, ka: Result, vk: Result, version: string, cpus: number, before?: Result): string[] {
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
  const beside = before
    ? [...report(before, sc), `  ratio vipkeeper before (${process.env.VK_BENCH_BEFORE}) / keepalived: CPU ${ratio(before.cpu, ka.cpu)}, RSS ${ratio(before.rssMb, ka.rssMb)}; vipkeeper / before: CPU ${ratio(vk.cpu, before.cpu)}`]
    : [];
  return [
    `checkers-vm: ${sc.nvs} virtual servers x ${sc.mrs} real servers = ${sc.total} (${Math.ceil(sc.total / 2)} TCP_CHECK, ${Math.floor(sc.total / 2)} HTTP_GET), delay_loop ${DELAY_LOOP_S} s, retry ${RETRY}, delay_before_retry ${DELAY_BEFORE_RETRY_S} s, connect_timeout ${CONNECT_TIMEOUT_S} s; ${sc.failing} made to fail`,
    `  (${version.trim()}; node ${process.version}; kernel VM under ${process.env.VIPKEEPER_VM_ACCEL ?? 'tcg'}, ${cpus} vCPUs)`,
    ...report(ka, sc),
    ...report(vk, sc),
    `  ratio vipkeeper / keepalived: CPU ${ratio(vk.cpu, ka.cpu)}, RSS ${ratio(vk.rssMb, ka.rssMb)}, PSS ${ratio(vk.pssMb, ka.pssMb)}, median removal ${ratio(pct(vk.delays, 0.5), pct(ka.delays, 0.5))}, max removal ${ratio(pct(vk.delays, 1), pct(ka.delays, 1))}`,
    ...beside,
  ];
}

async function main(): Promise<void> {
  if (process.env.VIPKEEPER_IN_VM !== '1') {
    console.error('checkers-vm: run inside the kernel VM (it flushes the IPVS table): node test/kernel/harness/run.mjs -t 1500 -- node --import tsx bench/checkers-vm.ts');
    process.exit(2);
  }
  if (!existsSync('/usr/sbin/keepalived')) { console.error('checkers-vm: no keepalived in the VM image (the host has none to copy)'); process.exit(2); }
  // keepalived prints its version on stderr.
  const v = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  const version = `${v.stdout}${v.stderr}`.split('\n')[0] ?? '';
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  const out: string[] = [];
  for (const [nvs, mrs] of SCALES) {
    const sc = new Scale(nvs, mrs);
    const dir = mkdtempSync('/tmp/vk-checkers-');
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, config(sc));
    const backend = new Backend(sc.rs);
    await backend.ready();
    // The emulated CPU is shared by the daemon, the backends and this driver: each daemon runs
    // alone, keepalived first, the backends idle between the runs.
    const ka = await measure('keepalived -C', ['keepalived', '-C', '-n', '-l', '-f', conf], sc, backend, dir);
    const vk = await measure('vipkeeper', [process.execPath, 'dist/cli.cjs', 'run', '-f', conf, '--rt-priority', '0', '--control-socket', join(dir, 'vk.sock')], sc, backend, dir);
    const beforeDir = process.env.VK_BENCH_BEFORE;
    const before = beforeDir
      ? await measure('vipkeeper before', [process.execPath, join(beforeDir, 'dist', 'cli.cjs'), 'run', '-f', conf, '--rt-priority', '0', '--control-socket', join(dir, 'vk-before.sock')], sc, backend, dir)
      : undefined;
    backend.stop();
    const lines = summary(sc, ka, vk, version, cpus, before);
    out.push(...lines);
    // Printed after each scale and all together at the end (keepalived's console logging
    // interleaves with the first).
    console.log(lines.join('\n'));
  }
  console.log(`\n=== checkers-vm summary ===\n${out.join('\n')}`);
}

await main();
