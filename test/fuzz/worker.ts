// The fuzz loop for one target, in a worker thread (see engine.ts). Posts one FuzzReport.
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { loadCorpus, mutate, rng, MAX_INPUT, TEXT_TARGETS, type FuzzReport } from './engine.js';

const { target, seconds, seed, shared, module } = workerData as { target: string; seconds: number; seed: number; shared: SharedArrayBuffer; module?: string };
const state = new Int32Array(shared, 0, 2);
const slot = new Uint8Array(shared, 8, MAX_INPUT);
const mod = (await import(module ?? new URL(`./targets/${target}.ts`, import.meta.url).href)) as { fuzz(data: Buffer): void };
const text = TEXT_TARGETS.has(target);
const corpus = loadCorpus(target).map((c) => c.data);
const report: FuzzReport = { target, corpus: corpus.length, executions: 0, mutated: 0, generated: 0, slowestMs: 0 };

function runOne(input: Buffer, source: string): boolean {
  const data = input.length > MAX_INPUT ? input.subarray(0, MAX_INPUT) : input;
  slot.set(data);
  Atomics.store(state, 1, data.length);
  const t0 = performance.now();
  try {
    // Targets get a private copy, as Jazzer.js gives them.
    mod.fuzz(Buffer.from(data));
  } catch (e) {
    const err = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n')}` : String(e);
    report.failure = { kind: 'crash', error: err, input: Buffer.from(data).toString('base64'), source };
    return false;
  } finally {
    const ms = performance.now() - t0;
    if (ms > report.slowestMs) report.slowestMs = ms;
    report.executions++;
    Atomics.store(state, 0, report.executions);
  }
  return true;
}

function loop(): void {
  for (let i = 0; i < corpus.length; i++) if (!runOne(corpus[i]!, `corpus #${i + 1}`)) return;
  const r = rng(seed);
  // fast-check inputs: raw bytes, corpus entries with a generated tail, and for text targets
  // strings of any unit and token soups.
  const token = fc.constantFrom('{', '}', '"', '\n', ' ', '$X=1', '${X}', '@id ', 'include x', 'vrrp_instance', 'virtual_ipaddress', 'priority', '10.0.0.1/24', '- a', ': ', '&x', '*x', '<<: *x');
  const arb: fc.Arbitrary<Buffer> = text
    ? fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }).map((s) => Buffer.from(s, 'utf8')),
      fc.array(token, { maxLength: 80 }).map((a) => Buffer.from(a.join(''), 'utf8')),
    )
    : fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
      fc.tuple(fc.nat(Math.max(0, corpus.length - 1)), fc.nat(64), fc.uint8Array({ maxLength: 64 }))
        .map(([i, cut, tail]) => { const base = corpus[i] ?? Buffer.alloc(0); return Buffer.concat([base.subarray(0, Math.max(0, base.length - cut)), tail]); }),
    );
  const end = Date.now() + seconds * 1000;
  let gen: Buffer[] = [];
  let round = 0;
  while (Date.now() < end) {
    round++;
    if (round % 8 === 0) {
      if (gen.length === 0) gen = fc.sample(arb, { numRuns: 200, seed: (seed + round) | 0 });
      report.generated++;
      if (!runOne(gen.pop()!, `fast-check (seed ${seed}, round ${round})`)) return;
      continue;
    }
    const base = corpus.length ? corpus[Math.floor(r() * corpus.length)]! : Buffer.alloc(0);
    const other = corpus.length ? corpus[Math.floor(r() * corpus.length)]! : Buffer.alloc(0);
    report.mutated++;
    if (!runOne(mutate(r, base, other, text), `mutation (seed ${seed}, round ${round})`)) return;
  }
}

loop();
parentPort!.postMessage(report);
