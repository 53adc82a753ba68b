// The real daemon in a test's network namespace: `node --import tsx src/cli.ts run -f FILE
// --control-socket SOCK --rt-priority 0` under `ip netns exec` (which execs, so the child's pid is
// the daemon's and signals reach it directly). Its JSON log lines are kept; `vipkeeper status
// --json` is asked over the control socket (a path in the file system, reachable from any
// namespace). From src/ through tsx, not dist/: dist/ is shared and may be rebuilt meanwhile.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', 'src/cli.ts'];

export interface LogLine { level?: number; msg?: string; time?: number; [k: string]: unknown }

export interface VipkeeperRun {
  child: ChildProcess;
  socket: string;
  /** When the process was spawned (Date.now()). */
  spawnedAt: number;
  /** Every stdout line so far (pino JSON), with the Date.now() it arrived. */
  lines: { at: number; text: string }[];
  stderr(): string;
  /** Parsed log lines whose msg contains `text`. */
  logged(text: string): LogLine[];
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, and the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash: nothing is cleaned up. */
  kill(): Promise<void>;
}

export function startVipkeeper(ns: string, configFile: string, socket: string, extra: string[] = []): VipkeeperRun {
  const argv = ['netns', 'exec', ns, process.execPath, ...CLI, 'run', '-f', configFile, '--control-socket', socket, '--rt-priority', '0', '--log-level', 'info', ...extra];
  const spawnedAt = Date.now();
  const child = spawn('ip', argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: '/tmp' } });
  const lines: { at: number; text: string }[] = [];
  let partial = '', err = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    const at = Date.now();
    for (const p of parts) if (p) lines.push({ at, text: p });
  });
  child.stderr!.on('data', (d: Buffer) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const parse = (t: string): LogLine | undefined => { try { return JSON.parse(t) as LogLine; } catch { return undefined; } };
  return {
    child, socket, spawnedAt, lines, exited,
    stderr: () => err,
    logged: (text) => lines.map((l) => parse(l.text)).filter((l): l is LogLine => l !== undefined && typeof l.msg === 'string' && l.msg.includes(text)),
    stop: async (graceMs = 10_000) => {
      if (alive()) child.kill('SIGTERM');
      const t = setTimeout(() => { if (alive()) child.kill('SIGKILL'); }, graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    kill: async () => { if (alive()) child.kill('SIGKILL'); await exited; },
  };
}

/** Waits for a log line whose msg contains `text`; throws with the log so far after `timeoutMs`. */
export async function waitLogged(run: VipkeeperRun, text: string, timeoutMs: number): Promise<LogLine> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = run.logged(text)[0];
    if (hit) return hit;
    if (Date.now() > end || run.child.exitCode !== null) {
      throw new Error(`vipkeeper did not log "${text}" within ${timeoutMs} ms (exit ${run.child.exitCode}); log:\n${run.lines.map((l) => l.text).join('\n')}\n${run.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `vipkeeper status --json --control-socket SOCK`, parsed. */
export function vipkeeperStatus(socket: string): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...CLI, 'status', '--json', '--control-socket', socket], { cwd: ROOT, timeout: 30_000, encoding: 'utf8' }, (e, stdout, stderr) => {
      if (e) { reject(new Error(`vipkeeper status --control-socket ${socket}: ${e.message} ${stderr}`)); return; }
      try { resolve(JSON.parse(stdout)); } catch { reject(new Error(`vipkeeper status: not JSON: ${stdout}`)); }
    });
  });
}
