// The build's daemon (scripts/bundle-cli.ts): `run` comes from one CommonJS file with pino inside,
// so a daemon does not resolve and load pino's ~30 package files, nor thread-stream for transports
// it does not use (bench/README.md, "idle daemon", fifth pass). `ipvs` comes from dist/ipvs.cjs
// (bench/README.md, IPVS, fifth pass). The package's bin, dist/cli.cjs, starts those two without
// node's ES loader (bench/README.md, sixth passes). Built here into a scratch package (package.json and
// node_modules beside it), as `npm run build` builds dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, COMMAND_BUNDLES, DAEMON_BUNDLE } from '../../../scripts/bundle-cli.js';
import { ROOT, scratchBuild } from '../../support/scratch-build.js';

/**
 * The code cache beside `file` (a bundle of the scratch package `pkg`) is what a plain node loads
 * it with, and holds more than loading the bundle compiles by itself: the rehearsed command's
 * functions. Each figure from a node of its own (V8 would answer a second compile of the same text
 * from its memory); no NODE_OPTIONS (V8 flags there, a heap limit say, make V8 refuse any cache
 * made without them).
 */
function assertRehearsedCache(pkg: string, file: string, what: string): void {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const probe = (code: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      const { loadBundleWithCache } = await import(${JSON.stringify(join(ROOT, 'src/cli/load-bundle.ts'))});
      ${code}`], { cwd: pkg, encoding: 'utf8', timeout: 60_000, env });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  assert.equal(probe(`console.log(loadBundleWithCache(${JSON.stringify(file)}).cache);`), 'used');
  const loadOnly = Number(probe(`console.log(loadBundleWithCache(${JSON.stringify(file)}, true).script.createCachedData().length);`));
  const shipped = statSync(`${file}.cache`).size;
  assert.ok(shipped > loadOnly * 1.5, `the rehearsal compiled the ${what} into the cache (${shipped} bytes against ${loadOnly} for the load alone)`);
}

test('dist/cli.js takes `run` from dist/run.cjs, which carries pino and reads no package file to load', { timeout: 120_000 }, () => {
  const pkg = scratchBuild();
  try {
    assert.ok(existsSync(join(pkg, DAEMON_BUNDLE)), `${DAEMON_BUNDLE} was built`);
    // Our modules are ES modules, strict by nature; in one CommonJS file only a directive at its
    // top keeps them so (a frozen object's write must still throw).
    assert.match(readFileSync(join(pkg, DAEMON_BUNDLE), 'utf8'), /^"use strict";\n/);
    // It is compiled without an ES module loader (src/cli/load-bundle.ts): an import() of a node
    // module left in it would fail where it runs ("A dynamic import callback was not specified").
    assert.doesNotMatch(readFileSync(join(pkg, DAEMON_BUNDLE), 'utf8'), /\bimport\(\s*["'`]/);

    // What loading the daemon's command costs: package files read, node modules loaded.
    const probe = `
      const cmd = require(${JSON.stringify(join(pkg, DAEMON_BUNDLE))}).default;
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
    // ...and another file there is what runs.
    writeFileSync(join(pkg, DAEMON_BUNDLE), 'exports.default = { summary: "s", usage: "usage: from run.cjs", run: async () => 0 };\n');
    const other = spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), 'run', '--help'], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
    assert.equal(other.stdout, 'usage: from run.cjs\n', 'run.cjs is the file `run` came from');
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

test('dist/cli.js takes `ipvs` from dist/ipvs.cjs, plan/apply\'s config reader from a file beside it; a usage error inside a bundle is one', { timeout: 120_000 }, () => {
  const pkg = scratchBuild();
  try {
    const file = join(pkg, 'dist', COMMAND_BUNDLES.ipvs!.file);
    assert.match(readFileSync(file, 'utf8'), /^"use strict";\n/);

    const cli = (...args: string[]) => spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), ...args], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
    const help = cli('ipvs', '--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: vipkeeper ipvs list /);
    // A usage error from inside a bundle is still one (exit 2, usage printed), for ipvs and run alike.
    const typo = cli('ipvs', 'lsit');
    assert.equal(typo.status, 2, typo.stderr);
    assert.match(typo.stderr, /^vipkeeper ipvs: unknown subcommand 'lsit'\n\nusage: vipkeeper ipvs list /);
    const runTypo = cli('run', '--bogus');
    assert.equal(runTypo.status, 2, runTypo.stderr);
    assert.match(runTypo.stderr, /\n\nusage: vipkeeper run -f FILE/);
    // plan reads a config from inside the bundle: diagnostics with file:line:col, nothing touched.
    writeFileSync(join(pkg, 'bad.conf'), 'virtual_server 10.0.0.1 80 {\n  lb_algo nosuch\n  protocol TCP\n}\n');
    const plan = cli('ipvs', 'plan', '-f', 'bad.conf');
    assert.equal(plan.status, 1, plan.stderr);
    assert.match(plan.stderr, /^bad\.conf:2:11: 'lb_algo' must be one of /m);
    assert.match(plan.stderr, /bad\.conf is not valid; nothing done/);
    // ...from planning's own file: without it plan fails, while --help and usage errors do not load it.
    const planningFile = join(pkg, 'dist', COMMAND_BUNDLES.ipvs!.parts!.VK_IPVS_PLANNING!.file);
    renameSync(planningFile, `${planningFile}.away`);
    assert.equal(cli('ipvs', 'plan', '-f', 'bad.conf').status, 1);
    assert.match(cli('ipvs', 'plan', '-f', 'bad.conf').stderr, /Cannot find module .*ipvs-planning\.cjs/);
    assert.equal(cli('ipvs', '--help').stdout, help.stdout);
    assert.equal(cli('ipvs', 'lsit').status, 2);
    renameSync(`${planningFile}.away`, planningFile);

    // The bin (CommonJS) finds planning's file beside it too, and a listing loads none of what it
    // does not use: node:module (its public face loads the ES loader's internals), parseArgs's code
    // (a plain command line is read without it), source maps (src/lib/require-from.ts, plainArgs).
    const bin = (...args: string[]) => spawnSync(process.execPath, [join(pkg, BIN), ...args], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
    assert.match(bin('ipvs', 'plan', '-f', 'bad.conf').stderr, /^bad\.conf:2:11: 'lb_algo' must be one of /m);
    const loads = join(pkg, 'loads.json');
    writeFileSync(join(pkg, 'loads.cjs'), `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loads)}, JSON.stringify(process.moduleLoadList)));`);
    const listed = spawnSync(process.execPath, ['-r', './loads.cjs', join(pkg, BIN), 'ipvs', 'list'], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
    // Listed, or stopped at the kernel or the addon (this scratch package has none): past the bundle's load and the arguments.
    assert.ok(listed.status === 0 || /ip_vs is not available|Operation not permitted|native socket addon not built/.test(listed.stderr), listed.stderr);
    const loaded = JSON.parse(readFileSync(loads, 'utf8')) as string[];
    assert.ok(loaded.includes('NativeModule fs'), 'the list is the process\'s');
    for (const m of ['NativeModule module', 'NativeModule internal/modules/esm/loader', 'NativeModule internal/util/parse_args/parse_args', 'NativeModule internal/source_map/source_map']) {
      assert.ok(!loaded.includes(m), `${m} loaded by \`ipvs list\``);
    }

    // A listing's code compiled ahead (src/cli/bundle-code-cache.ts).
    assertRehearsedCache(pkg, file, 'listing');

    // The ES entry hands `ipvs` to that file: another file there is what runs (its cache, made
    // from the other, is left alone).
    writeFileSync(file, 'exports.default = { summary: "s", usage: "usage: from ipvs.cjs", run: async () => 0 };\n');
    assert.equal(cli('ipvs', '--help').stdout, 'usage: from ipvs.cjs\n');
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

