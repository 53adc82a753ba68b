// A bundle's code cache (src/cli/code-cache.ts, read by src/cli/load-bundle.ts): a cache made after
// the code ran is used by the next load, and what is loaded behaves as without it (same exports,
// same stack positions as require()); a cache made from another bundle, one V8 refuses and a
// missing one all fall back to compiling the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheFile, readCodeCache } from '../../../src/cli/code-cache.js';

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
 * Runs `code` in a node of its own and returns what it printed as JSON: V8 keeps what a process
 * compiled and would answer a second compile of the same text from memory, cache or no cache.
 */
function inChild(code: string): unknown {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    const { loadBundleWithCache } = await import(${JSON.stringify(LOAD_BUNDLE)});
    const { writeCodeCache } = await import(${JSON.stringify(CODE_CACHE)});
    ${code}`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Loads `file` fresh in a process of its own, runs its lazy function or not, and writes the cache as the build does; the cache's size. */
const makeCache = (file: string, run: boolean): number => inChild(`
  const { exports, script, stamp } = loadBundleWithCache(${JSON.stringify(file)}, true);
  if (${run}) exports.lazy(10);
  const data = script.createCachedData();
  writeCodeCache(${JSON.stringify(file)}, stamp, data);
  console.log(data.length);`) as number;

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

test('a cache of another bundle is not used: another size or mtime', { timeout: 120_000 }, () => withBundle((file) => {
  makeCache(file, true);
  const { mtime } = statSync(file);
  utimesSync(file, mtime, new Date(mtime.getTime() + 5000));
  assert.equal(load(file).cache, 'stale');
  utimesSync(file, mtime, mtime);
  assert.equal(load(file).cache, 'used');
  // Rebuilt with other code: the stale cache is left alone and the new code runs.
  writeFileSync(file, SOURCE.replace('s += i * i', 's += i'));
  utimesSync(file, mtime, mtime);
  assert.deepEqual([load(file).cache, load(file).lazy], ['stale', 6]);
}));

test('a cache V8 refuses, or one that is not ours, falls back to compiling the text', { timeout: 120_000 }, () => withBundle((file) => {
  makeCache(file, true);
  const cache = codeCacheFile(file);
  const bytes = readFileSync(cache);
  const body = bytes.indexOf(0x0a) + 1;
  // V8's own header (its version and flags hashes) garbled: V8 refuses it.
  for (let i = body; i < body + 16; i++) bytes[i] = bytes[i]! ^ 0xff;
  writeFileSync(cache, bytes);
  assert.deepEqual([load(file).cache, load(file).lazy], ['rejected', 14]);
  writeFileSync(cache, 'not a cache\n');
  assert.equal(readCodeCache(file, { size: statSync(file).size, mtimeMs: statSync(file).mtimeMs }), 'stale');
  assert.equal(load(file).cache, 'stale');
  writeFileSync(cache, '');
  assert.equal(load(file).cache, 'stale');
}));
