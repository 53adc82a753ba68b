// TCP_CHECK against real sockets on loopback: a completed handshake passes and the socket is
// closed at once without a byte; refused and bindto/bind_port are seen as they are. The timeout
// needs a SYN that is never answered: as root, inside a namespace this test creates, it is sent
// on a veth to a MAC address nobody has, so the peer end drops it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import type { RealServer, TcpCheck, VirtualServer } from '../../../src/config/model.js';
import { connectFailure, tcpProbe } from '../../../src/check/tcp.js';
import type { CheckOutcome, CheckTarget } from '../../../src/check/checker.js';
import { needRoot, uniqueTag } from '../../support/privileged.js';
import { runNode } from '../../integration/net/ns-node.js';

function tcp(extra: Partial<TcpCheck> = {}): TcpCheck {
  return { type: 'TCP_CHECK', connectTimeoutMs: 2000, retry: 1, delayBeforeRetryMs: 1000, delayLoopMs: 60000, warmupMs: 0, alpha: false, ...extra };
}

async function probeOnce(c: TcpCheck, target: CheckTarget): Promise<CheckOutcome> {
  const p = tcpProbe(c, { vs: {} as VirtualServer, rs: {} as RealServer, target });
  try { return await p.run(); } finally { p.close(); }
}

interface Seen { remoteAddress?: string; remotePort?: number; bytes: number; closed: Promise<void> }

