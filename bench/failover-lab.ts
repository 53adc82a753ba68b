// Shared pieces of the VRRP benchmarks: a namespace LAN with two directors and a capture host,
// daemon start/stop for keepalived and vipkeeper, a tcpdump capture of VRRP adverts on the capture
// host (one observation point for both directors), and /proc sampling of CPU time and RSS.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Lan, type Host } from '../test/support/netns.js';
import { hasAddress, startDirector, type Director, type DirectorKind } from '../test/support/directors.js';
import { sleep, waitFor as poll } from '../test/support/wait.js';

export type Kind = DirectorKind;
export const ADDR = { a: '10.9.0.1', b: '10.9.0.2' } as const;

export interface Advert { t: number; src: string; vrid: number; prio: number }

export interface ConfSpec { version: 2 | 3; advertInt: number; priority: number; instances?: number; vridBase?: number }

/** One config text; directors differ only in priority. */
export function conf(s: ConfSpec): string {
  const out = ['global_defs {', '  router_id bench', `  vrrp_version ${s.version}`, '  script_user root', '  enable_script_security', '}'];
  for (let i = 0; i < (s.instances ?? 1); i++) {
    const vrid = (s.vridBase ?? 51) + i;
    out.push(`vrrp_instance VI_${vrid} {`, '  state BACKUP', '  interface eth0', `  virtual_router_id ${vrid}`, `  priority ${s.priority}`,
      `  advert_int ${s.advertInt}`, '  garp_master_delay 0', '  garp_master_repeat 1', '  virtual_ipaddress {', `    10.9.${1 + Math.floor(vrid / 250)}.${vrid % 250}/16`, '  }', '}');
  }
  return `${out.join('\n')}\n`;
}

export type Daemon = Director;

export class Lab {
  readonly lan = new Lan();
  readonly dir = mkdtempSync(join(tmpdir(), 'vk-bench-'));
  readonly a: Host;
  readonly b: Host;
  readonly cap: Host;
  private n = 0;
  private daemons: Daemon[] = [];
  private capProc: ChildProcess | undefined;
  readonly adverts: Advert[] = [];

  constructor() {
    this.a = this.lan.addHost('a', [`${ADDR.a}/16`]);
    this.b = this.lan.addHost('b', [`${ADDR.b}/16`]);
    this.cap = this.lan.addHost('c', ['10.9.0.50/16']);
  }

  host(w: 'a' | 'b'): Host { return w === 'a' ? this.a : this.b; }

  start(kind: Kind, who: 'a' | 'b', text: string): Daemon {
    // VK_DIST=1 runs the build's bin, dist/cli.cjs (npm run build), instead of the sources through tsx.
    // VK_RR=N (default 10, 0: off) starts vipkeeper under SCHED_RR N, as its systemd unit does: the
    // daemon's default --rt-priority is 10, so it spawns no chrt itself (src/lib/sched.ts).
    const rr = Number(process.env.VK_RR ?? 10);
    const d = startDirector(this.host(who), this.dir, `${kind}-${who}-${++this.n}`, kind, text, { logLevel: 'warn', dist: !!process.env.VK_DIST, maxOutput: 20000, roundRobin: rr || undefined });
    this.daemons.push(d);
    return d;
  }

  /** Starts tcpdump on the capture host; adverts accumulate in `adverts` with capture timestamps (ms). */
  async capture(): Promise<void> {
    const p = this.cap.spawn('tcpdump', ['-i', 'eth0', '-n', '-l', '-tt', '--time-stamp-precision=micro', '-B', '16384', 'ip proto 112']);
    this.capProc = p;
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^(\d+\.\d+) IP (\S+) > \S+: VRRPv\d, Advertisement, vrid (\d+), prio (\d+)/.exec(line);
        if (m) this.adverts.push({ t: Number(m[1]) * 1000, src: m[2]!, vrid: Number(m[3]), prio: Number(m[4]) });
      }
    });
    await new Promise<void>((resolve) => {
      const onErr = (d: Buffer) => { if (/listening on/.test(d.toString())) { p.stderr!.off('data', onErr); resolve(); } };
      p.stderr!.on('data', onErr);
      setTimeout(resolve, 3000);
    });
  }

  hasVip(who: 'a' | 'b', vip: string): boolean { return hasAddress(this.host(who), vip); }

  async close(): Promise<void> {
    for (const d of this.daemons) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
    this.capProc?.kill('SIGKILL');
    this.lan.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export { sleep };

/** Polls `pred` every 20 ms (failover timing wants a finer grain than the tests' default). */
export const waitFor = (pred: () => boolean, ms: number, every = 20) => poll(pred, ms, every);

const CLK_TCK = 100;

/** Total CPU seconds (user + system) and RSS in kB of a set of processes. */
export function usage(pids: number[]): { cpuS: number; rssKb: number } {
  let cpuS = 0, rssKb = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuS += (Number(f[11]) + Number(f[12])) / CLK_TCK;
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      rssKb += m ? Number(m[1]) : 0;
    } catch { /* exited */ }
  }
  return { cpuS, rssKb };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(x: number, d = 2): string { return Number.isFinite(x) ? x.toFixed(d) : 'n/a'; }
