// The published package works: `npm pack` (which builds dist/ through `prepare`) gives a tarball
// that installs with `npm install -g --prefix DIR` (dependencies from the registry, the addon built
// by node-gyp on install), and the installed `vipkeeper` prints its version and checks a config.
// The pack runs in a copy of the working tree, so the shared checkout's dist/ is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePrivileged } from '../support/privileged.js';
import { BUNDLE_SHIMS } from '../../scripts/bundle-cli.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; files: string[] };

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', timeout: opts.timeoutMs, env: opts.env ?? process.env, maxBuffer: 64 << 20 });
}

/** The registry answers `npm ping` (three tries: one slow answer is not an outage). */
function registryReachable(env: NodeJS.ProcessEnv): string | undefined {
  let last = '';
  for (let i = 0; i < 3; i++) {
    const r = run('npm', ['ping'], { timeoutMs: 30_000, env });
    if (r.status === 0) return undefined;
    last = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() ?? '';
  }
  return last;
}

test('npm pack gives a tarball whose vipkeeper installs globally and runs --version and check -f', { timeout: 900_000 }, (t) => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  delete env.NODE_OPTIONS; delete env.NODE_TEST_CONTEXT;
  // Build the addon against the installed headers when they are there, not headers fetched from nodejs.org.
  if (existsSync('/usr/include/node/common.gypi')) env.npm_config_nodedir = '/usr';
  const down = registryReachable(env);
  if (down !== undefined) {
    const why = `the npm registry is not reachable (npm ping: ${down})`;
    if (requirePrivileged()) assert.fail(`VIPKEEPER_REQUIRE_PRIVILEGED=1 but ${why}`);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vipkeeper-pack-'));
  try {
    const copy = join(dir, 'tree');
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'scripts/bundle-cli.ts', ...Object.values(BUNDLE_SHIMS), ...PKG.files]) {
      if (f !== 'dist' && existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(copy, f), { recursive: true });
    }
    // `prepare` compiles with the project's TypeScript.
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const out = join(dir, 'out');
    mkdirSync(out);
    const pack = run('npm', ['pack', '--pack-destination', out], { cwd: copy, timeoutMs: 300_000, env: { ...env, npm_config_loglevel: 'warn' } });
    assert.equal(pack.status, 0, `npm pack: ${pack.stderr.slice(-3000)}`);
    const tarballs = readdirSync(out).filter((f) => f.endsWith('.tgz'));
    assert.deepEqual(tarballs, [`vipkeeper-${PKG.version}.tgz`]);

    const listing = run('tar', ['-tzf', join(out, tarballs[0]!)], { timeoutMs: 60_000 }).stdout.split('\n');
    for (const f of ['package/dist/cli.cjs', 'package/dist/cli.js', 'package/dist/run.cjs', 'package/dist/ipvs.cjs', 'package/dist/ipvs-planning.cjs', 'package/dist/check.cjs', 'package/binding.gyp', 'package/src/native/sock.c', 'package/src/native/check-build-deps.sh', 'package/package.json']) {
      assert.ok(listing.includes(f), `${f} is in the tarball`);
    }
    // dist/cli.js is the bundle (scripts/bundle.mjs): its chunks must ship beside it.
    assert.ok(listing.some((f) => /^package\/dist\/bundle\/.+\.js$/.test(f)), 'the bundle\'s chunks are in the tarball');

    const prefix = join(dir, 'prefix');
    const install = run('npm', ['install', '-g', '--prefix', prefix, join(out, tarballs[0]!)], { timeoutMs: 600_000, env });
    assert.equal(install.status, 0, `npm install -g: ${install.stderr.slice(-4000)}`);
    const installed = join(prefix, 'lib', 'node_modules', 'vipkeeper');
    assert.ok(existsSync(join(installed, 'build', 'Release', 'vipkeeper_sock.node')), 'the addon was built on install');

    const bin = join(prefix, 'bin', 'vipkeeper');
    // The command operators run is the CommonJS bin (src/bin.ts), not the ES entry.
    assert.equal(realpathSync(bin), join(realpathSync(installed), 'dist', 'cli.cjs'));
    const v = run(bin, ['--version'], { timeoutMs: 60_000, env });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), PKG.version);

    // `run` comes from the daemon's own bundle, dist/run.cjs (scripts/bundle-cli.ts).
    const h = run(bin, ['run', '--help'], { timeoutMs: 60_000, env });
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /^usage: vipkeeper run -f FILE/);
    // `ipvs` from dist/ipvs.cjs.
    const ih = run(bin, ['ipvs', '--help'], { timeoutMs: 60_000, env });
    assert.equal(ih.status, 0, ih.stderr);
    assert.match(ih.stdout, /^usage: vipkeeper ipvs list /);

    const conf = join(installed, 'conf', 'lvs-dr-http-master.conf');
    const c = run(bin, ['check', '-f', conf], { timeoutMs: 60_000, env });
    assert.equal(c.status, 0, `${c.stdout}\n${c.stderr}`);
    assert.match(c.stdout, /lvs-dr-http-master\.conf: OK \(1 vrrp instances, 1 virtual servers/);
    // The YAML reader finds the generated validator from dist/check.cjs (src/lib/package-root.ts).
    const y = run(bin, ['check', '-f', join(installed, 'conf', 'lvs-dr-http-master.yaml')], { timeoutMs: 60_000, env });
    assert.equal(y.status, 0, `${y.stdout}\n${y.stderr}`);
    assert.match(y.stdout, /lvs-dr-http-master\.yaml: OK \(1 vrrp instances, 1 virtual servers/);
    const bad = run(bin, ['check', '-f', join(installed, 'package.json'), '--format', 'keepalived'], { timeoutMs: 60_000, env });
    assert.equal(bad.status, 1, 'control: the installed check refuses a file that is not a config');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
