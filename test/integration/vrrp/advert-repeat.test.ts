// A vipkeeper master's adverts come from the addon's sender thread (src/native/repeat.c), not from
// a JavaScript timer. Against a keepalived backup, watched from a third host: the adverts keep
// their interval, a reload's priority and VIPs reach the wire, a stop ends with priority 0 and
// silence, and a stopped daemon (SIGSTOP: the sender thread stops with the process) is silent
// at once, so keepalived takes over, and wins back mastership when it runs again. (The lease that
// silences a daemon whose event loop alone is stuck is tested in test/unit/net/native-repeat.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Bench, confText, sleep, vipOnlyOn, waitFor, ADDR } from './support.js';
import { Capture, longestGap } from './watch.js';

const INTERVAL_MS = 20;

test('repeat: interval kept, reload reaches the wire, priority 0 then silence at stop', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip', 'tcpdump')) return;
  const bench = new Bench();
  try {
    const conf = (prio: number, extraVip?: string) => {
      const text = confText({ version: 3, advertInt: INTERVAL_MS / 1000 }, 'a', prio);
      return extraVip ? text.replace('  virtual_ipaddress {', `  virtual_ipaddress {\n    ${extraVip}/24`) : text;
    };
    const a = bench.start('vipkeeper', 'a', conf(200), { logLevel: 'info' });
    assert.ok(await waitFor(() => bench.hasVip('a'), 15_000), a.output().slice(-2000));
    const b = bench.start('keepalived', 'b', confText({ version: 3, advertInt: INTERVAL_MS / 1000 }, 'b', 100));
    assert.ok(await waitFor(() => /Entering BACKUP STATE/.test(b.output()), 10_000), b.output().slice(-2000));
    const cap = new Capture(bench.client, bench.dir);
    await cap.started();
    const t0 = Date.now();
    await sleep(2000);
    // In place: priority 200 -> 150 (still above keepalived) and a second VIP.
    const t1 = Date.now();
    writeFileSync(join(bench.dir, 'vipkeeper-a-1.conf'), conf(150, '10.9.0.101'));
    a.proc.kill('SIGHUP');
    assert.ok(await waitFor(() => bench.hasVip('a', '10.9.0.101'), 5000), `the reload applied\n${a.output().slice(-2000)}`);
    await sleep(2000);
    const t2 = Date.now();
    assert.equal(await a.stop(), 0);
    await sleep(500);
    const adverts = (await cap.stop()).filter((x) => x.src === ADDR.a && x.vrid === 51);
    assert.ok(await vipOnlyOn(bench, 'b', 5000), 'keepalived took over after the stop');
    // Capture timestamps are the client's clock, Date.now() this one's: the same host, so comparable.
    const before = adverts.filter((x) => x.tsMs > t0 + 200 && x.tsMs < t1);
    const after = adverts.filter((x) => x.tsMs > t1 + 1000 && x.tsMs < t2);
    assert.ok(before.length >= 0.9 * (t1 - t0 - 200) / INTERVAL_MS, `${before.length} adverts in ${t1 - t0 - 200} ms at ${INTERVAL_MS} ms`);
    assert.ok(before.every((x) => x.priority === 200));
    assert.ok(after.length >= 0.9 * (t2 - t1 - 1000) / INTERVAL_MS, `${after.length} adverts after the reload`);
    assert.ok(after.every((x) => x.priority === 150), 'the new priority on the wire');
    const gap = longestGap(adverts, ADDR.a, 51, t0 + 200, t2);
    assert.ok(gap.gapMs < 5 * INTERVAL_MS, `longest gap ${gap.gapMs.toFixed(1)} ms`);
    assert.equal(adverts.at(-1)!.priority, 0, 'the last advert says priority 0');
    assert.ok(adverts.filter((x) => x.priority === 0).length >= 1);
    t.diagnostic(`adverts ${before.length} + ${after.length}, longest gap ${gap.gapMs.toFixed(1)} ms`);
  } finally { await bench.cleanup(); }
});

test('repeat: a stopped daemon is silent at once and keepalived takes over; resumed, it takes back the VIP', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip', 'tcpdump')) return;
  const bench = new Bench();
  try {
    const a = bench.start('vipkeeper', 'a', confText({ version: 3, advertInt: INTERVAL_MS / 1000 }, 'a', 200), { logLevel: 'info' });
    assert.ok(await waitFor(() => bench.hasVip('a'), 15_000), a.output().slice(-2000));
    const b = bench.start('keepalived', 'b', confText({ version: 3, advertInt: INTERVAL_MS / 1000 }, 'b', 100));
    assert.ok(await waitFor(() => /Entering BACKUP STATE/.test(b.output()), 10_000), b.output().slice(-2000));
    assert.ok(await vipOnlyOn(bench, 'a', 5000, 1000));
    const cap = new Capture(bench.client, bench.dir);
    await cap.started();
    await sleep(500);
    const stoppedAt = Date.now();
    process.kill(a.proc.pid!, 'SIGSTOP');
    let resumedAt = 0;
    try {
      assert.ok(await waitFor(() => /Entering MASTER STATE/.test(b.output()), 5000), `keepalived takes over\n${b.output().slice(-2000)}`);
      await sleep(300);
    } finally { resumedAt = Date.now(); process.kill(a.proc.pid!, 'SIGCONT'); }
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 1000), 'vipkeeper, higher, is master again and alone');
    const adverts = (await cap.stop()).filter((x) => x.src === ADDR.a && x.vrid === 51);
    const last = adverts.filter((x) => x.tsMs < resumedAt).at(-1)!;
    assert.ok(last.tsMs - stoppedAt < 2 * INTERVAL_MS, `the last advert ${(last.tsMs - stoppedAt).toFixed(0)} ms after SIGSTOP`);
    assert.ok(adverts.some((x) => x.tsMs > resumedAt && x.priority === 200), 'advertising again after SIGCONT');
    t.diagnostic(`last advert ${(last.tsMs - stoppedAt).toFixed(0)} ms after SIGSTOP, silent until SIGCONT ${resumedAt - stoppedAt} ms after it`);
    assert.equal(await a.stop(), 0);
  } finally { await bench.cleanup(); }
});
