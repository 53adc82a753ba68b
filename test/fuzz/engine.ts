// A small mutation fuzzer for the targets in test/fuzz/targets/ where Jazzer.js cannot run (see
// docs/reliability.md). Each target runs in a worker thread: first over its whole corpus (the seeds
// and every regression file), then on mutants of corpus entries (bit flips, byte sets, truncations,
// splices, insertions, duplications, length-field edits in both byte orders, token edits for text)
// and on fast-check-generated inputs, until its time budget is spent. The worker publishes each
// input to shared memory before running it, so a hang is reported with the input that hung.
import { Worker } from 'node:worker_threads';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FUZZ_ROOT = fileURLToPath(new URL('./', import.meta.url));
export const TARGETS_DIR = join(FUZZ_ROOT, 'targets');
export const CORPUS_DIR = join(FUZZ_ROOT, 'corpus');
/** Largest input the worker publishes (inputs are capped at this size). */
export const MAX_INPUT = 64 * 1024;

export const TEXT_TARGETS = new Set(['keepalived-conf', 'yaml-config']);

export function targetNames(): string[] {
  return readdirSync(TARGETS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
}

export function loadCorpus(target: string): { name: string; data: Buffer }[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((name) => ({ name, data: readFileSync(join(dir, name)) }));
}

export interface FuzzReport {
  target: string;
  corpus: number;
  executions: number;
  mutated: number;
  generated: number;
  /** Slowest single input, ms. */
  slowestMs: number;
  failure?: { kind: 'crash' | 'hang'; error: string; input: string /* base64 */; source: string };
}

// ---------------------------------------------------------------- mutation

export type Rng = () => number;
export function rng(seed: number): Rng {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, n: number): number => Math.floor(r() * n);

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 20, 24, 28, 40, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfe, 0xff, 0x100, 0x3fff, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const TOKENS = ['{', '}', '"', "'", '\\', '$', '${', '$X=', '@', '#', '!', '\n', ' ', '\t', 'include ', 'vrrp_instance ', 'virtual_server ',
  'real_server ', 'vrrp_script ', 'global_defs ', '-1', '0', '256', '4294967296', '1e309', 'NaN', '::', '10.0.0.1/33', '&a ', '*a ', '<<: ',
  '- ', ': ', '[', ']', '{a: ', '|', '>', '---\n', '%YAML 1.2\n', '!!binary ', '\u0000', '\u00e9', '\ud800', '$(id)', ';', '`'];

function writeInt(b: Buffer, at: number, size: 1 | 2 | 4, v: number, le: boolean): void {
  if (at + size > b.length) return;
  if (size === 1) b[at] = v & 0xff;
  else if (size === 2) le ? b.writeUInt16LE(v & 0xffff, at) : b.writeUInt16BE(v & 0xffff, at);
  else le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at);
}

