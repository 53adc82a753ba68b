// keepalived interop for the per-instance options: nopreempt, preempt_delay, PASS authentication,
// the v3 checksum form (v3_checksum_as_v2) and IPv6 (ff02::12), in both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot } from '../../support/privileged.js';
import { Bench, confText, sleep, vipOnlyOn, waitFor, VIP6, type ConfOpts } from './support.js';
import { waitForAsync } from '../../support/wait.js';
import { vipkeeperStatus } from '../../support/vipkeeper-process.js';

const kinds = [['vipkeeper', 'keepalived'], ['keepalived', 'vipkeeper']] as const;

for (const [highKind, lowKind] of kinds) {
  test(`nopreempt: ${highKind} (higher, nopreempt) does not take over from ${lowKind}`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived')) return;
    const bench = new Bench();
    try {
      bench.start(lowKind, 'b', confText({ version: 3 }, 'b', 100));
      assert.ok(await vipOnlyOn(bench, 'b', 8000), 'the lower is master while alone');
      const hi = bench.start(highKind, 'a', confText({ version: 3, nopreempt: true }, 'a', 200));
      await waitFor(() => /BACKUP|Entering BACKUP/i.test(hi.output()), 8000);
      assert.ok(await vipOnlyOn(bench, 'b', 1000, 2500), `nopreempt: the VIP stays on the lower\n${hi.output().slice(-2000)}`);
      // Without its peer the nopreempt instance still takes over.
      bench.lan.setCable('b', false);
      assert.ok(await vipOnlyOn(bench, 'a', 8000), 'takes over when the master is gone');
    } finally { await bench.cleanup(); }
  });

  test(`preempt_delay: ${highKind} (higher) waits before preempting ${lowKind}`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived')) return;
    const bench = new Bench();
    try {
      bench.start(lowKind, 'b', confText({ version: 3 }, 'b', 100));
      assert.ok(await vipOnlyOn(bench, 'b', 8000));
      const hi = bench.start(highKind, 'a', confText({ version: 3, preemptDelay: 4 }, 'a', 200));
      // Once the higher runs as backup it must still leave the VIP alone for a while (4 s delay).
      assert.ok(await waitFor(() => /BACKUP/.test(hi.output()), 8000), hi.output());
      assert.ok(await vipOnlyOn(bench, 'b', 500, 1500), `no preemption before preempt_delay\n${hi.output().slice(-2000)}`);
      assert.ok(await vipOnlyOn(bench, 'a', 10_000), `preempts after preempt_delay\n${hi.output().slice(-2000)}`);
    } finally { await bench.cleanup(); }
  });

  test(`v2 PASS auth: ${highKind} vs ${lowKind} elect with the same password and ignore a wrong one`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived')) return;
    let bench = new Bench();
    try {
      bench.start(lowKind, 'b', confText({ version: 2, auth: 's3cr3t' }, 'b', 100));
      bench.start(highKind, 'a', confText({ version: 2, auth: 's3cr3t' }, 'a', 200));
      assert.ok(await vipOnlyOn(bench, 'a', 12_000, 2500), 'same password: one master');
    } finally { await bench.cleanup(); }
    bench = new Bench();
    try {
      bench.start(lowKind, 'b', confText({ version: 2, auth: 'right' }, 'b', 100));
      bench.start(highKind, 'a', confText({ version: 2, auth: 'wrong' }, 'a', 200));
      assert.ok(await waitFor(() => bench.hasVip('a') && bench.hasVip('b'), 12_000), 'wrong password: each ignores the other, both are master');
      await sleep(2500);
      assert.ok(bench.hasVip('a') && bench.hasVip('b'), 'and they stay so');
    } finally { await bench.cleanup(); }
  });

  test(`v3 IPv6 (ff02::12): ${highKind} (higher) vs ${lowKind}: election and graceful stop`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived')) return;
    const bench = new Bench(6);
    try {
      bench.start(lowKind, 'b', confText({ version: 3, family: 6 }, 'b', 100));
      const hi = bench.start(highKind, 'a', confText({ version: 3, family: 6 }, 'a', 200));
      assert.ok(await vipOnlyOn(bench, 'a', 10_000, 800, VIP6), `IPv6: the higher holds the VIP\n${hi.output().slice(-2000)}`);
      assert.ok(await waitFor(() => bench.clientNeighbour(VIP6) === bench.a.mac, 8000), 'client reaches the IPv6 VIP at the master MAC');
      await hi.stop();
      assert.ok(await vipOnlyOn(bench, 'b', 5000, 0, VIP6), 'graceful stop hands over');
      assert.ok(await waitFor(() => bench.clientNeighbour(VIP6) === bench.b.mac, 8000), 'unsolicited NA moved the client');
    } finally { await bench.cleanup(); }
  });
}

// keepalived 2.2.7 (Debian 12) does not know `v3_checksum_as_v2` ("Unknown keyword" from
// keepalived -t) and always uses the IPv4 pseudo-header. So the interop checks are: the default
// form interoperates (every v3 test above), the plain form really changes the wire (keepalived
// rejects it and vipkeeper drops keepalived's), and two vipkeepers in plain mode agree.
test('v3 checksum as v2: plain mode is rejected by keepalived 2.2.7 and vice versa', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'keepalived')) return;
  const bench = new Bench();
  try {
    const k = bench.start('keepalived', 'b', confText({ version: 3 }, 'b', 100));
    const v = bench.start('vipkeeper', 'a', confText({ version: 3, plainChecksum: true }, 'a', 200));
    assert.ok(await waitFor(() => bench.hasVip('a') && bench.hasVip('b'), 8000), 'different checksum forms: neither hears the other');
    assert.ok(await waitFor(() => /Invalid VRRPv3 checksum/.test(k.output()), 3000), 'keepalived names the checksum');
    // Counted in status, not the debug log: with CAP_BPF the kernel filter drops them before user space.
    let last: unknown;
    const counted = await waitForAsync(async () => {
      const s = await vipkeeperStatus(v.controlSocket!);
      last = s.instances?.[0]?.counters?.dropped;
      return (s.instances?.[0]?.counters?.dropped?.['bad-checksum'] ?? 0) > 0;
    }, 5000);
    assert.ok(counted, `vipkeeper counts bad-checksum drops (status: ${JSON.stringify(last)})`);
  } finally { await bench.cleanup(); }
});

test('v3 checksum as v2: two vipkeepers in plain mode elect one master', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'keepalived')) return;
  const bench = new Bench();
  try {
    const plain: ConfOpts = { version: 3, plainChecksum: true };
    const lo = bench.start('vipkeeper', 'b', confText(plain, 'b', 100));
    const hi = bench.start('vipkeeper', 'a', confText(plain, 'a', 200));
    const info = (l: string) => l.split('\n').filter((x) => !x.includes('"level":20')).join('\n').slice(-2000);
    assert.ok(await vipOnlyOn(bench, 'a', 8000, 800), `a: ${info(hi.output())}\nb: ${info(lo.output())}\nvip a=${bench.hasVip('a')} b=${bench.hasVip('b')}`);
    await hi.stop();
    assert.ok(await vipOnlyOn(bench, 'b', 5000), 'graceful stop in plain mode');
  } finally { await bench.cleanup(); }
});
