// Stacks from a minified bundle told in the sources' files and lines (src/lib/readable-stack.ts):
// a module built here as the build makes dist/run.cjs (minified CommonJS, a linked map beside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSync } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readableStack } from '../../../src/lib/readable-stack.js';

function bundle(dir: string, map: boolean): string {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src', 'deep.ts'), [
    'export class Failure extends Error {}',
    'export function deepest(n: number): number {',
    '  if (n > 2) throw new Failure(`too deep: ${n}`);',
    '  return n;',
    '}',
  ].join('\n'));
  writeFileSync(join(dir, 'src', 'entry.ts'), [
    "import { deepest } from './deep.js';",
    'export function outer(n: number): number {',
    '  const x = n * 2;',
    '  return deepest(x) + 1;',
    '}',
  ].join('\n'));
  const out = join(dir, 'dist', 'entry.cjs');
  buildSync({ entryPoints: [join(dir, 'src', 'entry.ts')], bundle: true, minify: true, format: 'cjs', platform: 'node', outfile: out, sourcemap: map ? 'linked' : false, logLevel: 'error' });
  return out;
}

/** The stack of a throw inside the bundle, from a plain node (tsx here maps stacks itself). */
function stackOf(file: string): string {
  const r = spawnSync(process.execPath, ['-e', `try { require(${JSON.stringify(file)}).outer(5); } catch (e) { process.stdout.write(e.stack); }`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('frames in a bundle with a map name the source file and line; other frames are left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-stack-'));
  try {
    const stack = stackOf(bundle(dir, true));
    assert.match(stack, /entry\.cjs:1:\d+\)$/m, 'the bundle is one minified line');
    const told = readableStack(stack)!;
    const lines = told.split('\n');
    assert.equal(lines[0], 'Error: too deep: 10');
    assert.match(lines[1]!, new RegExp(`^    at \\S+ \\(${join(dir, 'src', 'deep.ts').replace(/\./g, '\\.')}:3:\\d+\\)$`));
    assert.match(lines[2]!, new RegExp(`^    at \\S+ \\(${join(dir, 'src', 'entry.ts').replace(/\./g, '\\.')}:4:\\d+\\)$`));
    // The caller is node's own code ([eval]), not a bundle: the same text as before.
    const rest = stack.split('\n').slice(3);
    assert.ok(rest.length > 0 && rest.every((l) => !l.includes('.cjs')), rest.join('\n'));
    assert.deepEqual(lines.slice(3), rest);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('without a map beside the bundle, or without a stack, nothing changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-stack-'));
  try {
    const stack = stackOf(bundle(dir, false));
    assert.equal(readableStack(stack), stack);
    assert.equal(readableStack(undefined), undefined);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