/** One random edit of `b` (a fresh buffer; `b` is not changed). `other` is a splice partner. */
export function mutateOnce(r: Rng, b: Buffer, other: Buffer, text: boolean): Buffer {
  const n = b.length;
  const op = int(r, text ? 12 : 10);
  switch (op) {
    case 0: { if (!n) break; const c = Buffer.from(b); const i = int(r, n); c[i] = c[i]! ^ (1 << int(r, 8)); return c; } // bit flip
    case 1: { if (!n) break; const c = Buffer.from(b); c[int(r, n)] = pick(r, INTERESTING) & 0xff; return c; } // interesting byte
    case 2: { if (!n) break; const c = Buffer.from(b); c[int(r, n)] = int(r, 256); return c; } // random byte
    case 3: return b.subarray(0, int(r, n + 1)); // truncation
    case 4: { // splice: head of one, tail of the other
      const i = int(r, n + 1), j = int(r, other.length + 1);
      return Buffer.concat([b.subarray(0, i), other.subarray(j)]);
    }
    case 5: { // insert random bytes
      const i = int(r, n + 1);
      const ins = Buffer.alloc(1 + int(r, 16)); for (let k = 0; k < ins.length; k++) ins[k] = int(r, 256);
      return Buffer.concat([b.subarray(0, i), ins, b.subarray(i)]);
    }
    case 6: { if (!n) break; const i = int(r, n), len = 1 + int(r, Math.min(32, n - i)); return Buffer.concat([b.subarray(0, i), b.subarray(i + len)]); } // delete
    case 7: { if (!n) break; const i = int(r, n), len = 1 + int(r, Math.min(64, n - i)); return Buffer.concat([b.subarray(0, i + len), b.subarray(i, i + len), b.subarray(i + len)]); } // duplicate
    case 8: case 9: { // length-field edit: a u8/u16/u32 at an aligned offset set to an interesting or nearby value
      if (n < 2) break;
      const size = pick(r, [1, 2, 2, 4, 4] as const);
      const at = int(r, Math.max(1, Math.floor(n / size))) * size;
      const le = r() < 0.5;
      const c = Buffer.from(b);
      if (at + size > n) break;
      const cur = size === 1 ? c[at]! : size === 2 ? (le ? c.readUInt16LE(at) : c.readUInt16BE(at)) : (le ? c.readUInt32LE(at) : c.readUInt32BE(at));
      const v = r() < 0.5 ? pick(r, INTERESTING) : cur + pick(r, [-4, -1, 1, 4, n, -n]);
      writeInt(c, at, size, v, le);
      return c;
    }
    case 10: case 11: { // text: insert or replace with a token
      const s = b.toString('utf8');
      const i = int(r, s.length + 1);
      const cut = op === 11 ? int(r, Math.min(8, s.length - i) + 1) : 0;
      return Buffer.from(s.slice(0, i) + pick(r, TOKENS) + s.slice(i + cut), 'utf8');
    }
  }
  return Buffer.from(b);
}

export function mutate(r: Rng, b: Buffer, other: Buffer, text: boolean): Buffer {
  let out = b;
  const rounds = 1 + int(r, 4);
  for (let k = 0; k < rounds; k++) out = mutateOnce(r, out, other, text);
  return out.length > MAX_INPUT ? out.subarray(0, MAX_INPUT) : out;
}

// ---------------------------------------------------------------- driver (main thread)

export interface RunOptions { seconds: number; seed: number; hangMs: number; /** A target module other than targets/<target>.ts (engine self-test). */ module?: string }

/** Runs one target in a worker for `seconds`; resolves its report (a failure is in `failure`). */
export function runTarget(target: string, o: RunOptions): Promise<FuzzReport> {
  const shared = new SharedArrayBuffer(8 + MAX_INPUT);
  const state = new Int32Array(shared, 0, 2); // [0]: executions (heartbeat), [1]: current input length
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { target, seconds: o.seconds, seed: o.seed, shared, module: o.module },
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  return new Promise((resolve, reject) => {
    let last = -1, lastChange = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(state, 0);
      if (now !== last) { last = now; lastChange = Date.now(); return; }
      if (Date.now() - lastChange < o.hangMs) return;
      clearInterval(watchdog);
      const len = Atomics.load(state, 1);
      const input = Buffer.from(new Uint8Array(shared, 8, len)).toString('base64');
      void worker.terminate();
      resolve({ target, corpus: 0, executions: now, mutated: 0, generated: 0, slowestMs: Date.now() - lastChange,
        failure: { kind: 'hang', error: `no progress for ${o.hangMs} ms`, input, source: 'unknown' } });
    }, 100);
    worker.once('message', (rep: FuzzReport) => { clearInterval(watchdog); resolve(rep); void worker.terminate(); });
    worker.once('error', (e) => { clearInterval(watchdog); reject(e); });
    worker.once('exit', (code) => { clearInterval(watchdog); if (code !== 0) reject(new Error(`fuzz worker for ${target} exited ${code}`)); });
  });
}
