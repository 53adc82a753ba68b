// Argument-vector process helpers with a timeout, for the build steps of the VM harness.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

export class HarnessError extends Error {
  override name = 'HarnessError';
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs argv[0] with the rest as arguments; never throws for a non-zero exit (see mustRun). */
export function run(argv: string[], opts: SpawnSyncOptions & { timeoutMs?: number } = {}): RunResult {
  const { timeoutMs = 120_000, ...rest } = opts;
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL', ...rest,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return { status: 127, stdout: '', stderr: `${argv[0]}: not found` };
  }
  const timedOut = r.signal === 'SIGKILL' && r.error !== undefined;
  return {
    status: r.status ?? (timedOut ? 124 : 128),
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? '') + (timedOut ? `\n(killed after ${timeoutMs} ms)` : ''),
  };
}

/** Like run, but a non-zero exit throws a HarnessError that names the command and its stderr. */
export function mustRun(argv: string[], opts: SpawnSyncOptions & { timeoutMs?: number } = {}): string {
  const r = run(argv, opts);
  if (r.status !== 0) {
    throw new HarnessError(`${argv.join(' ')} exited ${r.status}: ${r.stderr.trim().slice(-2000)}`);
  }
  return r.stdout;
}

/** Absolute path of a program on PATH (plus the sbin directories root has), or undefined. */
export function which(name: string): string | undefined {
  const path = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
  const r = run(['/bin/sh', '-c', 'PATH="$2"; command -v "$1"', 'sh', name, path], { timeoutMs: 10_000 });
  const p = r.stdout.trim();
  return r.status === 0 && p.startsWith('/') ? p : undefined;
}

/** Shared libraries of a dynamic executable as ldd resolves them on this host. */
export function sharedLibraries(exe: string): string[] {
  const out = mustRun(['ldd', exe], { timeoutMs: 30_000 });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}
