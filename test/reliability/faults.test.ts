// Faults on a live pair of vipkeeper daemons (the real `vipkeeper run`) in namespaces: SIGKILL of
// the master and a restart, SIGSTOP of the master past the master-down interval and SIGCONT (a
// split brain that must heal), 200 link flaps, notify scripts that flood their output or leave a
// child behind. Timings are reported, never asserted tightly: bounds are generous (shared cores).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { needRoot } from '../support/privileged.js';
import { Bench, confText, vipOnlyOn, type ConfOpts } from '../integration/vrrp/support.js';
import type { Director } from '../support/directors.js';
import { sleep, waitFor } from '../support/wait.js';

const V3: ConfOpts = { version: 3, advertInt: 0.5, garpDelay: 1 };
let daemons = 0;
/** The real daemon; each with its own control socket (the default path is shared by every namespace). */
const start = (bench: Bench, who: 'a' | 'b', conf: string): Director =>
  bench.start('vipkeeper', who, conf, { logLevel: 'info', maxOutput: 200_000, args: ['--control-socket', join(bench.dir, `${who}-${++daemons}.sock`)] });

/** State changes the daemon logged: [{from, to, reason}]. */
function transitions(d: Director): { from: string; to: string; reason: string }[] {
  return d.output().split('\n').filter((l) => l.includes('"to":')).flatMap((l) => {
    try { const j = JSON.parse(l) as { from?: string; to?: string; reason?: string }; return j.to && j.from ? [{ from: j.from, to: j.to, reason: j.reason ?? '' }] : []; } catch { return []; }
  });
}
const lastState = (d: Director): string | undefined => transitions(d).at(-1)?.to;
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
/** Process state letter from /proc (R, S, T, Z...), or undefined when gone. */
function procState(pid: number): string | undefined {
  try { return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]; } catch { return undefined; }
}

test('SIGKILL of the master, then restart: b takes over; a rejoins as backup with no stale VIP', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const a = start(bench, 'a', confText(V3, 'a', 200));
    start(bench, 'b', confText(V3, 'b', 100));
    assert.ok(await vipOnlyOn(bench, 'a', 15_000), a.output().slice(-2000));
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    const t0 = Date.now();
    assert.ok(await waitFor(() => bench.hasVip('b'), 15_000), 'b took over');
    t.diagnostic(`b holds the VIP ${Date.now() - t0} ms after SIGKILL of a`);
    assert.ok(bench.hasVip('a'), 'a killed -9 left its VIP behind (nothing could remove it)');
    // Restarted with nopreempt, a must come back as BACKUP and remove the VIP it left.
    const a2 = start(bench, 'a', confText({ ...V3, nopreempt: true }, 'a', 200));
    const t1 = Date.now();
    assert.ok(await vipOnlyOn(bench, 'b', 15_000, 3000), `stale VIP removed from a\n${a2.output().slice(-3000)}`);
    t.diagnostic(`stale VIP gone from a ${Date.now() - t1} ms after its restart`);
    assert.equal(lastState(a2), 'BACKUP', a2.output().slice(-2000));
    assert.equal(bench.clientNeighbour(), bench.b.mac, 'the client reaches the VIP at b');
  } finally { await bench.cleanup(); }
});

test('SIGSTOP of the master past master-down, then SIGCONT: the split brain heals and the client ends on the master', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const a = start(bench, 'a', confText(V3, 'a', 200));
    const b = start(bench, 'b', confText(V3, 'b', 100));
    assert.ok(await vipOnlyOn(bench, 'a', 15_000));
    await sleep(1000);
    a.proc.kill('SIGSTOP');
    // Stopped for 3 advert intervals past b's master-down interval (3 x 0.5 s + skew): b takes over.
    assert.ok(await waitFor(() => bench.hasVip('b'), 10_000), `b took over while a was stopped\n${b.output().slice(-2000)}`);
    await sleep(1500);
    assert.ok(bench.hasVip('a') && bench.hasVip('b'), 'split brain: both hold the VIP while a is stopped');
    const t0 = Date.now();
    const aBefore = transitions(a).length;
    a.proc.kill('SIGCONT');
    const healed = await waitFor(() => bench.hasVip('a') && !bench.hasVip('b'), 10_000, 10);
    const healedMs = Date.now() - t0;
    assert.ok(healed && await vipOnlyOn(bench, 'a', 1000, 1500), `healed onto a\n${a.output().slice(-2000)}\n${b.output().slice(-2000)}`);
    t.diagnostic(`split brain healed ${healedMs} ms after SIGCONT (advert interval 500 ms; each check spawns ip, ~10-30 ms)`);
    assert.equal(lastState(b), 'BACKUP');
    assert.deepEqual(transitions(a).slice(aBefore), [], 'a never left MASTER: it was the higher priority all along');
    assert.ok(await waitFor(() => bench.clientNeighbour() === bench.a.mac, 5000, 200), `client neighbour ${bench.clientNeighbour()} is a's ${bench.a.mac}`);
  } finally { await bench.cleanup(); }
});

