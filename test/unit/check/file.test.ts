// FILE_CHECK with real temp files read through the real file reader: keepalived's semantics for
// weight 0 (a flag), weight w (value * w added to the real server's weight, -INT32_MAX = fault),
// reverse, and a missing file read as 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsFileReader } from '../../../src/adapters/files.js';
import { fileProbe, fileVerdict } from '../../../src/check/file.js';
import type { FileCheck } from '../../../src/config/model.js';
import { common, probeContext } from './probe-fixtures.js';

function fileCheck(path: string, weight: number, reverse = false): FileCheck {
  return { ...common(), type: 'FILE_CHECK', trackFile: 'tf', path, weight, reverse };
}

async function check(dir: string, content: string | undefined, weight: number, reverse = false, rsWeight = 10) {
  const path = join(dir, 'state');
  if (content === undefined) { try { unlinkSync(path); } catch { /* already absent */ } } else writeFileSync(path, content);
  const probe = fileProbe(fileCheck(path, weight, reverse), probeContext({}, rsWeight), fsFileReader);
  try { return await probe.run(); } finally { probe.close(); }
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vk-file-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('weight 0: the file is a flag, 0 up and anything else down; reverse swaps them', withDir(async (dir) => {
  const zero = await check(dir, '0\n', 0);
  assert.deepEqual({ ok: zero.ok, weight: zero.weight }, { ok: true, weight: undefined });
  const one = await check(dir, '1\n', 0);
  assert.deepEqual({ ok: one.ok, code: one.code }, { ok: false, code: 'file' });
  assert.match(one.reason, /state holds 1$/);
  assert.equal((await check(dir, '-3', 0)).ok, false);
  assert.equal((await check(dir, '0', 0, true)).ok, false, 'reverse: 0 is down');
  const rev = await check(dir, '5', 0, true);
  assert.deepEqual({ ok: rev.ok, weight: rev.weight }, { ok: true, weight: undefined });
}));

test('a missing file reads as 0 (keepalived treats a deleted file so)', withDir(async (dir) => {
  const flag = await check(dir, undefined, 0);
  assert.equal(flag.ok, true);
  assert.match(flag.reason, /state missing \(read as 0\)/);
  assert.equal((await check(dir, undefined, 0, true)).ok, false);
  const weighted = await check(dir, undefined, 4, false, 10);
  assert.deepEqual({ ok: weighted.ok, weight: weighted.weight }, { ok: true, weight: 10 });
}));

test('weight w: value * w is added to the real server weight, reverse subtracts it, clamped at 0', withDir(async (dir) => {
  const up = await check(dir, '3\n', 5, false, 10);
  assert.deepEqual({ ok: up.ok, weight: up.weight }, { ok: true, weight: 25 });
  assert.match(up.reason, /holds 3: weight 10 \+ 15 = 25/);
  const neg = await check(dir, '-2', 3, false, 10);
  assert.equal(neg.weight, 4);
  const rev = await check(dir, '3', 5, true, 10);
  assert.deepEqual({ ok: rev.ok, weight: rev.weight }, { ok: true, weight: 0 }, '10 - 15 stays up at weight 0');
  const zero = await check(dir, '0', 7, false, 10);
  assert.deepEqual({ ok: zero.ok, weight: zero.weight }, { ok: true, weight: 10 });
  const junk = await check(dir, 'not a number', 7, false, 10);
  assert.deepEqual({ ok: junk.ok, weight: junk.weight }, { ok: true, weight: 10 }, 'unparsable reads as 0');
  const lead = await check(dir, '  12 trailing words\n', 1, false, 10);
  assert.equal(lead.weight, 22);
}));

test('a change at or past -INT32_MAX is the fault value: down', withDir(async (dir) => {
  const down = await check(dir, '-2147483647', 1);
  assert.deepEqual({ ok: down.ok, code: down.code }, { ok: false, code: 'file' });
  assert.match(down.reason, /fault value/);
  assert.equal((await check(dir, '2000000000', 2, true)).ok, false, 'the product is capped, then it is the fault value');
  const big = await check(dir, '2000000000', 2);
  assert.deepEqual({ ok: big.ok, weight: big.weight }, { ok: true, weight: 2147483646 }, 'capped at INT32_MAX - 1');
  assert.equal((await check(dir, '-2147483646', 1, false, 0)).ok, true, 'one short of the fault value is up');
}));

test('a number outside int is ignored: the last verdict stands', withDir(async (dir) => {
  const path = join(dir, 'state');
  const probe = fileProbe(fileCheck(path, 0), probeContext(), fsFileReader);
  writeFileSync(path, '1');
  assert.equal((await probe.run()).ok, false);
  writeFileSync(path, '99999999999999999999');
  const r = await probe.run();
  assert.equal(r.ok, false);
  assert.match(r.reason, /out of range: ignored/);
  writeFileSync(path, '0');
  assert.equal((await probe.run()).ok, true, 'the file is read afresh on every run');
  probe.close();
  const closed = await probe.run();
  assert.deepEqual({ ok: closed.ok, code: closed.code }, { ok: false, code: 'closed' });
}));

test('fileVerdict and a reader that throws', async () => {
  assert.deepEqual(fileVerdict(2, { path: '/p', weight: -3, reverse: false }, 10), { ok: true, code: 'ok', reason: '/p holds 2: weight 10 - 6 = 4', weight: 4 });
  const probe = fileProbe(fileCheck('/p', 0, true), probeContext(), { read: () => { throw new Error('EIO'); } });
  const r = await probe.run();
  assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'file' });
  assert.match(r.reason, /missing/);
});
