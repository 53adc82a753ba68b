// The real probe factory the composition root builds: every checker type gets its probe, the one
// pinger is shared and closed with the factory, and a checker that cannot run fails with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createProbes } from '../../../src/check/factory.js';
import { targetOf } from '../../../src/check/checker.js';
import type { Checker } from '../../../src/config/model.js';
import type { Pinger, PingOptions } from '../../../src/check/icmp-pinger.js';
import { FakeScripts } from '../../../src/ports/fake/scripts.js';
import { realServer, tcpCheck, virtualServer } from '../../support/fake-director.js';

function ctx(check: Checker, address = '127.0.0.1', port = 80) {
  const rs = realServer(address, { port, checkers: [check] });
  return { vs: virtualServer('10.0.0.1', [rs]), rs, target: targetOf(check, rs) };
}

test('TCP_CHECK: a listening loopback port is up, a closed one is down (refused)', async () => {
  const srv = createServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  const probes = createProbes({ scripts: new FakeScripts(), files: { read: () => undefined } });
  const check = tcpCheck({ connectTimeoutMs: 1000 });
  const up = await probes.factory(check, ctx(check, '127.0.0.1', port)).run();
  assert.equal(up.ok, true, up.reason);
  await new Promise((r) => srv.close(r));
  const down = await probes.factory(check, ctx(check, '127.0.0.1', port)).run();
  assert.equal(down.ok, false);
  assert.equal(down.code, 'refused', down.reason);
  probes.close();
});

test('MISC_CHECK runs its argv through the script runner; FILE_CHECK reads the file port', async () => {
  const scripts = new FakeScripts();
  scripts.program = (spec) => ({ code: spec.argv[1] === 'ok' ? 0 : 1 });
  const files = { read: (p: string) => (p === '/run/w' ? '1\n' : undefined) };
  const probes = createProbes({ scripts, files });
  const misc = { ...tcpCheck(), type: 'MISC_CHECK', script: { argv: ['/bin/check', 'ok'] }, miscTimeoutMs: 1000, dynamic: false } as Checker;
  assert.equal((await probes.factory(misc, ctx(misc)).run()).ok, true);
  assert.deepEqual(scripts.runs[0]!.spec.argv, ['/bin/check', 'ok']);
  // weight 0: a non-zero value in the file means down (keepalived's track_file rule).
  const file = { ...tcpCheck(), type: 'FILE_CHECK', trackFile: 'w', path: '/run/w', weight: 0, reverse: false } as Checker;
  const r = await probes.factory(file, ctx(file)).run();
  assert.equal(r.ok, false, r.reason);
  assert.match(r.reason, /\/run\/w holds 1/);
  probes.close();
});

test('PING_CHECK probes share one pinger, created on first use and closed with the factory', async () => {
  let made = 0, closed = 0;
  const pings: string[] = [];
  const pinger = (): Pinger => {
    made++;
    return { ping: (t: string, _o: PingOptions) => { pings.push(t); return Promise.resolve({ ok: true as const, rttMs: 1 }); }, close: () => { closed++; } };
  };
  const probes = createProbes({ scripts: new FakeScripts(), files: { read: () => undefined }, pinger });
  const ping = { ...tcpCheck(), type: 'PING_CHECK' } as Checker;
  assert.equal(made, 0);
  const a = probes.factory(ping, ctx(ping, '10.0.1.1'));
  const b = probes.factory(ping, ctx(ping, '10.0.1.2'));
  assert.equal((await a.run()).ok, true);
  assert.equal((await b.run()).ok, true);
  assert.equal(made, 1);
  assert.deepEqual(pings, ['10.0.1.1', '10.0.1.2']);
  probes.close();
  assert.equal(closed, 1);
});

test('every checker type of the model gets a probe that settles', async () => {
  const probes = createProbes({ scripts: Object.assign(new FakeScripts(), { program: () => ({ code: 0 }) }), files: { read: () => '1' }, pinger: () => ({ ping: async () => ({ ok: true as const, rttMs: 1 }), close() {} }) });
  const base = tcpCheck({ connectTimeoutMs: 300 });
  const checks = [
    base,
    { ...base, type: 'HTTP_GET', urls: [{ path: '/', statusCodes: [[200, 299]] }], httpProtocol: '1.0', enableSni: false },
    { ...base, type: 'SSL_GET', urls: [{ path: '/', statusCodes: [[200, 299]] }], httpProtocol: '1.0', enableSni: false },
    { ...base, type: 'PING_CHECK' },
    { ...base, type: 'MISC_CHECK', script: { argv: ['/bin/true'] }, miscTimeoutMs: 300, dynamic: false },
    { ...base, type: 'UDP_CHECK', requireReply: false, minReplyLength: 0, maxReplyLength: 0 },
    { ...base, type: 'DNS_CHECK', queryType: 'SOA', name: '.' },
    { ...base, type: 'SMTP_CHECK' },
    { ...base, type: 'FILE_CHECK', trackFile: 'f', path: '/f', weight: 1, reverse: false },
    { ...base, type: 'GRPC_CHECK', service: '', tls: false },
  ] as Checker[];
  // Port 9 (discard) on loopback: nothing listens; every network probe fails fast or times out.
  const outs = await Promise.all(checks.map((c) => { const p = probes.factory(c, ctx(c, '127.0.0.1', 9)); return p.run().finally(() => p.close()); }));
  outs.forEach((o, i) => {
    assert.equal(typeof o.ok, 'boolean', checks[i]!.type);
    assert.ok(o.reason.length > 0, checks[i]!.type);
    assert.doesNotMatch(o.reason, /no probe for|cannot run/, `${checks[i]!.type}: ${o.reason}`);
  });
  probes.close();
});
