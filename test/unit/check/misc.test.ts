// MISC_CHECK over the real script runner with real tiny scripts: exit codes, misc_dynamic weights,
// the misc_timeout kill of the script and its children, argv without a shell, start failures,
// script security and the run-as user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildScriptRunner, fsScriptSecurity } from '../../../src/adapters/script-runner.js';
import { miscProbe, miscVerdict } from '../../../src/check/misc.js';
import type { MiscCheck } from '../../../src/config/model.js';
import { FakeScripts } from '../../../src/ports/fake/scripts.js';
import { needRoot } from '../../support/privileged.js';
import { waitFor } from '../../support/wait.js';
import { common, probeContext } from './probe-fixtures.js';

const runner = new ChildScriptRunner();

function misc(argv: string[], over: Partial<MiscCheck> = {}): MiscCheck {
  return { ...common(), type: 'MISC_CHECK', script: { argv }, miscTimeoutMs: 10_000, dynamic: false, ...over };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vk-misc-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

/** A sh script in `dir` that exits with its first argument. */
function exitScript(dir: string): string {
  const p = join(dir, 'exit.sh');
  writeFileSync(p, 'exit "$1"\n');
  return p;
}

async function runOnce(check: MiscCheck) {
  const probe = miscProbe(check, probeContext(), runner);
  try { return await probe.run(); } finally { probe.close(); }
}

test('exit 0 is up, exit 1 is down, without misc_dynamic other codes are down too', withDir(async (dir) => {
  const s = exitScript(dir);
  const up = await runOnce(misc(['/bin/sh', s, '0']));
  assert.equal(up.ok, true);
  assert.equal(up.weight, undefined);
  assert.ok(up.latencyMs >= 0);
  const down = await runOnce(misc(['/bin/sh', s, '1']));
  assert.deepEqual({ ok: down.ok, code: down.code, reason: down.reason }, { ok: false, code: 'exit', reason: 'exit code 1' });
  const seven = await runOnce(misc(['/bin/sh', s, '7']));
  assert.deepEqual({ ok: seven.ok, reason: seven.reason }, { ok: false, reason: 'exit code 7' });
}));

test('misc_dynamic: 2..255 are up with weight code - 2; 0 is up leaving the weight; 1 is down', withDir(async (dir) => {
  const s = exitScript(dir);
  const dyn = (code: number) => runOnce(misc(['/bin/sh', s, String(code)], { dynamic: true }));
  for (const [code, weight] of [[2, 0], [7, 5], [102, 100], [255, 253]] as const) {
    const r = await dyn(code);
    assert.equal(r.ok, true, `exit ${code}`);
    assert.equal(r.weight, weight, `exit ${code}`);
  }
  const zero = await dyn(0);
  assert.equal(zero.ok, true);
  assert.equal(zero.weight, undefined, 'exit 0 under misc_dynamic does not touch the weight (keepalived legacy case)');
  const one = await dyn(1);
  assert.deepEqual({ ok: one.ok, code: one.code, weight: one.weight }, { ok: false, code: 'exit', weight: undefined });
}));

test('a script past misc_timeout is killed with the child it started in the background', withDir(async (dir) => {
  const s = join(dir, 'hang.sh');
  const pids = join(dir, 'pids');
  writeFileSync(s, `sleep 100 &\necho "$$ $!" > "${pids}"\nsleep 100\n`);
  const started = Date.now();
  const r = await runOnce(misc(['/bin/sh', s], { miscTimeoutMs: 1000 }));
  const took = Date.now() - started;
  assert.deepEqual({ ok: r.ok, code: r.code, reason: r.reason }, { ok: false, code: 'timeout', reason: 'killed after misc_timeout 1 s' });
  assert.ok(took < 8000, `settled within its timeout plus a margin (${took} ms)`);
  const [script, child] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
  assert.ok(script! > 1 && child! > 1, 'both pids were written');
  // A killed process may linger a moment as a zombie until its parent (or init) reaps it.
  const gone = (pid: number) => {
    try { return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return true; }
  };
  assert.ok(await waitFor(() => gone(script!) && gone(child!), 5000), 'the script and its background sleep are gone');
}));

test('arguments with shell metacharacters reach the program verbatim', withDir(async (dir) => {
  const s = join(dir, 'args.sh');
  const out = join(dir, 'out');
  writeFileSync(s, `printf '%s\\n' "$@" > "${out}"\n`);
  const args = ['a b', '$(touch pwned)', '; exit 1', '`id`', '*', "it's", '>x', '| cat'];
  const r = await runOnce(misc(['/bin/sh', s, ...args]));
  assert.equal(r.ok, true, r.reason);
  assert.deepEqual(readFileSync(out, 'utf8').split('\n').slice(0, -1), args);
  assert.ok(!existsSync(join(dir, 'pwned')) && !existsSync('pwned') && !existsSync(join(dir, 'x')));
}));

test('an executable file runs directly; a program that cannot start is down with the error', withDir(async (dir) => {
  const exe = join(dir, 'check');
  writeFileSync(exe, '#!/bin/sh\nexit 0\n');
  chmodSync(exe, 0o755);
  assert.equal((await runOnce(misc([exe]))).ok, true);
  const missing = await runOnce(misc([join(dir, 'no-such-program')]));
  assert.equal(missing.ok, false);
  assert.equal(missing.code, 'error');
  assert.match(missing.reason, /^cannot run .*no-such-program: .*ENOENT/);
  const notExec = join(dir, 'plain');
  writeFileSync(notExec, 'exit 0\n');
  chmodSync(notExec, 0o644);
  const r = await runOnce(misc([notExec]));
  assert.equal(r.ok, false);
  assert.match(r.reason, /EACCES/);
}));

test('script security refuses an unsafe script before running it', withDir(async (dir) => {
  chmodSync(dir, 0o755);
  const marker = join(dir, 'ran');
  const s = join(dir, 'open.sh');
  writeFileSync(s, `#!/bin/sh\ntouch "${marker}"\n`);
  chmodSync(s, 0o777);
  const probe = miscProbe(misc([s]), probeContext(), runner, fsScriptSecurity(0));
  const r = await probe.run();
  probe.close();
  assert.equal(r.ok, false);
  assert.equal(r.code, 'security');
  assert.match(r.reason, /^refused by script security: .*writable by others/);
  assert.ok(!existsSync(marker), 'the refused script did not run');
  chmodSync(s, 0o755);
  const ok = miscProbe(misc([s]), probeContext(), runner, fsScriptSecurity(0));
  if (process.getuid?.() === 0) {
    assert.equal((await ok.run()).ok, true, 'the same script once made safe runs');
    assert.ok(existsSync(marker));
  }
  ok.close();
}));

test('the script runs as the configured user', (t) => withDir(async (dir) => {
  // Switching uid needs root.
  if (!needRoot(t)) return;
  chmodSync(dir, 0o777);
  const out = join(dir, 'uid');
  const s = join(dir, 'id.sh');
  writeFileSync(s, `id -u > "${out}"\n`);
  chmodSync(s, 0o755);
  const r = await runOnce(misc(['/bin/sh', s], { script: { argv: ['/bin/sh', s], user: 'nobody' } }));
  assert.equal(r.ok, true, r.reason);
  assert.equal(readFileSync(out, 'utf8').trim(), '65534');
  const bad = await runOnce(misc(['/bin/sh', s], { script: { argv: ['/bin/sh', s], user: 'no-such-user-vk' } }));
  assert.deepEqual({ ok: bad.ok, code: bad.code }, { ok: false, code: 'error' });
  assert.match(bad.reason, /unknown user no-such-user-vk/);
})());

test('verdicts for results the real runner rarely gives: signals, codes past 255, no argv', async () => {
  const c = misc(['/x'], { dynamic: true, miscTimeoutMs: 2500 });
  assert.deepEqual(miscVerdict({ code: null, signal: 'SIGSEGV', timedOut: false }, c), { ok: false, code: 'signal', reason: 'killed by signal SIGSEGV' });
  assert.deepEqual(miscVerdict({ code: 256, signal: null, timedOut: false }, c), { ok: false, code: 'exit', reason: 'exit code 256' });
  assert.deepEqual(miscVerdict({ code: null, signal: 'SIGKILL', timedOut: true }, c), { ok: false, code: 'timeout', reason: 'killed after misc_timeout 2.5 s' });
  const empty = miscProbe(misc([]), probeContext(), new FakeScripts());
  const r = await empty.run();
  assert.deepEqual({ ok: r.ok, code: r.code, reason: r.reason }, { ok: false, code: 'error', reason: 'misc_path is empty' });
});

test('the probe passes user, group and timeout to the runner; close settles a run in flight', async () => {
  const fake = new FakeScripts();
  const check = misc(['/usr/local/bin/chk', '--port', '80'], { miscTimeoutMs: 4000, script: { argv: ['/usr/local/bin/chk', '--port', '80'], user: 'www', group: 'web' } });
  const probe = miscProbe(check, probeContext(), fake);
  const pending = probe.run();
  assert.equal(probe.run(), pending, 'a second run while one is in flight shares it');
  assert.equal(fake.runs.length, 1);
  assert.deepEqual(fake.runs[0]!.spec, { argv: ['/usr/local/bin/chk', '--port', '80'], timeoutMs: 4000, user: 'www', group: 'web' });
  probe.close();
  const r = await pending;
  assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'closed' });
  assert.equal((await probe.run()).code, 'closed');
  assert.equal(fake.runs.length, 1, 'a closed probe runs nothing');
});

test('a runner that never answers cannot hold the probe past misc_timeout plus a margin', async () => {
  const probe = miscProbe(misc(['/x'], { miscTimeoutMs: 100 }), probeContext(), new FakeScripts());
  const r = await probe.run();
  probe.close();
  assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'timeout' });
  assert.match(r.reason, /after misc_timeout 100 ms/);
});
