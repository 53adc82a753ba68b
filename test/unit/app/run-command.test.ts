import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import run, { boundedStop, installCrashGuards } from '../../../src/cli/commands/run.js';
import { EventEmitter } from 'node:events';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import { UsageError } from '../../../src/cli/command.js';

test('run: a configuration error is printed as file:line:col and exits 1 without starting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-run-'));
  try {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 999\n  priority 100\n}\n');
    const err: string[] = [];
    const code = await run.run(['-f', file], { out: () => {}, err: (t) => err.push(t) });
    assert.equal(code, 1);
    assert.match(err.join('\n'), new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

for (const argv of [[], ['-f', 'x', '--log-level', 'loud'], ['--bogus']]) {
  test(`run: usage error for ${JSON.stringify(argv)}`, async () => {
    await assert.rejects(run.run(argv, { out: () => {}, err: () => {} }), UsageError);
  });
}

test('run: crash guards log an escaped exception or rejection with its stack and hand it to the stop, and uninstall', () => {
  const log = new MemoryLogger();
  const proc = new EventEmitter(); // stands in for process (node:test watches the real one)
  const fatal: unknown[] = [];
  const uninstall = installCrashGuards(log, (e) => fatal.push(e), proc);
  const boom = new Error('socket callback blew up');
  proc.emit('uncaughtException', boom);
  proc.emit('unhandledRejection', 'late reject', Promise.resolve());
  uninstall();
  assert.deepEqual([proc.listenerCount('uncaughtException'), proc.listenerCount('unhandledRejection')], [0, 0]);
  assert.deepEqual(fatal, [boom, 'late reject'], 'each one starts the orderly stop');
  const errs = log.records.filter((r) => r.level === 'error');
  assert.deepEqual(errs.map((r) => r['err']), ['socket callback blew up', 'late reject']);
  assert.match(String(errs[0]!['stack']), /socket callback blew up\n\s+at /);
  assert.match(String(errs[0]!.msg), /uncaught exception: stopping/);
});

test('run: --stop-timeout must be a positive number of seconds', async () => {
  for (const v of ['0', '-1', 'abc']) {
    await assert.rejects(run.run(['-f', 'x.conf', '--stop-timeout', v], { out: () => {}, err: () => {} }), /stop-timeout/);
  }
});

test('run: a stop that cannot finish in time still removes the VIPs, and reports it', async () => {
  const log = new MemoryLogger();
  const calls: string[] = [];
  const hung = { stop: () => new Promise<void>(() => { calls.push('stop'); }), vrrp: { releaseVips: async () => { calls.push('release'); } } };
  assert.equal(await boundedStop(hung, Promise.resolve(), 50, log), 'timeout');
  assert.deepEqual(calls, ['stop', 'release']);
  assert.ok(log.records.some((r) => r.level === 'error' && /did not finish in time/.test(String(r.msg))));
  const failing = { stop: async () => { throw new Error('boom'); }, vrrp: { releaseVips: async () => { calls.push('release2'); } } };
  assert.equal(await boundedStop(failing, Promise.resolve(), 5000, log), 'error');
  assert.ok(calls.includes('release2'));
  const fine = { stop: async () => { calls.push('stop3'); }, vrrp: { releaseVips: async () => { calls.push('release3'); } } };
  let reloaded = false;
  assert.equal(await boundedStop(fine, new Promise<void>((r) => setTimeout(() => { reloaded = true; r(); }, 20)), 5000, log), 'done');
  assert.ok(reloaded, 'a reload in progress finished first');
  assert.ok(calls.includes('stop3') && !calls.includes('release3'), 'an orderly stop does not need the fallback');
});
