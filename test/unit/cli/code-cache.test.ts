// A bundle's code cache (src/cli/code-cache.ts, read by src/cli/load-bundle.ts): a cache made after
// the code ran is used by the next load, and what is loaded behaves as without it (same exports,
// same stack positions as require()); a cache of other text (even of the same length), a damaged
// one, one V8 refuses and a missing one all fall back to compiling the text, never aborting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheFile, readCodeCache, sampledChecksum } from '../../../src/cli/code-cache.js';

const SOURCE = [
  '"use strict";',
  'function lazy(n) { let s = 0; for (let i = 0; i < n; i++) s += i * i; return s; }',
  'function where() { return new Error("here").stack.split("\\n")[1]; }',
  'module.exports = { lazy, where, file: __filename, fs: typeof require("node:fs").readFileSync };',
].join('\n');

function withBundle(fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'vk-code-cache-'));
  try {
    const file = join(dir, 'b.cjs');
    writeFileSync(file, SOURCE);
    fn(file);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

const LOAD_BUNDLE = new URL('../../../src/cli/load-bundle.ts', import.meta.url).href;
const CODE_CACHE = new URL('../../../src/cli/code-cache.ts', import.meta.url).href;

/**
 * Runs `code` in a node of its own (no NODE_OPTIONS: V8 flags there would make V8 refuse every
 * cache) and returns what it printed as JSON: V8 keeps what a process compiled and would answer
 * a second compile of the same text from memory, cache or no cache.
 */
function inChild(code: string, nodeFlags: string[] = []): unknown {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', `
    const { loadBundleWithCache } = await import(${JSON.stringify(LOAD_BUNDLE)});
    const { writeCodeCache } = await import(${JSON.stringify(CODE_CACHE)});
    ${code}`], { encoding: 'utf8', timeout: 60_000, env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Loads `file` fresh in a process of its own, runs its lazy function or not, and writes the cache as the build does; the cache's size. */
const makeCache = (file: string, run: boolean, nodeFlags: string[] = []): number => inChild(`
  const { exports, script, text } = loadBundleWithCache(${JSON.stringify(file)}, true);
  if (${run}) exports.lazy(10);
  const data = script.createCachedData();
  writeCodeCache(${JSON.stringify(file)}, text, data);
  console.log(data.length);`, nodeFlags) as number;

/** How a load in a process of its own went: the cache's use, lazy(4), and a stack frame. */
const load = (file: string) => inChild(`
  const { exports, cache } = loadBundleWithCache(${JSON.stringify(file)});
  console.log(JSON.stringify({ cache, lazy: exports.lazy(4), where: exports.where(), file: exports.file, fs: exports.fs }));`) as
  { cache: string; lazy: number; where: string; file: string; fs: string };

test('a cache written after the code ran holds what ran, and the next load uses it', { timeout: 120_000 }, () => withBundle((file) => {
  assert.equal(load(file).cache, 'none');
  const before = makeCache(file, false);
  const after = makeCache(file, true);
  assert.ok(after > before, `the cache grew with the function that ran (${before} -> ${after} bytes)`);
  const m = load(file);
  assert.equal(m.cache, 'used');
  assert.equal(m.lazy, 14);
  assert.equal(m.file, file);
  assert.equal(m.fs, 'function', 'require beside the file');
  // The frame is require()'s: the wrapper's own line does not shift the file's lines.
  const required = createRequire(import.meta.url)(file) as { where: () => string };
  assert.match(m.where, /b\.cjs:3:\d+\)$/);
  assert.equal(m.where, required.where());
}));

test('a cache of other text is not used, even of the same length: the text it was made from runs', { timeout: 120_000 }, () => withBundle((file) => {
  makeCache(file, true);
  // Same length, other code: V8 alone would run the cached bytecode of `s += i * i`.
  const other = SOURCE.replace('s += i * i', 's += i + i');
  assert.equal(other.length, SOURCE.length);
  writeFileSync(file, other);
  assert.deepEqual([load(file).cache, load(file).lazy], ['stale', 12]);
  writeFileSync(file, SOURCE);
  assert.equal(load(file).cache, 'used');
}));

test('a damaged cache, one V8 refuses, or one that is not ours falls back to compiling the text', { timeout: 120_000 }, () => withBundle((file) => {
  makeCache(file, true);
  const cache = codeCacheFile(file);
  const good = readFileSync(cache);
  // A block of V8's bytes zeroed (what a lost write leaves): V8 itself would abort on them.
  const damaged = Buffer.from(good);
  damaged.fill(0, good.length - 600, good.length - 100);
  writeFileSync(cache, damaged);
  assert.deepEqual([load(file).cache, load(file).lazy], ['stale', 14]);
  writeFileSync(cache, good.subarray(0, good.length - 10));
  assert.equal(load(file).cache, 'stale', 'cut short');
  // Made by a node with other V8 flags: whole, but V8 refuses it.
  makeCache(file, true, ['--max-old-space-size=123']);
  assert.deepEqual([load(file).cache, load(file).lazy], ['rejected', 14]);
  writeFileSync(cache, 'not a cache\n');
  assert.equal(readCodeCache(file, () => Buffer.from(SOURCE)), 'stale');
  assert.equal(load(file).cache, 'stale');
  writeFileSync(cache, '');
  assert.equal(load(file).cache, 'stale');
}));

test('the sampled checksum sees any damaged 4 KiB block, wherever it starts', () => {
  const data = Buffer.alloc(64 << 10);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 13;
  const sum = sampledChecksum(data);
  for (let at = 0; at + 4096 <= data.length; at += 61) {
    const d = Buffer.from(data);
    d.fill(0, at, at + 4096);
    assert.notEqual(sampledChecksum(d), sum, `zeros at ${at}`);
    d.fill(0xa5, at, at + 4096);
    assert.notEqual(sampledChecksum(d), sum, `garbage at ${at}`);
  }
  assert.notEqual(sampledChecksum(data.subarray(0, data.length - 8)), sum, 'cut short');
});
