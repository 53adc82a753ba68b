// The logger on a terminal: pino-pretty as a stream in this process (no transport, no worker
// thread), readable lines rather than JSON; off a terminal, JSON lines. Each in a child process
// whose stdout is a pipe, with the mode chosen explicitly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LOGGER = fileURLToPath(new URL('../../../src/adapters/logger.ts', import.meta.url));

function logOnce(pretty: boolean): { out: string; workers: number } {
  const script = `
    const { createLogger } = await import(${JSON.stringify(LOGGER)});
    const { Worker } = await import('node:worker_threads');
    // Thread ids count every thread started: one before the logger and one after bound what it started.
    const before = new Worker('0', { eval: true }).threadId;
    const log = createLogger('info', ${pretty});
    log.info({ vrid: 51 }, 'entered MASTER');
    log.debug('not at info');
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
