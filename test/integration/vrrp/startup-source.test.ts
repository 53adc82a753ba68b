// Start-up waits for a usable source: an IPv6 instance whose link-local address is still in
// duplicate address detection stays in INIT (logged with the reason) instead of declaring MASTER
// with adverts that fail (EADDRNOTAVAIL); once DAD is over it starts its Master_Down wait and,
// with a keepalived peer at a lower priority, takes over cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot } from '../../support/privileged.js';
import { Bench, confText, vipOnlyOn, waitFor, VIP6 } from './support.js';

test('IPv6: a tentative link-local keeps the instance in INIT until DAD ends; no EADDRNOTAVAIL, one master', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip', 'sysctl')) return;
  const bench = new Bench(6);
  try {
    bench.start('keepalived', 'b', confText({ version: 3, family: 6, advertInt: 1 }, 'b', 100));
    assert.ok(await vipOnlyOn(bench, 'b', 15_000, 0, VIP6), 'keepalived is master first');
    // DAD on for a's interface: bouncing the link makes its link-local tentative for ~3 s.
    bench.a.run('sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=1', 'net.ipv6.conf.eth0.dad_transmits=3');
    bench.a.run('ip', 'link', 'set', 'eth0', 'down');
    bench.a.run('ip', 'link', 'set', 'eth0', 'up');
    const tentative = () => /tentative/.test(bench.a.run('ip', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'));
    assert.ok(tentative(), 'the link-local address is tentative now');
    const d = bench.start('vipkeeper', 'a', confText({ version: 3, family: 6, advertInt: 1 }, 'a', 200));
    assert.ok(await waitFor(() => /staying in INIT until it can send/.test(d.output()), 10_000), d.output().slice(-2000));
    assert.match(d.output(), /"reason":"link-local address fe80:[^"]* on eth0 is tentative/);
    assert.ok(await waitFor(() => /source address usable: leaving INIT/.test(d.output()), 15_000), `${d.output().slice(-4000)}\n${bench.a.run("ip", "-6", "addr", "show", "dev", "eth0")}`);
    assert.ok(!tentative(), 'INIT was left only after DAD');
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 1000, VIP6), `the higher priority takes over\n${d.output().slice(-2000)}`);
    assert.ok(!/EADDRNOTAVAIL/.test(d.output()), 'no advert failed for want of a source');
    assert.ok(!/"to":"MASTER"[^\n]*"reason":"(startup|master-down)"/.test(d.output().split('source address usable')[0]!), 'no MASTER before the source was usable');
    assert.equal(await d.stop(), 0);
  } finally { await bench.cleanup(); }
});
