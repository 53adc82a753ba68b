import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import run from '../../../src/cli/commands/run.js';
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