test('the bin (dist/cli.cjs) runs `run`, `ipvs`, `check` and --version without node\'s ES loader, every other command through dist/cli.js', { timeout: 120_000 }, () => {
  const pkg = scratchBuild();
  try {
    assert.equal((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.vipkeeper, BIN);
    const bin = join(pkg, BIN);
    assert.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env -S node --v8-pool-size=1\n"use strict";\n/);
    assert.equal(statSync(bin).mode & 0o111, 0o111, 'executable');
    // Run as operators run it (the kernel reads that line, env -S splits it; the node running these
    // tests first on PATH): node gets the flag,
    // and V8 starts as many background threads as `node --v8-pool-size=1` does, fewer than with
    // node's default pool of 4 whatever the CPUs.
    const threadProbe = join(pkg, 'thread-probe.cjs');
    writeFileSync(threadProbe, `process.on('exit', () => { const fs = require('node:fs'); fs.writeSync(2, '\\nTHREADS ' + JSON.stringify({ execArgv: process.execArgv, n: fs.readdirSync('/proc/self/task').length })); });\n`);
    const threads = (argv: string[]) => {
      const r = spawnSync(argv[0]!, [...argv.slice(1), '--version'], { cwd: pkg, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, NODE_OPTIONS: `--require ${threadProbe}` } });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('\nTHREADS ') + 9)) as { execArgv: string[]; n: number };
    };
    const direct = threads([bin]);
    assert.deepEqual(direct.execArgv, ['--v8-pool-size=1']);
    assert.equal(direct.n, threads([process.execPath, '--v8-pool-size=1', bin]).n);
    assert.ok(direct.n < threads([process.execPath, bin]).n, `${direct.n} threads, fewer than with node's default pool`);
    // Which ES loader modules node loaded (a preload prints them at exit): an ES entry makes node
    // load its module jobs and translators, a CommonJS one only what its bootstrap always has.
    const probe = join(pkg, 'esm-probe.cjs');
    // Node's streams too: output written straight to the pipes spares a listing their ~25 modules.
    writeFileSync(probe, `process.on('exit', () => require('node:fs').writeSync(2, '\\nESM ' + JSON.stringify(process.moduleLoadList.filter((m) => m.includes('modules/esm/') || m === 'NativeModule stream'))));\n`);
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['--require', probe, bin, ...args], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
      const at = r.stderr.lastIndexOf('\nESM ');
      const loaded = JSON.parse(r.stderr.slice(at + 5)) as string[];
      return { status: r.status, stdout: r.stdout, stderr: r.stderr.slice(0, at), esm: loaded.some((m) => m.endsWith('/module_job')), streams: loaded.includes('NativeModule stream') };
    };
    const version = cli('--version');
    assert.deepEqual(version, { status: 0, stdout: `${(JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version}\n`, stderr: '', esm: false, streams: false });
    const run = cli('run', '--help');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^usage: vipkeeper run -f FILE/);
    assert.equal(run.esm, false, 'run started without the ES loader');
    const typo = cli('ipvs', 'lsit');
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /^vipkeeper ipvs: unknown subcommand 'lsit'\n\nusage: vipkeeper ipvs list /);
    assert.equal(typo.esm, false, 'ipvs started without the ES loader');
    assert.equal(typo.streams, false, 'the usage written to the stderr pipe without node\'s streams');
    // The rest is dist/cli.js's: the same answers as through it, with the ES loader.
    writeFileSync(join(pkg, 'bad.conf'), 'vrrp_instance VI_1 {\n  state MASTR\n}\n');
    for (const args of [['check', '-f', 'bad.conf'], ['nosuch'], ['constructor'], [], ['--help'], ['run', '--bogus']]) {
      const viaBin = cli(...args);
      const viaEs = spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), ...args], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
      assert.deepEqual({ status: viaBin.status, stdout: viaBin.stdout, stderr: viaBin.stderr }, { status: viaEs.status, stdout: viaEs.stdout, stderr: viaEs.stderr }, args.join(' '));
      assert.equal(viaBin.esm, args[0] !== 'run' && args[0] !== 'check', args.join(' '));
    }
    assert.equal(cli('constructor').status, 2, 'a name on Object.prototype is no command');
    assert.match(cli('check', '-f', 'bad.conf').stderr, /^bad\.conf:2:9: /m);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

