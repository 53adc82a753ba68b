// Every way out of `vipkeeper run` is an orderly stop: SIGTERM with 50 instances, SIGTERM with a
// notify_stop script that hangs, an uncaught exception or unhandled rejection (injected through
// VIPKEEPER_TEST_CRASH, read only by run.ts), and signals that arrive while it is starting.
// Each time: priority-0 adverts on the wire (seen from a third host), VIPs removed, the exit code
// as specified, and nothing left running in the namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { sh } from '../../support/netns.js';
import { Bench, confText, sleep, vipOnlyOn, waitFor, ADDR, VIP, type Daemon } from './support.js';
import { Capture } from './watch.js';

/** Exit code (or signal name) of a daemon after SIGTERM or on its own. */
function exited(d: Daemon): Promise<number | string | null> {
  return new Promise((resolve) => {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) { resolve(d.proc.exitCode ?? d.proc.signalCode); return; }
    d.proc.once('exit', (code, sig) => resolve(code ?? sig));
  });
}

/** Processes still in a namespace (a notify script left behind would be one). */
function leftovers(ns: string): string[] {
  return sh('ip', ['netns', 'pids', ns], { allowFail: true }).split(/\s+/).filter(Boolean);
}

function manyInstances(n: number): string {
  const out = ['global_defs {', '  vrrp_version 3', '}'];
  for (let i = 1; i <= n; i++) {
    out.push(`vrrp_instance VI_${i} {`, '  state BACKUP', '  interface eth0', `  virtual_router_id ${i}`, '  priority 150', '  advert_int 1',
      '  virtual_ipaddress {', `    10.9.1.${i}/24`, '  }', '}');
  }
  return `${out.join('\n')}\n`;
}

test('SIGTERM with 50 instances: 50 priority-0 adverts, every VIP removed, exit 0, nothing left', { timeout: 90_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'tcpdump')) return;
  const bench = new Bench();
  try {
    const d = bench.start('vipkeeper', 'a', manyInstances(50), { logLevel: 'info' });
    const all = () => Array.from({ length: 50 }, (_, i) => bench.hasVip('a', `10.9.1.${i + 1}`)).every(Boolean);
    assert.ok(await waitFor(all, 20_000), `all 50 VIPs\n${d.output().slice(-2000)}`);
    const cap = new Capture(bench.client, bench.dir);
    await cap.started();
    await sleep(1200);
    const t0 = Date.now();
    assert.equal(await d.stop(), 0, d.output().slice(-2000));
    t.diagnostic(`stop took ${Date.now() - t0} ms`);
    await sleep(300);
    const adverts = await cap.stop();
    const stops = new Set(adverts.filter((a) => a.src === ADDR.a && a.priority === 0).map((a) => a.vrid));
    t.diagnostic(`captured ${adverts.length} adverts, ${new Set(adverts.map((a) => a.vrid)).size} VRIDs`);
    assert.equal(stops.size, 50, `priority-0 adverts for ${stops.size} VRIDs\n${d.output().split('\n').filter((l) => !/"level":30/.test(l)).slice(-20).join('\n')}\n${d.output().slice(-1500)}`);
    assert.ok(Array.from({ length: 50 }, (_, i) => bench.hasVip('a', `10.9.1.${i + 1}`)).every((x) => !x), 'every VIP removed');
    assert.deepEqual(leftovers(bench.a.ns), []);
  } finally { await bench.cleanup(); }
});

test('SIGTERM with a hung notify_stop: priority 0 sent, VIP removed, exit 0, the script killed', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'tcpdump')) return;
  const bench = new Bench();
  try {
    const script = join(bench.dir, 'hang.sh');
    const pidOut = join(bench.dir, 'hang.pid');
    writeFileSync(script, `#!/bin/sh\necho $$ > ${pidOut}\nexec sleep 60\n`);
    chmodSync(script, 0o755);
    const conf = confText({ version: 3, advertInt: 1 }, 'a', 200).replace('  virtual_ipaddress {', `  notify_stop ${script}\n  virtual_ipaddress {`);
    const d = bench.start('vipkeeper', 'a', conf);
    assert.ok(await waitFor(() => bench.hasVip('a'), 15_000), d.output().slice(-2000));
    const cap = new Capture(bench.client, bench.dir);
    await cap.started();
    await sleep(1200);
    assert.equal(await d.stop(), 0, d.output().slice(-2000));
    await sleep(300);
    const adverts = await cap.stop();
    assert.ok(adverts.some((a) => a.src === ADDR.a && a.priority === 0), 'priority 0 sent');
    assert.ok(!bench.hasVip('a'));
    assert.ok(existsSync(pidOut), 'notify_stop ran');
    const pid = Number(readFileSync(pidOut, 'utf8'));
    assert.ok(await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 3000), 'the hung script was killed');
    assert.deepEqual(leftovers(bench.a.ns), []);
  } finally { await bench.cleanup(); }
});

for (const kind of ['exception', 'rejection'] as const) {
  test(`an injected ${kind === 'exception' ? 'uncaught exception' : 'unhandled rejection'}: fatal log with stack, orderly stop, the peer takes over, exit 1`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived', 'ip', 'tcpdump')) return;
    const bench = new Bench();
    try {
      const d = bench.start('vipkeeper', 'a', confText({ version: 3, advertInt: 1 }, 'a', 200), { env: { VIPKEEPER_TEST_CRASH: `${kind}:6000` } });
      assert.ok(await waitFor(() => bench.hasVip('a'), 15_000), d.output().slice(-2000));
      bench.start('keepalived', 'b', confText({ version: 3, advertInt: 1 }, 'b', 100));
      const cap = new Capture(bench.client, bench.dir);
      await cap.started();
      const code = await Promise.race([exited(d), sleep(20_000).then(() => 'still running')]);
      assert.equal(code, 1, d.output().slice(-3000));
      const out = d.output();
      assert.match(out, /"level":60[^\n]*injected crash \(VIPKEEPER_TEST_CRASH/, 'logged at fatal');
      assert.match(out, /"stack":"Error: injected crash[^"]*\\n\s+at /, 'with its stack');
      assert.match(out, /"exitCode":1[^\n]*"msg":"stopped"/);
      assert.ok(!bench.hasVip('a'), 'VIP removed');
      assert.ok(await vipOnlyOn(bench, 'b', 5000), 'the peer took over');
      const adverts = await cap.stop();
      assert.ok(adverts.some((a) => a.src === ADDR.a && a.priority === 0), 'priority 0 sent');
      assert.deepEqual(leftovers(bench.a.ns), []);
      void VIP;
    } finally { await bench.cleanup(); }
  });
}

test('SIGHUP and SIGTERM while starting do not kill the process: it starts, then stops cleanly with exit 0', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const d = bench.start('vipkeeper', 'a', confText({ version: 3, advertInt: 1 }, 'a', 200));
    assert.ok(await waitFor(() => /vipkeeper starting/.test(d.output()), 15_000), d.output());
    d.proc.kill('SIGHUP');
    d.proc.kill('SIGTERM');
    const code = await Promise.race([exited(d), sleep(15_000).then(() => 'still running')]);
    assert.equal(code, 0, d.output().slice(-3000));
    assert.match(d.output(), /"msg":"stopped"/);
    assert.ok(!bench.hasVip('a'));
    assert.deepEqual(leftovers(bench.a.ns), []);
  } finally { await bench.cleanup(); }
});
