// The real script runner adapter with real processes (no root needed): exit codes, argv without a
// shell, the timeout killing the whole process group, and spawn errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildScriptRunner, fsScriptSecurity } from '../../../src/adapters/script-runner.js';

const runner = new ChildScriptRunner();

test('exit codes come back; arguments are passed without a shell', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-sr-'));
  try {
    const out = join(dir, 'out');
    const ok = await runner.run({ argv: ['/bin/sh', '-c', 'printf "%s|" "$@" > "$0"', out, 'a b', '$(touch x)', ';'], timeoutMs: 5000 });
    assert.deepEqual(ok, { code: 0, signal: null, timedOut: false });
    assert.equal(readFileSync(out, 'utf8'), 'a b|$(touch x)|;|');
    const bad = await runner.run({ argv: ['/bin/sh', '-c', 'exit 3'], timeoutMs: 5000 });
    assert.equal(bad.code, 3);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a script past its timeout is killed with everything it started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-sr-'));
  try {
    const marker = join(dir, 'late');
    // The child sleeps then writes; the grandchild (background) would write later still.
    const r = await runner.run({ argv: ['/bin/sh', '-c', `(sleep 1; touch ${marker}.bg) & sleep 1; touch ${marker}`], timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    assert.equal(r.code, null);
    await new Promise((res) => setTimeout(res, 1500));
    assert.ok(!existsSync(marker) && !existsSync(`${marker}.bg`), 'neither the script nor its background child ran on');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a missing program or unknown user is an error result, not a throw', async () => {
  const r = await runner.run({ argv: ['/nonexistent/prog'], timeoutMs: 1000 });
  assert.match(r.error ?? '', /ENOENT/);
  const u = await runner.run({ argv: ['/bin/true'], timeoutMs: 1000, user: 'no-such-user-vk' });
  assert.match(u.error ?? '', /unknown user/);
});

test('run as another user when root', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-sr-'));
  try {
    chmodSync(dir, 0o777);
    const out = join(dir, 'id');
    const r = await runner.run({ argv: ['/bin/sh', '-c', `id -u > ${out}`], timeoutMs: 5000, user: 'nobody' });
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.equal(readFileSync(out, 'utf8').trim(), '65534');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('fs script security refuses a world-writable script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-sr-'));
  try {
    chmodSync(dir, 0o755);
    const f = join(dir, 's.sh');
    writeFileSync(f, '#!/bin/sh\n');
    chmodSync(f, 0o757);
    assert.match(fsScriptSecurity(0).check(f) ?? '', /writable by others/);
    chmodSync(f, 0o755);
    const own = process.getuid?.() ?? 0;
    assert.equal(fsScriptSecurity(own).check(f), undefined);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('killAll ends scripts still running (a daemon exiting before their timeout leaves none behind)', async () => {
  const r = new ChildScriptRunner();
  const pending = r.run({ argv: ['/bin/sleep', '30'], timeoutMs: 60_000 });
  await new Promise((res) => setTimeout(res, 100));
  r.killAll();
  const out = await pending;
  assert.equal(out.signal, 'SIGKILL');
  assert.equal(out.timedOut, false);
  r.killAll(); // nothing left: harmless
});
