import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import run, { installCrashGuards } from '../../../src/cli/commands/run.js';
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

test('run: crash guards log an escaped exception or rejection instead of ending the daemon, and uninstall', () => {
  const log = new MemoryLogger();
  const proc = new EventEmitter(); // stands in for process (node:test watches the real one)
  const uninstall = installCrashGuards(log, proc);
  proc.emit('uncaughtException', new Error('socket callback blew up'));
  proc.emit('unhandledRejection', new Error('late reject'), Promise.resolve());
  uninstall();
  assert.deepEqual([proc.listenerCount('uncaughtException'), proc.listenerCount('unhandledRejection')], [0, 0]);
  const errs = log.records.filter((r) => r.level === 'error').map((r) => r['err']);
  assert.deepEqual(errs, ['socket callback blew up', 'late reject']);
});
