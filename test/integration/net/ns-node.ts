// Runs a snippet of ESM JavaScript with the project's TypeScript modules inside a network
// namespace (a socket belongs to the namespace of the process that opens it). The snippet
// prints one JSON line; `src` in the snippet is the absolute URL of the project's src/.
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { needRoot } from '../../support/privileged.js';
import { Lan } from '../../support/netns.js';

export const SRC = new URL('../../../src/', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface NodeRun { child: ChildProcess; lines: string[]; done: Promise<{ status: number | null; stdout: string; stderr: string }> }

/** Starts `node` in `ns` (or the current namespace when ns is empty), optionally under another uid via setpriv. */
export function startNode(ns: string, code: string, opts: { timeoutMs?: number; asUser?: number } = {}): NodeRun {
  const nodeArgv = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', code.replaceAll('$SRC/', SRC)];
  const user = opts.asUser === undefined ? [] : ['setpriv', `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--clear-groups', '--inh-caps=-all'];
  const argv = [...(ns ? ['ip', 'netns', 'exec', ns] : []), ...user, ...nodeArgv];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: '/tmp' } });
  const lines: string[] = [];
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d; lines.push(...d.toString().split('\n').filter(Boolean)); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20000);
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
  return { child, lines, done };
}

/** Runs a snippet to the end and returns the JSON it printed last; a non-zero exit throws with stderr. */
export async function runNode<T = any>(ns: string, code: string, opts: { timeoutMs?: number; asUser?: number } = {}): Promise<T> {
  const r = await startNode(ns, code, opts).done;
  if (r.status !== 0) throw new Error(`node in ${ns || 'host'} exited ${r.status}: ${r.stderr.trim()}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

/** Waits until `pred` holds on the lines printed so far. */
export async function waitForLine(run: NodeRun, pred: (l: string) => boolean, timeoutMs = 10000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = run.lines.find(pred);
    if (hit) return hit;
    if (Date.now() > end || run.child.exitCode !== null) throw new Error(`line not seen; output so far: ${run.lines.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs `fn` on a fresh Lan when root and `tools` are there (else skips, or fails in CI); always destroys it. */
export async function withLan(t: TestContext, tools: string[], fn: (lan: Lan) => Promise<void>): Promise<void> {
  if (!needRoot(t, ...tools)) return;
  const lan = new Lan();
  try { await fn(lan); } finally { lan.destroy(); }
}
