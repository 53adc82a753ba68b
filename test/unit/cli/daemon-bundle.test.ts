// The build's daemon (scripts/bundle-cli.ts): `run` comes from one CommonJS file with pino inside,
// so a daemon does not resolve and load pino's ~30 package files, nor thread-stream for transports
// it does not use (bench/README.md, "idle daemon", fifth pass). Built here into a scratch package
// (package.json and node_modules beside it), as `npm run build` builds dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli, DAEMON_BUNDLE } from '../../../scripts/bundle-cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('dist/cli.js takes `run` from dist/run.cjs, which carries pino and reads no package file to load', { timeout: 120_000 }, () => {
  const pkg = mkdtempSync(join(tmpdir(), 'vk-bundle-'));
  try {
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    mkdirSync(join(pkg, 'dist'));
    bundleCli(ROOT, join(pkg, 'dist'));
    assert.ok(existsSync(join(pkg, DAEMON_BUNDLE)), `${DAEMON_BUNDLE} was built`);
    // Our modules are ES modules, strict by nature; in one CommonJS file only a directive at its
    // top keeps them so (a frozen object's write must still throw).
    assert.match(readFileSync(join(pkg, DAEMON_BUNDLE), 'utf8'), /^"use strict";\n/);

    // What loading the daemon's command costs: package files read, node modules loaded.
    const probe = `
      const cmd = require(${JSON.stringify(join(pkg, DAEMON_BUNDLE))});
      const files = Object.keys(require.cache).filter((f) => f.includes('/node_modules/'));
      console.log(JSON.stringify({ run: typeof cmd.run, usage: cmd.usage.split('\\n')[0], files }));`;
    const r = spawnSync(process.execPath, ['-e', probe], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as { run: string; usage: string; files: string[] };
    assert.equal(seen.run, 'function');
    assert.match(seen.usage, /^usage: vipkeeper run /);
    assert.deepEqual(seen.files, [], 'no package file is read when the daemon loads (pino is inside, thread-stream left out)');

    // The ES entry hands `run` to that file: its usage comes back through dist/cli.js.
    const help = spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), 'run', '--help'], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: vipkeeper run -f FILE/);
    const loads = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(join(pkg, 'dist', 'cli.js'))}).then(async (m) => {
        const out = []; await m.main(['run', '--help'], { out: (s) => out.push(s), err: (s) => out.push(s) });
        console.log(JSON.stringify(Object.keys(require('node:module')._cache).filter((f) => f.endsWith('.cjs'))));
      });`], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
    assert.equal(loads.status, 0, loads.stderr);
    assert.deepEqual(JSON.parse(loads.stdout.trim().split('\n').pop()!), [join(pkg, DAEMON_BUNDLE)], 'run.cjs is the file `run` came from');
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});