/** A listener on 127.0.0.1 that records each connection, the bytes it got and when it closed. */
async function listener(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((s: Socket) => {
    const rec: Seen = { remoteAddress: s.remoteAddress, remotePort: s.remotePort, bytes: 0, closed: new Promise((r) => s.on('close', () => r())) };
    s.on('data', (d) => { rec.bytes += d.length; });
    s.on('error', () => { /* the checker resets: expected */ });
    seen.push(rec);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  after(() => server.close());
  return { server, port: (server.address() as { port: number }).port, seen };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('a completed handshake passes; the checker closes at once without sending a byte', async () => {
  const l = await listener();
  const r = await probeOnce(tcp(), { address: '127.0.0.1', family: 4, port: l.port });
  assert.equal(r.ok, true, r.reason);
  assert.equal(r.code, 'ok');
  assert.ok(r.latencyMs >= 0 && r.latencyMs < 2000);
  // The server sees the connection end by itself (no server-side close needed), with no data.
  await Promise.race([l.seen[0]?.closed ?? Promise.reject(new Error('no connection seen')), new Promise((_, j) => setTimeout(() => j(new Error('not closed')), 3000))]);
  assert.equal(l.seen.length, 1);
  assert.equal(l.seen[0]!.bytes, 0);
});

test('a closed port is "connection refused by ADDR:PORT", code refused', async () => {
  const port = await freePort();
  const r = await probeOnce(tcp(), { address: '127.0.0.1', family: 4, port });
  assert.equal(r.ok, false);
  assert.equal(r.code, 'refused');
  assert.equal(r.reason, `connection refused by 127.0.0.1:${port}`);
});

test('bindto and bind_port are the source the server sees', async () => {
  const l = await listener();
  const port = await freePort();
  const r = await probeOnce(tcp({ bindTo: '127.0.0.2', bindPort: port }), { address: '127.0.0.1', family: 4, port: l.port });
  assert.equal(r.ok, true, r.reason);
  assert.equal(l.seen[0]!.remoteAddress, '127.0.0.2');
  assert.equal(l.seen[0]!.remotePort, port);
});

test('an unusable source is reported in words, never thrown', async () => {
  const l = await listener();
  const fam = await probeOnce(tcp({ bindTo: '::1' }), { address: '127.0.0.1', family: 4, port: l.port });
  assert.equal(fam.code, 'error');
  assert.match(fam.reason, /^bindto ::1 is IPv6 but the target 127\.0\.0\.1 is IPv4$/);
  // 192.0.2.1 (TEST-NET-1) is on no interface here: the bind fails before any packet is sent.
  const absent = await probeOnce(tcp({ bindTo: '192.0.2.1' }), { address: '127.0.0.1', family: 4, port: l.port });
  assert.equal(absent.ok, false);
  assert.equal(absent.code, 'error');
  assert.match(absent.reason, /^source address not available connecting to 127\.0\.0\.1:\d+$/);
  const badPort = await probeOnce(tcp(), { address: '127.0.0.1', family: 4, port: 70000 });
  assert.equal(badPort.ok, false);
  assert.equal(badPort.code, 'error');
  assert.equal(l.seen.length, 0);
});

test('connect errors in words: the shared vocabulary plus timeout and a busy bind_port', () => {
  const err = (code: string) => Object.assign(new Error(`${code} happened`), { code });
  const t: CheckTarget = { address: '10.0.0.5', family: 4, port: 80 };
  assert.deepEqual(connectFailure(err('ECONNRESET'), t, 1000), { reason: 'connection reset by 10.0.0.5:80', code: 'reset' });
  assert.deepEqual(connectFailure(err('ETIMEDOUT'), t, 1500), { reason: 'connect timeout after 1.5 s', code: 'timeout' });
  assert.deepEqual(connectFailure(err('EHOSTUNREACH'), { address: '2001:db8::5', family: 6, port: 80 }, 1000), { reason: 'host unreachable: [2001:db8::5]:80', code: 'unreachable' });
  assert.deepEqual(connectFailure(err('EADDRINUSE'), t, 1000), { reason: 'the source port (bind_port) is in use connecting to 10.0.0.5:80', code: 'error' });
  assert.equal(connectFailure('weird', t, 1000).code, 'error');
});

test('an unanswered SYN times out after connect_timeout, and close() ends a pending connect (namespace)', async (t) => {
  if (!needRoot(t, 'ip')) return;
  const ns = `vk-tcp-${uniqueTag()}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe', timeout: 10000 });
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', 'vk0', 'type', 'veth', 'peer', 'name', 'vk1');
    ip('-n', ns, 'addr', 'add', '192.0.2.1/24', 'dev', 'vk0');
    ip('-n', ns, 'link', 'set', 'vk0', 'up');
    ip('-n', ns, 'link', 'set', 'vk1', 'up');
    // A permanent neighbour with a MAC nobody has: the SYN reaches vk1 and is dropped as "other host".
    ip('-n', ns, 'neigh', 'add', '192.0.2.2', 'lladdr', '02:00:5e:00:53:99', 'dev', 'vk0', 'nud', 'permanent');
    const r = await runNode<{ tcp: CheckOutcome; took: number; closed: CheckOutcome; closedTook: number; http: CheckOutcome }>(ns, `
      const { tcpProbe } = await import('$SRC/check/tcp.ts');
      const { httpProbe } = await import('$SRC/check/http.ts');
      const common = { connectTimeoutMs: 1000, retry: 1, delayBeforeRetryMs: 1000, delayLoopMs: 60000, warmupMs: 0, alpha: false };
      const ctx = { vs: {}, rs: {}, target: { address: '192.0.2.2', family: 4, port: 80 } };
      let t0 = Date.now();
      const tcp = await tcpProbe({ type: 'TCP_CHECK', ...common }, ctx).run();
      const took = Date.now() - t0;
      const p = tcpProbe({ type: 'TCP_CHECK', ...common, connectTimeoutMs: 10000 }, ctx);
      t0 = Date.now();
      const pending = p.run();
      setTimeout(() => p.close(), 200);
      const closed = await pending;
      const closedTook = Date.now() - t0;
      const hp = httpProbe({ type: 'HTTP_GET', ...common, urls: [{ path: '/', statusCodes: [[200, 299]] }], httpProtocol: '1.0', enableSni: false }, ctx);
      const http = await hp.run();
      hp.close();
      console.log(JSON.stringify({ tcp, took, closed, closedTook, http }));
    `, { timeoutMs: 30000 });
    assert.equal(r.tcp.ok, false);
    assert.equal(r.tcp.code, 'timeout');
    assert.equal(r.tcp.reason, 'connect timeout after 1 s');
    assert.ok(r.took >= 900 && r.took < 4000, `took ${r.took} ms`);
    assert.equal(r.closed.code, 'closed');
    assert.ok(r.closedTook < 3000, `close took ${r.closedTook} ms`);
    assert.equal(r.http.code, 'timeout');
    assert.equal(r.http.reason, 'connect timeout after 1 s');
  } finally {
    try { ip('netns', 'del', ns); } catch { /* already gone */ }
  }
});