test('200 link flaps in about 20 s: the pair ends with the VIP on the master only', { timeout: 180_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const a = start(bench, 'a', confText(V3, 'a', 200));
    const b = start(bench, 'b', confText(V3, 'b', 100));
    assert.ok(await vipOnlyOn(bench, 'a', 15_000));
    const t0 = Date.now();
    for (let i = 0; i < 200; i++) {
      bench.lan.setCable('a', i % 2 === 1);
      const next = t0 + (i + 1) * 100;
      if (next > Date.now()) await sleep(next - Date.now());
    }
    bench.lan.setCable('a', true);
    const flapMs = Date.now() - t0;
    assert.ok(a.proc.exitCode === null && b.proc.exitCode === null, 'both daemons survived');
    const t1 = Date.now();
    assert.ok(await vipOnlyOn(bench, 'a', 20_000, 3000), `ends on a\n${a.output().slice(-2000)}\n${b.output().slice(-2000)}`);
    t.diagnostic(`200 flaps took ${flapMs} ms; settled on a ${Date.now() - t1} ms later; a made ${transitions(a).length} transitions, b ${transitions(b).length}`);
    assert.equal(lastState(a), 'MASTER');
    assert.equal(lastState(b), 'BACKUP');
  } finally { await bench.cleanup(); }
});

function notifyBench(bench: Bench): { conf: string; dir: string } {
  const dir = bench.dir;
  const flood = join(dir, 'flood.sh'), fork = join(dir, 'fork.sh');
  // 200 MB on stdout and stderr each, then a marker.
  writeFileSync(flood, `#!/bin/sh\nhead -c 200000000 /dev/zero\nhead -c 200000000 /dev/zero >&2\necho "$@" > ${dir}/flood.done\n`);
  // A child that would sleep for 10 minutes, left behind by the script, which exits at once.
  writeFileSync(fork, `#!/bin/sh\n(sleep 600 & echo $! > ${dir}/child.pid)\necho $$ > ${dir}/fork.pid\nexit 0\n`);
  chmodSync(flood, 0o755); chmodSync(fork, 0o755);
  return { dir, conf: confText(V3, 'a', 200).replace('  virtual_ipaddress {', `  notify_master ${flood}\n  notify_backup ${fork}\n  virtual_ipaddress {`) };
}

test('notify scripts that flood their output or leave a child behind: output bounded, scripts reaped, the daemon unaffected', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'ps')) return;
  const bench = new Bench();
  try {
    const { dir, conf } = notifyBench(bench);
    const a = start(bench, 'a', conf);
    assert.ok(await waitFor(() => existsSync(join(dir, 'fork.pid')) && existsSync(join(dir, 'child.pid')), 15_000), `notify_backup ran\n${a.output().slice(-2000)}`);
    assert.ok(await waitFor(() => existsSync(join(dir, 'flood.done')), 60_000), `notify_master finished its 400 MB\n${a.output().slice(-2000)}`);
    assert.equal(readFileSync(join(dir, 'flood.done'), 'utf8'), '\n', 'notify_master gets no arguments');
    assert.ok(await vipOnlyOn(bench, 'a', 5000));
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${a.proc.pid}/status`, 'utf8'))?.[1]);
    t.diagnostic(`daemon RSS after 400 MB of script output: ${(rssKb / 1024).toFixed(0)} MB`);
    assert.ok(rssKb < 400 * 1024, 'the output was not buffered by the daemon');
    // No zombie: every script the daemon started was waited for.
    const ps = spawnSync('ps', ['--ppid', String(a.proc.pid), '-o', 'pid=,stat=,args='], { encoding: 'utf8' }).stdout;
    assert.deepEqual(ps.split('\n').filter((l) => /^\s*\d+\s+Z/.test(l)), [], `no zombie children of the daemon:\n${ps}`);
    const scriptPid = Number(readFileSync(join(dir, 'fork.pid'), 'utf8'));
    assert.ok(await waitFor(() => procState(scriptPid) === undefined, 5000), 'the notify script itself is gone and reaped');
    // The daemon keeps working: a stop hands over and removes the VIP.
    assert.equal(await a.stop(), 0);
    assert.ok(!bench.hasVip('a'));
  } finally {
    const child = Number(existsSync(join(bench.dir, 'child.pid')) ? readFileSync(join(bench.dir, 'child.pid'), 'utf8') : 0);
    if (child > 0 && alive(child)) process.kill(child, 'SIGKILL');
    await bench.cleanup();
  }
});

// Known gap (reported to the owner of src/adapters/script-runner.ts): the runner kills a script's
// process group only when the script times out, so a child it leaves behind after a normal exit
// runs on, past the daemon's own exit. Kept as a todo until the runner kills the group on exit too.
test('a notify script\'s leftover child does not outlive the daemon', { timeout: 120_000, todo: 'script-runner kills the process group only on timeout' }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  let child = 0;
  try {
    const { dir, conf } = notifyBench(bench);
    const a = start(bench, 'a', conf);
    assert.ok(await waitFor(() => existsSync(join(dir, 'child.pid')), 15_000));
    child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    assert.ok(await vipOnlyOn(bench, 'a', 60_000));
    assert.equal(await a.stop(), 0);
    assert.ok(await waitFor(() => !alive(child) || procState(child) === 'Z', 5000), `the leftover child (pid ${child}) outlived the daemon`);
  } finally {
    if (child > 0 && alive(child)) process.kill(child, 'SIGKILL');
    await bench.cleanup();
  }
});
