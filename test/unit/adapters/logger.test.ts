// The logger on a terminal: pino-pretty as a stream in this process (no transport, no worker
// thread), readable lines rather than JSON; off a terminal, JSON lines. Each in a child process
// whose stdout is a pipe, with the mode chosen explicitly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOGGER = fileURLToPath(new URL('../../../src/adapters/logger.ts', import.meta.url));

function logOnce(pretty: boolean, before = '', after = ''): { out: string; workers: number } {
  const script = `
    ${before}
    const { createLogger } = await import(${JSON.stringify(LOGGER)});
    const { Worker } = await import('node:worker_threads');
    // Thread ids count every thread started: one before the logger and one after bound what it started.
    const before = new Worker('0', { eval: true }).threadId;
    const log = createLogger('info', ${pretty});
    log.info({ vrid: 51 }, 'entered MASTER');
    log.debug('not at info');
    ${after}
    process.stderr.write(String(new Worker('0', { eval: true }).threadId - before - 1));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout, workers: Number(r.stderr.trim().split('\n').pop()) };
}

test('pretty: a readable line with the level, message and fields, written in this process', () => {
  const { out, workers } = logOnce(true);
  assert.match(out, /INFO.*\(\d+\): .*entered MASTER/);
  assert.match(out, /vrid.*: .*51/);
  assert.doesNotMatch(out, /"level"/, 'not JSON');
  assert.doesNotMatch(out, /not at info/);
  assert.equal(workers, 0, 'no worker thread was started for the terminal');
});

test('not a terminal: one JSON line per record', () => {
  const lines = logOnce(false).out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, 'entered MASTER');
  assert.equal(lines[0]!.vrid, 51);
  assert.equal(lines[0]!.level, 30);
});

test('not a terminal: each line stamped in ISO 8601 UTC without Date#toISOString (it pages in ICU\'s time zones)', () => {
  const t0 = Date.now();
  const { out } = logOnce(false, `Date.prototype.toISOString = () => { throw new Error('toISOString called'); };`);
  const line = JSON.parse(out.trim()) as { time: string };
  assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(line.time) >= t0 - 1 && Date.parse(line.time) <= Date.now(), line.time);
});

test('a logged stack from a bundle names the sources\' lines, from the map beside the bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-logstack-'));
  try {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'b.cjs'), 'throw new Error("x");\n');
    // One segment: the bundle's line 1, column 1 is line 10, column 1 of ../src/a.ts.
    writeFileSync(join(dir, 'dist', 'b.cjs.map'), JSON.stringify({ version: 3, sources: ['../src/a.ts'], names: [], mappings: 'AASA' }));
    const stack = `Error: x\n    at f (${join(dir, 'dist', 'b.cjs')}:1:1)\n    at node:internal/main:1:1`;
    const { out } = logOnce(false, '', `log.error({ stack: ${JSON.stringify(stack)} }, 'unexpected');`);
    const line = JSON.parse(out.trim().split('\n').pop()!) as { stack: string };
    assert.equal(line.stack, `Error: x\n    at f (${join(dir, 'src', 'a.ts')}:10:1)\n    at node:internal/main:1:1`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
