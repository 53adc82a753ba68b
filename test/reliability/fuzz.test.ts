// Runs every fuzz target of test/fuzz/targets/ (Jazzer.js shape) over its corpus, then on mutants
// and fast-check inputs for a fixed budget (VIPKEEPER_FUZZ_SECONDS per target, default 3: about a
// minute for all). A crash or hang fails with the input in base64: save it under
// test/fuzz/corpus/<target>/crash-<what> (it then runs on every CI run) and fix the decoder.
// VIPKEEPER_FUZZ_SEED fixes the mutation seed (printed on failure) to replay a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FUZZ_ROOT, loadCorpus, mutate, mutateOnce, rng, runTarget, targetNames } from '../fuzz/engine.js';

const SECONDS = Number(process.env.VIPKEEPER_FUZZ_SECONDS ?? 3);
const SEED = Number(process.env.VIPKEEPER_FUZZ_SEED ?? (Date.now() % 2 ** 31));
const HANG_MS = 15_000;
const targets = targetNames();

test('every target has a seed corpus and exports fuzz(data)', async () => {
  assert.ok(targets.length >= 14, `targets: ${targets.join(', ')}`);
  for (const t of targets) {
    assert.ok(loadCorpus(t).length > 0, `${t}: empty corpus (run node --import tsx test/fuzz/make-corpus.ts)`);
    const m = await import(new URL(`../fuzz/targets/${t}.ts`, import.meta.url).href) as { fuzz?: unknown };
    assert.equal(typeof m.fuzz, 'function', `${t} exports fuzz`);
  }
});

for (const t of targets) {
  test(`fuzz ${t}: corpus, mutations and fast-check inputs for ${SECONDS}s`, { timeout: (SECONDS + 60) * 1000 }, async (tc) => {
    const r = await runTarget(t, { seconds: SECONDS, seed: SEED, hangMs: HANG_MS });
    tc.diagnostic(`${t}: ${r.executions} inputs (${r.corpus} corpus, ${r.mutated} mutants, ${r.generated} generated), slowest ${r.slowestMs.toFixed(1)} ms, seed ${SEED}`);
    if (r.failure) {
      assert.fail(`${t}: ${r.failure.kind} on ${r.failure.source}: ${r.failure.error}\n`
        + `input (base64, save as test/fuzz/corpus/${t}/crash-NAME): ${r.failure.input}`);
    }
    assert.ok(r.executions > r.corpus, `${t}: the budget ran more than the corpus`);
  });
}

// Known issues in code another owner is changing: the inputs are kept in test/fuzz/known/<target>/
// and run here as todo tests (reported, not failing) until the fix lands; then move them to corpus/.
const KNOWN = join(FUZZ_ROOT, 'known');
for (const t of existsSync(KNOWN) ? readdirSync(KNOWN).sort() : []) {
  for (const f of readdirSync(join(KNOWN, t)).sort()) {
    test(`known issue ${t}/${f}`, { todo: `see docs/reliability.md (known issues): owner of the ${t} decoder` }, async () => {
      const m = await import(new URL(`../fuzz/targets/${t}.ts`, import.meta.url).href) as { fuzz(d: Buffer, strict?: boolean): void };
      m.fuzz(readFileSync(join(KNOWN, t, f)), true);
    });
  }
}

// ---------------------------------------------------------------- the engine itself

const planted = (name: string) => new URL(`../fuzz/selftest/${name}.ts`, import.meta.url).href;

test('engine: the mutators reach a planted length-field bug from a harmless seed', { timeout: 60_000 }, async () => {
  // The planted target has no corpus of its own: use the netlink-message seeds (u16 at offset 2 is small there).
  const seedOk = loadCorpus('netlink-message').every((c) => c.data.length < 4 || c.data.readUInt16BE(2) < 0xff00);
  assert.ok(seedOk, 'the seeds do not already trigger the planted bug');
  const r = await runTarget('netlink-message', { seconds: 20, seed: SEED, hangMs: HANG_MS, module: planted('planted') });
  assert.equal(r.failure?.kind, 'crash', 'planted bug found');
  assert.match(r.failure!.error, /planted: length field/);
  const input = Buffer.from(r.failure!.input, 'base64');
  assert.ok(input.readUInt16BE(2) >= 0xff00, 'the reported input is the one that crashed');
});

test('engine: a hanging input is reported with that input, and the worker is stopped', { timeout: 60_000 }, async () => {
  const r = await runTarget('netlink-message', { seconds: 20, seed: SEED, hangMs: 1500, module: planted('planted-hang') });
  assert.equal(r.failure?.kind, 'hang');
  const input = Buffer.from(r.failure!.input, 'base64');
  assert.ok(input.length > 2 && input[0] === 0 && input[1] === 0, `hang input ${input.toString('hex')}`);
});

test('engine: mutations change inputs in every way they claim to', () => {
  const r = rng(42);
  const seed = Buffer.from('0123456789abcdefghij');
  let shorter = 0, longer = 0, changedSameLen = 0;
  for (let i = 0; i < 2000; i++) {
    const m = mutateOnce(r, seed, Buffer.from('ZYXWV'), false);
    if (m.length < seed.length) shorter++;
    else if (m.length > seed.length) longer++;
    else if (!m.equals(seed)) changedSameLen++;
  }
  assert.ok(shorter > 100 && longer > 100 && changedSameLen > 300, `${shorter} ${longer} ${changedSameLen}`);
  assert.equal(seed.toString(), '0123456789abcdefghij', 'the seed itself is never modified');
  const text = mutate(rng(7), Buffer.from('vrrp_instance X {\n}\n'), Buffer.alloc(0), true);
  assert.ok(Buffer.isBuffer(text));
});

