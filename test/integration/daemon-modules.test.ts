// What node loads into an idle VRRP daemon, the package's bin as its systemd unit starts it (under
// SCHED_RR at its --rt-priority): none of the modules the daemon no longer needs for itself
// (bench/README.md, "idle daemon", seventh and eighth passes): cluster (node's net listen; the
// control socket is the addon's, src/net/unix-stream.ts), tty (no process.stdout), perf_hooks
// (src/lib/monotonic.ts), worker_threads, assert, os and diagnostics_channel (pino's, shimmed in
// the bundle; src's node:os is loaded at first use), string_decoder (src/lib/utf8-pieces.ts), http,
// and child_process, net and stream: a crashed run's leftover nft table is looked up over
// nfnetlink (src/net/nft-tables.ts), so nft runs only when there is one. A status asked over the
// control socket first, so its serving path is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../support/privileged.js';
import { Lan } from '../support/netns.js';
import { ROOT, scratchBuild } from '../support/scratch-build.js';
import { waitFor, waitForAsync } from '../support/wait.js';
import { controlRequest } from '../../src/control/client.js';

const HEAVY = ['tty', 'cluster', 'perf_hooks', 'worker_threads', 'assert', 'os', 'diagnostics_channel', 'string_decoder', 'http', 'child_process', 'net', 'stream'];

test('an idle daemon loads none of node\'s cluster, tty, perf_hooks, worker_threads, assert, os, diagnostics_channel, string_decoder, http, child_process, net or stream', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'chrt')) return;
  const pkg = scratchBuild();
  symlinkSync(join(ROOT, 'build'), join(pkg, 'build'));
  const lan = new Lan();
  try {
    const host = lan.addHost('a', ['10.9.0.1/16']);
    const conf = join(pkg, 'a.conf'), sock = join(pkg, 'a.sock'), dump = join(pkg, 'modules.json');
    writeFileSync(conf, 'global_defs {\n  vrrp_version 3\n}\nvrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 200\n  advert_int 0.01\n  virtual_ipaddress {\n    10.9.1.1/16\n  }\n}\n');
    // SIGWINCH, which the daemon ignores, makes this preload write what node has loaded so far.
    const probe = join(pkg, 'modules-probe.cjs');
    writeFileSync(probe, `process.on('SIGWINCH', () => require('node:fs').writeFileSync(${JSON.stringify(dump)}, JSON.stringify(process.moduleLoadList)));\n`);
    const daemon = host.spawn('chrt', ['--rr', '10', process.execPath, '--require', probe, join(pkg, 'dist/cli.cjs'), 'run', '-f', conf, '--control-socket', sock, '--log-level', 'warn'], { cwd: pkg });
    let out = '';
    daemon.stdout?.on('data', (d: Buffer) => { out += d; });
    daemon.stderr?.on('data', (d: Buffer) => { out += d; });
    try {
      assert.ok(await waitForAsync(async () => {
        const r = await controlRequest(sock, { cmd: 'status' }, { timeoutMs: 2000 });
        return r.ok && 'status' in r && r.status.instances[0]?.state === 'MASTER';
      }, 20_000), `the daemon became master and answered its status: ${out}`);
      daemon.kill('SIGWINCH');
      assert.ok(await waitFor(() => { try { return readFileSync(dump, 'utf8').length > 0; } catch { return false; } }, 5000), 'the probe wrote the module list');
      const loaded = new Set((JSON.parse(readFileSync(dump, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)));
      assert.ok(loaded.has('fs') && loaded.has('internal/modules/cjs/loader'), 'the list is node\'s own');
      assert.deepEqual(HEAVY.filter((m) => loaded.has(m)), [], 'none of these were loaded');
      assert.match(out, /^$/, 'nothing logged at warn');
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((resolve) => { if (daemon.exitCode !== null) resolve(null); else daemon.once('exit', resolve); });
    }
  } finally {
    lan.destroy();
    rmSync(pkg, { recursive: true, force: true });
  }
});
