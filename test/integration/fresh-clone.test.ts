// A clone of the repository tests itself: git clone of this checkout's HEAD into a fresh
// directory under a 0700 parent with nothing beside it (no shared folder, no sibling checkout), then a
// cheap subset of the unit tests run there with `node scripts/test.mjs`. node_modules and the
// built addon are symlinked from this checkout (no network install in a test). What is tested is
// the committed HEAD: uncommitted files of this checkout are not in the clone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const SUBSET = [
  'test/unit/vrrp/golden.test.ts', 'test/unit/codec/arp.test.ts', 'test/unit/codec/ndisc.test.ts',
  'test/unit/config/keepalived.test.ts', 'test/unit/config/roundtrip.test.ts',
  'test/unit/vrrp/machine.test.ts', 'test/unit/net/native-addon.test.ts',
];

test('a fresh clone under a 0700 directory runs its own unit tests', { timeout: 240_000 }, (t) => {
  if (!existsSync(join(ROOT, '.git'))) { t.skip('not a git checkout'); return; }
  const parent = mkdtempSync(join(tmpdir(), 'vipkeeper-clone-'));
  try {
    assert.equal(statSync(parent).mode & 0o777, 0o700);
    const dir = join(parent, 'vipkeeper');
    const clone = spawnSync('git', ['clone', '-q', '--no-hardlinks', ROOT, dir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(clone.status, 0, `git clone: ${clone.stderr}`);
    assert.deepEqual(readdirSync(parent), ['vipkeeper'], 'nothing beside the clone');
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    if (existsSync(join(ROOT, 'build'))) symlinkSync(join(ROOT, 'build'), join(dir, 'build'));
    const files = SUBSET.filter((f) => existsSync(join(dir, f)));
    assert.ok(files.length >= 5, `the clone has the subset's test files: ${files.join(', ')}`);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    // Run as a top-level runner: under node --test this process is a child whose context must not leak.
    delete env.NODE_OPTIONS; delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['scripts/test.mjs', '--test-reporter=tap', ...files], { cwd: dir, encoding: 'utf8', timeout: 180_000, env });
    const summary = (k: string): number => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
    t.diagnostic(`in the clone: pass ${summary('pass')}, fail ${summary('fail')}, skipped ${summary('skipped')}`);
    const failing = r.stdout.split('\n').filter((l) => /^\s*not ok /.test(l)).slice(0, 15).join('\n');
    assert.equal(r.status, 0, `tests in the clone failed (signal ${r.signal}):\n${failing}\n${r.stderr.slice(-2000)}`);
    assert.ok(summary('pass') >= 20, `passing tests in the clone: ${summary('pass')}`);
    assert.equal(summary('fail'), 0);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
