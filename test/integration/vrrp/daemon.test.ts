// The `vipkeeper run` daemon on a namespace LAN: SIGHUP reload (a bad file keeps the old
// configuration, unchanged instances keep their VIPs), stale VIP clean-up at start, pid file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Bench, confText, sleep, vipOnlyOn, waitFor, VIP } from './support.js';

test('SIGHUP: a broken file keeps the running config; a new instance starts, the old keeps its VIP', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const conf = confText({ version: 3 }, 'a', 200);
    const d = bench.start('vipkeeper', 'a', conf);
    assert.ok(await vipOnlyOn(bench, 'a', 8000));
    const file = join(bench.dir, 'vipkeeper-a-1.conf');
    writeFileSync(file, `${conf}vrrp_instance BROKEN {\n  interface eth0\n  virtual_router_id 999\n}\n`);
    d.proc.kill('SIGHUP');
    assert.ok(await waitFor(() => /keeping the running configuration/.test(d.output()), 5000), d.output().slice(-2000));
    assert.match(d.output(), /vipkeeper-a-1\.conf:\d+:\d+/);
    assert.ok(bench.hasVip('a'));
    const second = `vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 52\n  priority 200\n  advert_int 0.1\n  virtual_ipaddress {\n    10.9.0.101/24\n  }\n}\n`;
    writeFileSync(file, conf + second);
    d.proc.kill('SIGHUP');
    assert.ok(await waitFor(() => bench.hasVip('a', '10.9.0.101'), 5000), d.output().slice(-2000));
    assert.match(d.output(), /"kept":\["VI_1"\]/);
    assert.ok(!/"from":"MASTER","to":"(STOPPED|BACKUP)"/.test(d.output()), 'VI_1 never left MASTER');
    assert.equal(await d.stop(), 0);
    assert.ok(!bench.hasVip('a') && !bench.hasVip('a', '10.9.0.101'), 'stop removes every VIP');
  } finally { await bench.cleanup(); }
});

test('start: a VIP left by a crashed run is removed when another director is master', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    bench.start('vipkeeper', 'a', confText({ version: 3 }, 'a', 200));
    assert.ok(await vipOnlyOn(bench, 'a', 8000));
    bench.b.run('ip', 'addr', 'add', `${VIP}/24`, 'dev', 'eth0');
    const b = bench.start('vipkeeper', 'b', confText({ version: 3 }, 'b', 100));
    assert.ok(await vipOnlyOn(bench, 'a', 8000, 500), `stale VIP removed from b\n${b.output().slice(-2000)}`);
    assert.match(b.output(), /left by an earlier run/);
    await b.stop();
  } finally { await bench.cleanup(); }
});

test('--pid-file is written while running and removed on SIGTERM; exit code 0', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const pidFile = join(bench.dir, 'vk.pid');
    const conf = join(bench.dir, 'p.conf');
    writeFileSync(conf, confText({ version: 3 }, 'a', 200));
    const child = bench.a.spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'src/cli.ts'), 'run', '-f', conf, '--pid-file', pidFile, '--control-socket', join(bench.dir, 'vk.sock')], { cwd: process.cwd() });
    assert.ok(await waitFor(() => existsSync(pidFile), 10_000));
    assert.equal(Number(readFileSync(pidFile, 'utf8')), child.pid);
    assert.ok(await vipOnlyOn(bench, 'a', 8000));
    const code = await new Promise<number | null>((resolve) => { child.once('exit', (c) => resolve(c)); child.kill('SIGTERM'); });
    assert.equal(code, 0);
    assert.ok(!existsSync(pidFile));
    assert.ok(!bench.hasVip('a'));
    await sleep(10);
  } finally { await bench.cleanup(); }
});

test('SIGTERM with a notify_stop script that hangs: exit 0, VIP removed, the script does not outlive the daemon', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const pidOut = join(bench.dir, 'stop.pid');
    const script = join(bench.dir, 'hang.sh');
    writeFileSync(script, `#!/bin/sh\necho $$ > ${pidOut}\nexec sleep 30\n`);
    chmodSync(script, 0o755);
    const conf = confText({ version: 3 }, 'a', 200).replace('  virtual_ipaddress {', `  notify_stop ${script}\n  virtual_ipaddress {`);
    const d = bench.start('vipkeeper', 'a', conf);
    assert.ok(await vipOnlyOn(bench, 'a', 8000), d.output().slice(-2000));
    assert.equal(await d.stop(), 0, d.output().slice(-2000));
    assert.ok(!bench.hasVip('a'));
    assert.ok(existsSync(pidOut), `notify_stop ran\n${d.output().slice(-2000)}`);
    const pid = Number(readFileSync(pidOut, 'utf8'));
    const alive = (): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
    const gone = await waitFor(() => !alive(), 3000);
    if (!gone) process.kill(pid, 'SIGKILL');
    assert.ok(gone, 'the hung notify_stop script was killed when the daemon exited');
  } finally { await bench.cleanup(); }
});