test('`check` comes from dist/check.cjs, compiled ahead from a rehearsal, and answers as dist/cli.js does', { timeout: 120_000 }, () => {
  const pkg = scratchBuild();
  try {
    const file = join(pkg, 'dist', COMMAND_BUNDLES.check!.file);
    assert.match(readFileSync(file, 'utf8'), /^"use strict";\n/);
    // Its code compiled ahead (src/cli/check-code-cache.ts).
    assertRehearsedCache(pkg, file, 'check');

    // Valid and invalid files of both formats, text and JSON: the bin's answers are dist/cli.js's.
    writeFileSync(join(pkg, 'ok.conf'), 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 5\n  priority 100\n  virtual_ipaddress {\n    10.0.0.5\n  }\n}\nvirtual_server 10.0.0.5 80 {\n  protocol TCP\n  real_server 10.0.1.1 80 {\n    TCP_CHECK {\n    }\n  }\n}\n');
    writeFileSync(join(pkg, 'bad.conf'), 'virtual_server 10.0.0.1 80 {\n  lb_algo nosuch\n  protocol TCP\n}\n');
    writeFileSync(join(pkg, 'ok.yaml'), 'virtualServers:\n  - address: 10.0.0.5\n    port: 80\n    protocol: TCP\n    realServers:\n      - address: 10.0.1.1\n        port: 80\n');
    writeFileSync(join(pkg, 'bad.yaml'), 'virtualServers:\n  - address: 10.0.0.5\n    port: 80\n    protocol: TCP\n    lbAlgo: nosuch\n');
    const run = (argv: string[]) => {
      const r = spawnSync(argv[0]!, argv.slice(1), { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    for (const args of [['ok.conf'], ['bad.conf'], ['ok.yaml'], ['bad.yaml'], ['-f', 'bad.yaml', '--json'], ['--strict', 'ok.conf']]) {
      const viaBin = run([process.execPath, join(pkg, BIN), 'check', ...args]);
      assert.deepEqual(viaBin, run([process.execPath, join(pkg, 'dist', 'cli.js'), 'check', ...args]), args.join(' '));
      assert.equal(viaBin.status, args.some((a) => a.startsWith('bad')) ? 1 : 0, `${args.join(' ')}: ${viaBin.stderr}`);
    }
    assert.match(run([process.execPath, join(pkg, BIN), 'check', 'bad.yaml']).stderr, /^bad\.yaml:5:5: virtualServers\[0\]\.lbAlgo: must be one of /m);
    assert.match(run([process.execPath, join(pkg, BIN), 'check', 'bad.conf']).stderr, /^bad\.conf:2:11: /m);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});
