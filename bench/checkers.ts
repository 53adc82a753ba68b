// Benchmark: the director checking 1,000 real servers at delay_loop 1 s (half TCP_CHECK, half
// HTTP_GET) against local loopback servers. Prints the daemon's CPU share and RSS, and for real
// servers made to fail, the time from the failure to the daemon's "real server down" line,
// against delay_loop + delay_before_retry + timeouts.
//   node --import tsx bench/checkers.ts [realServers=1000] [seconds=20]
// The backends run in a child process (their load is not the daemon's). Without IPVS (most
// development hosts) the daemon runs the checks and logs `ipvs: unavailable` once. Side by side
// with keepalived -C on the same file, in the kernel VM: bench/checkers-vm.ts (bench/README.md).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, waitFor } from '../test/support/wait.js';

const N = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 20);
const TCP_PORT = 18090, HTTP_PORT = 18091;
const FAILING = 20;
const CLK_TCK = 100;

/** 127.0.x.y for real server i (x, y from i so that 1,000 fit). */
const addr = (i: number): string => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

function config(n: number): string {
  const rs: string[] = [];
  for (let i = 0; i < n; i++) {
    const http = i % 2 === 1;
    rs.push(`  real_server ${addr(i)} ${http ? HTTP_PORT : TCP_PORT} {
    ${http ? 'HTTP_GET {\n      url {\n        path /health\n        status_code 200\n      }' : 'TCP_CHECK {'}
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }`);
  }
  return `virtual_server 10.20.0.1 80 {\n  delay_loop 1\n  lb_algo rr\n  protocol TCP\n${rs.join('\n')}\n}\n`;
}

// One listener per protocol on 0.0.0.0 answers every 127.0.x.y; the HTTP one fails the addresses
// listed in the file it is told about (written by the bench when it starts the failures).
const BACKEND = `
const net = require('node:net'), http = require('node:http'), fs = require('node:fs');
const failFile = process.argv[1];
let failing = new Set();
setInterval(() => { try { failing = new Set(fs.readFileSync(failFile, 'utf8').split('\\n').filter(Boolean)); } catch {} }, 20);
net.createServer((s) => s.end()).listen(${TCP_PORT}, '0.0.0.0');
http.createServer((q, r) => { const bad = failing.has(q.socket.localAddress); r.writeHead(bad ? 500 : 200); r.end(bad ? 'no' : 'ok'); }).listen(${HTTP_PORT}, '0.0.0.0', () => console.log('ready'));
`;

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };

/** Real servers of the bench's service in the kernel, when there is IPVS (the VM). */
function ipvsSummary(): string {
  try {
    const out = execFileSync('ipvsadm', ['-Ln', '-t', '10.20.0.1:80'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return `${out.split('\n').filter((l) => l.includes('->') && !l.includes('RemoteAddress')).length} real servers programmed (expected ${N - FAILING})`;
  } catch (e) {
    return `not measured (${(e as Error).message.split('\n')[0]})`;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vk-bench-'));
  const conf = join(dir, 'keepalived.conf');
  const failFile = join(dir, 'failing');
  writeFileSync(conf, config(N));
  writeFileSync(failFile, '');
  const backend = spawn(process.execPath, ['-e', BACKEND, failFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => backend.stdout!.once('data', r));

  const lines: { t: number; rec: Record<string, unknown> }[] = [];
  // In the kernel VM (real IPVS) the fresh transpile starts in 1 s where tsx takes 10.
  const cli = process.env.VIPKEEPER_IN_VM === '1' && existsSync('dist/cli.js') ? ['dist/cli.js'] : ['--import', 'tsx', 'src/cli.ts'];
  const daemon: ChildProcess = spawn(process.execPath, [...cli, 'run', '-f', conf, '--rt-priority', '0', '--control-socket', join(dir, 'vk.sock')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  daemon.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i); buf = buf.slice(i + 1);
      try { lines.push({ t: Date.now(), rec: JSON.parse(l) as Record<string, unknown> }); } catch { /* not JSON */ }
    }
  });
  const stopAll = (): void => { daemon.kill('SIGTERM'); backend.kill('SIGTERM'); };
  try {
    await waitFor(() => lines.some((l) => l.rec.msg === 'vipkeeper started'), 60_000);
    await sleep(3000); // warmup spreads the first checks over one delay_loop
    const pid = daemon.pid!;
    const t0 = Date.now(), c0 = cpuTicks(pid);
    let rssMax = 0;
    while (Date.now() - t0 < SECONDS * 1000) { rssMax = Math.max(rssMax, rssMb(pid)); await sleep(500); }
    const cpu = ((cpuTicks(pid) - c0) / CLK_TCK) / ((Date.now() - t0) / 1000);

    // Fail some HTTP real servers at once and time their removal from the daemon's log.
    const victims = Array.from({ length: FAILING }, (_, k) => addr(2 * Math.floor((k * N) / (2 * FAILING)) + 1));
    const failAt = Date.now();
    writeFileSync(failFile, victims.join('\n'));
    const downAfter = (v: string) => lines.find((x) => x.rec.msg === 'real server down' && String(x.rec.rs).startsWith(`${v}:`) && Date.parse(String(x.rec.time)) >= failAt);
    await waitFor(() => victims.every(downAfter), 30_000);
    await sleep(2000); // let the last removals reach IPVS
    const delays = victims.map((v) => { const l = downAfter(v); return l ? Date.parse(String(l.rec.time)) - failAt : NaN; }).filter(Number.isFinite);
    const behind = lines.filter((l) => l.rec.msg === 'checks are behind schedule').length;
    const falseDownLines = lines.filter((l) => l.rec.msg === 'real server down' && !(victims.some((v) => String(l.rec.rs).startsWith(`${v}:`)) && Date.parse(String(l.rec.time)) >= failAt));
    const falseDowns = falseDownLines.length;
    const reasons = new Map<string, number>();
    for (const l of falseDownLines) { const r = String(l.rec.reason).replace(/\d+\.\d+\.\d+\.\d+:\d+/, 'ADDR'); reasons.set(r, (reasons.get(r) ?? 0) + 1); }

    console.log(`checkers bench: ${N} real servers (${Math.ceil(N / 2)} TCP_CHECK, ${Math.floor(N / 2)} HTTP_GET), delay_loop 1 s, retry 1, delay_before_retry 1 s, connect_timeout 1 s`);
    console.log(`  daemon CPU: ${(cpu * 100).toFixed(1)} % of one core over ${SECONDS} s (${((N / 1) | 0)} checks/s scheduled)`);
    console.log(`  daemon RSS: ${rssMax.toFixed(0)} MB max`);
    console.log(`  failure -> "real server down" for ${delays.length}/${FAILING} servers: min ${pct(delays, 0)} ms, median ${pct(delays, 0.5)} ms, max ${pct(delays, 1)} ms`);
    console.log(`  expected bound: up to delay_loop + delay_before_retry (+ check time) = ~2000 ms`);
    console.log(`  'checks are behind schedule' warnings: ${behind}; real servers wrongly declared down: ${falseDowns}`);
    if (falseDowns) console.log(`  reasons of the wrong downs: ${[...reasons].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([r, n]) => `${n}x ${r}`).join('; ')}`);
    console.log(`  IPVS: ${ipvsSummary()}`);
  } finally {
    stopAll();
    await sleep(1500);
  }
}

await main();
