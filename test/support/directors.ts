// Runs a VRRP director (Debian's keepalived or vipkeeper) inside a test host, for the interop tests
// and the failover benchmarks alike: one config file per daemon, output kept, graceful stop.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Host } from './netns.js';

export type DirectorKind = 'keepalived' | 'vipkeeper';

export interface Director {
  kind: DirectorKind;
  host: Host;
  proc: ChildProcess;
  /** What the daemon printed (the last `maxOutput` characters). */
  output(): string;
  /** keepalived: the parent and its VRRP child; vipkeeper: one process. */
  pids(): number[];
  /** vipkeeper: its control socket (for `vipkeeper status`); keepalived: undefined. */
  controlSocket?: string;
  /** SIGTERM and wait for the exit (SIGKILL after 5 s); resolves the exit code. */
  stop(): Promise<number | null>;
}

export interface DirectorOptions {
  logLevel?: string;
  /** Run the build (the package's bin, dist/cli.cjs) instead of the sources through tsx. */
  dist?: boolean;
  maxOutput?: number;
  /** Extra command-line arguments (vipkeeper: after `run -f FILE`). */
  args?: string[];
  /** Extra environment variables for the daemon. */
  env?: Record<string, string>;
  /**
   * vipkeeper: start it under `chrt --rr N`, as conf/vipkeeper.service's CPUScheduling settings
   * do; the daemon then finds its threads at its --rt-priority and spawns no chrt of its own.
   */
  roundRobin?: number;
}

/**
 * The package's bin in the build at `root`; a private build of a commit before it (a bench's
 * before/after) has only dist/cli.js.
 */
export const distBin = (root: string): string => (existsSync(join(root, 'dist/cli.cjs')) ? join(root, 'dist/cli.cjs') : join(root, 'dist/cli.js'));

/** Starts `kind` in `host` on `confText`, writing its files as `dir/id.*`. */
export function startDirector(host: Host, dir: string, id: string, kind: DirectorKind, confText: string, opts: DirectorOptions = {}): Director {
  const file = join(dir, `${id}.conf`);
  writeFileSync(file, confText);
  const vrrpPid = join(dir, `${id}.vrrp.pid`);
  const cli = opts.dist ? [distBin(process.cwd())] : ['--import', 'tsx', join(process.cwd(), 'src/cli.ts')];
  const controlSocket = kind === 'vipkeeper' ? join(dir, `${id}.sock`) : undefined;
  const args = kind === 'keepalived'
    ? ['-n', '-l', '-D', '--vrrp', '-f', file, '-p', join(dir, `${id}.pid`), '-r', vrrpPid]
    : [...cli, 'run', '-f', file, '--control-socket', controlSocket!, '--log-level', opts.logLevel ?? 'debug', ...(opts.args ?? [])];
  const [cmd, argv] = kind === 'keepalived' ? ['keepalived', args]
    : opts.roundRobin ? ['chrt', ['--rr', String(opts.roundRobin), process.execPath, ...args]] : [process.execPath, args];
  const proc = host.spawn(cmd, argv, { cwd: process.cwd(), ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
  const max = opts.maxOutput ?? Infinity;
  let out = '';
  const keep = (d: Buffer) => { out += d; if (out.length > max) out = out.slice(-max); };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    kind, host, proc, controlSocket,
    output: () => out,
    pids: () => [proc.pid!, ...(kind === 'keepalived' && existsSync(vrrpPid) ? [Number(readFileSync(vrrpPid, 'utf8'))] : [])],
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { resolve(proc.exitCode); return; }
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', (code) => { clearTimeout(t); resolve(code); });
      // `ip netns exec` execs the daemon, so the child pid is the daemon itself.
      proc.kill('SIGTERM');
    }),
  };
}

/** Whether `addr` is on the host's eth0. */
export function hasAddress(host: Host, addr: string): boolean {
  const j = JSON.parse(host.run('ip', '-j', 'addr', 'show', 'dev', 'eth0')) as { addr_info: { local: string }[] }[];
  return j[0]!.addr_info.some((x) => x.local === addr);
}
