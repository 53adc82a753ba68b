// A usage error is known by its mark, not its class: a command bundled on its own (dist/run.cjs,
// dist/ipvs.cjs) throws its bundle's copy of UsageError to dist/cli.js, whose copy is another class.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../../src/cli/command.js';

test('an error of another copy of the class is a UsageError; other errors are not', () => {
  // A second copy of the class, as a bundle carries it: the source's class, evaluated again.
  const src = readFileSync(fileURLToPath(new URL('../../../src/cli/command.ts', import.meta.url)), 'utf8');
  assert.match(src, /const USAGE = Symbol\.for\('vipkeeper\.usage-error'\)/);
  const Copy = runInNewContext(`const USAGE = Symbol.for('vipkeeper.usage-error');
    (class UsageError extends Error { constructor(m) { super(m); this[USAGE] = true; } })`) as new (m: string) => Error;
  assert.notEqual(Copy, UsageError);
  assert.ok(new Copy('unknown option') instanceof UsageError);
  assert.ok(new UsageError('x') instanceof UsageError);
  assert.ok(new UsageError('x') instanceof Error);
  for (const other of [new Error('x'), new TypeError('x'), { message: 'x' }, null, undefined, 'x', 2]) {
    assert.equal(other instanceof UsageError, false, String(other));
  }
});
