// PING_CHECK over the real raw sockets, inside namespaces this test builds: host `a` runs the
// pinger; host `b` answers echoes and, as a router, answers for two prefixes it has unreachable
// routes to (ICMP / ICMPv6 destination unreachable quoting our echo); 10.9.0.3 is nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNode, withLan } from '../net/ns-node.js';

const pingAll = (targets: Array<{ address: string; timeoutMs: number }>) => `
  import { IcmpPinger, openRawEchoSocket } from '$SRC/check/icmp-pinger.ts';
  import { pingProbe } from '$SRC/check/ping.ts';
  const opened = [];
  const pinger = new IcmpPinger((family, bind, onMessage, onError) => { opened.push(family); return openRawEchoSocket(family, bind, onMessage, onError); });
  const targets = ${JSON.stringify(targets)};
  const t0 = performance.now();
  const results = await Promise.all(targets.map(async ({ address, timeoutMs }) => {
    const check = { type: 'PING_CHECK', connectTimeoutMs: timeoutMs, retry: 1, delayBeforeRetryMs: 1000, delayLoopMs: 60000, warmupMs: 0, alpha: false };
    const probe = pingProbe(check, { vs: {}, rs: {}, target: { address, family: address.includes(':') ? 6 : 4, port: 0 } }, pinger);
    const o = await probe.run();
    return { address, ok: o.ok, code: o.code, reason: o.reason, latencyMs: o.latencyMs, at: performance.now() - t0 };
  }));
  // The same pinger again, one after the other: the shared sockets are reused.
  const again = await pinger.ping('10.9.0.2', { timeoutMs: 2000 });
  // bindto / bind_if: a socket of their own.
  const bound = await pinger.ping('10.9.0.2', { timeoutMs: 2000, bindTo: '10.9.0.1', bindIf: 'eth0' });
  const foreign = await pinger.ping('10.9.0.2', { timeoutMs: 2000, bindTo: '192.0.2.1' });
  pinger.close();
  console.log(JSON.stringify({ results, opened, again, bound, foreign }));`;

test('PING_CHECK in namespaces: replies, ICMP unreachables from a router, local unreachable routes, silence, concurrently', async (t) => {
  await withLan(t, ['ip', 'sysctl'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24', 'fd00:9::1/64']);
    const b = lan.addHost('b', ['10.9.0.2/24', 'fd00:9::2/64']);
    b.run('sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
    b.run('ip', 'route', 'add', 'unreachable', '203.0.113.0/24');
    b.run('ip', '-6', 'route', 'add', 'unreachable', '2001:db8:dead::/48');
    a.run('ip', 'route', 'add', '203.0.113.0/24', 'via', '10.9.0.2');
    a.run('ip', '-6', 'route', 'add', '2001:db8:dead::/48', 'via', 'fd00:9::2');
    a.run('ip', 'route', 'add', 'unreachable', '198.51.100.0/24');

    const targets = [
      { address: '10.9.0.2', timeoutMs: 3000 },
      { address: 'fd00:9::2', timeoutMs: 3000 },
      { address: '::1', timeoutMs: 3000 },
      { address: '127.0.0.1', timeoutMs: 3000 },
      { address: '203.0.113.7', timeoutMs: 5000 },
      { address: '2001:db8:dead::7', timeoutMs: 5000 },
      { address: '198.51.100.7', timeoutMs: 5000 },
      { address: '10.9.0.3', timeoutMs: 1200 },
    ];
    const got = await runNode<{ results: Array<{ address: string; ok: boolean; code: string; reason: string; latencyMs: number; at: number }>; opened: number[]; again: { ok: boolean }; bound: { ok: boolean }; foreign: { ok: boolean; reason?: string } }>(
      a.ns, pingAll(targets), { timeoutMs: 30000 });
    for (const r of got.results) t.diagnostic(`${r.address}: ${r.code}, ${r.reason} (settled at ${Math.round(r.at)} ms)`);
    const by = Object.fromEntries(got.results.map((r) => [r.address, r]));
    for (const ok of ['10.9.0.2', 'fd00:9::2', '::1', '127.0.0.1']) {
      assert.equal(by[ok]!.ok, true, `${ok}: ${by[ok]!.reason}`);
      assert.match(by[ok]!.reason, new RegExp(`^echo reply from ${ok.replace(/\./g, '\\.')} in `));
    }
    assert.deepEqual([by['203.0.113.7']!.ok, by['203.0.113.7']!.code, by['203.0.113.7']!.reason], [false, 'unreachable', 'host unreachable (ICMP from 10.9.0.2)']);
    assert.equal(by['2001:db8:dead::7']!.code, 'unreachable', by['2001:db8:dead::7']!.reason);
    assert.match(by['2001:db8:dead::7']!.reason, /^no route to destination \(ICMPv6 from fd00:9::2\)$/);
    assert.equal(by['198.51.100.7']!.code, 'unreachable', by['198.51.100.7']!.reason);
    assert.match(by['198.51.100.7']!.reason, /^send to 198\.51\.100\.7 failed: (EHOSTUNREACH \(no route to host\)|ENETUNREACH \(network is unreachable\))$/);
    for (const fast of ['203.0.113.7', '2001:db8:dead::7', '198.51.100.7']) {
      assert.ok(by[fast]!.at < 4000, `${fast} failed on the ICMP error (${by[fast]!.at} ms), not at its 5 s timeout`);
    }
    assert.deepEqual([by['10.9.0.3']!.ok, by['10.9.0.3']!.code, by['10.9.0.3']!.reason], [false, 'timeout', 'no echo reply within 1.2 s']);
    assert.deepEqual(got.opened.slice(0, 2).sort(), [4, 6], 'one raw socket per family for all eight concurrent probes');
    assert.equal(got.again.ok, true);
    assert.equal(got.bound.ok, true, JSON.stringify(got.bound));
    assert.deepEqual(got.opened.slice(2), [4, 4], 'the reused sockets opened nothing; each binding opened its own');
    assert.equal(got.foreign.ok, false);
    assert.match(got.foreign.reason ?? '', /cannot open ICMP socket: bind 192\.0\.2\.1: EADDRNOTAVAIL/);
  });
});

test('PING_CHECK needs CAP_NET_RAW: without it the probe fails in words instead of crashing', async (t) => {
  await withLan(t, ['ip', 'setpriv'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const got = await runNode<{ ok: boolean; code: string; reason: string }>(a.ns, `
      import { IcmpPinger } from '$SRC/check/icmp-pinger.ts';
      const p = new IcmpPinger();
      const r = await p.ping('127.0.0.1', { timeoutMs: 1000 });
      p.close();
      console.log(JSON.stringify(r));`, { asUser: 65534, timeoutMs: 20000 });
    assert.equal(got.ok, false);
    assert.equal(got.code, 'error');
    assert.match(got.reason, /cannot open ICMP socket: .*EPERM/);
  });
});
