// HTTP_GET / SSL_GET against real servers on loopback (test/support/http-target.ts), as the daemon
// runs them (HTTP_GET through the addon's exchanges, SSL_GET and bindto through undici): status ranges, digests (also of chunked bodies), virtualhost,
// timeouts, early closes, redirects, bounded bodies, regex, TLS with SNI, bindto. Plus the pure
// matching helpers of http-match.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { HttpCheck, HttpUrl, RealServer, VirtualServer } from '../../../src/config/model.js';
import { httpProbe } from '../../../src/check/http.js';
import { BODY_CAP } from '../../../src/check/http-fetch.js';
import { bodyText, hostHeader, judgeUrl, statusMatches } from '../../../src/check/http-match.js';
import type { CheckOutcome, CheckTarget } from '../../../src/check/checker.js';
import { HttpTarget } from '../../support/http-target.js';

const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');

const servers: HttpTarget[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });
async function server(tls = false): Promise<HttpTarget> {
  const s = await HttpTarget.start({ tls });
  servers.push(s);
  return s;
}

function url(path: string, extra: Partial<HttpUrl> = {}): HttpUrl {
  return { path, statusCodes: [[200, 299]], ...extra };
}

function check(urls: HttpUrl[], extra: Partial<HttpCheck> = {}): HttpCheck {
  return {
    type: 'HTTP_GET', urls, httpProtocol: '1.0', enableSni: false,
    connectTimeoutMs: 2000, retry: 1, delayBeforeRetryMs: 3000, delayLoopMs: 60000, warmupMs: 0, alpha: false,
    ...extra,
  };
}

/** Runs one probe once against `s` (or an explicit target) and closes it. */
async function probeOnce(c: HttpCheck, s: HttpTarget | CheckTarget): Promise<CheckOutcome> {
  const target: CheckTarget = s instanceof HttpTarget ? { address: s.host, family: 4, port: s.port } : s;
  const p = httpProbe(c, { vs: {} as VirtualServer, rs: {} as RealServer, target });
  try { return await p.run(); } finally { p.close(); }
}

test('200 passes; the request carries keepalived\'s Host (ip:port) and User-Agent', async () => {
  const s = await server();
  const r = await probeOnce(check([url('/health')]), s);
  assert.equal(r.ok, true, r.reason);
  assert.equal(r.code, 'ok');
  assert.ok(r.latencyMs >= 0 && r.latencyMs < 2000);
  assert.equal(s.requests.length, 1);
  assert.equal(s.requests[0]!.path, '/health');
  assert.equal(s.requests[0]!.method, 'GET');
  assert.equal(s.requests[0]!.host, `127.0.0.1:${s.port}`);
  assert.equal(s.requests[0]!.headers['user-agent'], 'KeepAliveClient');
  assert.equal(s.requests[0]!.headers.connection, 'close');
});

test('HTTP_GET writes keepalived\'s request line: HTTP/1.0, or HTTP/1.1 for http_protocol 1.1', async () => {
  const s = await server();
  assert.equal((await probeOnce(check([url('/a')]), s)).ok, true);
  assert.equal((await probeOnce(check([url('/b')], { httpProtocol: '1.0C' }), s)).ok, true);
  assert.equal((await probeOnce(check([url('/c')], { httpProtocol: '1.1' }), s)).ok, true);
  assert.deepEqual(s.requests.map((q) => [q.path, q.httpVersion, q.headers.connection]), [['/a', '1.0', 'close'], ['/b', '1.0', 'close'], ['/c', '1.1', 'close']]);
});

test('503 fails with the status and the path in words', async () => {
  const s = (await server()).route('/health', { kind: 'reply', status: 503, body: 'down' });
  const r = await probeOnce(check([url('/health')]), s);
  assert.equal(r.ok, false);
  assert.equal(r.code, 'status');
  assert.equal(r.reason, 'HTTP 503 on /health');
});

test('status_code ranges decide: 503 accepted when listed, 200 refused when not', async () => {
  const s = (await server()).route('/maint', { kind: 'reply', status: 503 });
  assert.equal((await probeOnce(check([url('/maint', { statusCodes: [[200, 299], [503, 503]] })]), s)).ok, true);
  const r = await probeOnce(check([url('/', { statusCodes: [[300, 399]] })]), s);
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'HTTP 200 on /');
});

test('digest: MD5 of the body matches, a different body is a digest mismatch', async () => {
  const body = '<html>vipkeeper</html>\n';
  const s = (await server()).route('/index.html', { kind: 'reply', body });
  assert.equal((await probeOnce(check([url('/index.html', { digest: md5(body) })]), s)).ok, true);
  assert.equal((await probeOnce(check([url('/index.html', { digest: md5(body).toUpperCase() })]), s)).ok, true, 'hex case does not matter');
  const r = await probeOnce(check([url('/index.html', { digest: md5(`${body}x`) })]), s);
  assert.equal(r.ok, false);
  assert.equal(r.code, 'digest');
  assert.equal(r.reason, 'digest mismatch on /index.html');
});

test('digest of a chunked body is the MD5 of the payload, not of the chunk framing', async () => {
  const body = Buffer.from('first part, second part, third part of a chunked page');
  const s = (await server()).route('/chunked', { kind: 'reply', body, chunked: true });
  // Prove the server really chunks: read the raw response once.
  const raw = await new Promise<string>((resolve, reject) => {
    const sock = connect(s.port, '127.0.0.1', () => sock.end(`GET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = '';
    sock.on('data', (d) => { text += d.toString('latin1'); });
    sock.on('end', () => resolve(text));
    sock.on('error', reject);
  });
  assert.match(raw, /transfer-encoding: chunked/i);
  const r = await probeOnce(check([url('/chunked', { digest: md5(body) })]), s);
  assert.equal(r.ok, true, r.reason);
});

test('virtualhost: the url\'s wins over the checker\'s, and is what the server sees as Host', async () => {
  const s = await server();
  await probeOnce(check([url('/a', { virtualhost: 'url.example' }), url('/b')], { virtualhost: 'checker.example' }), s);
  assert.deepEqual(s.requests.map((q) => q.host), ['url.example', 'checker.example']);
});

test('a server that never answers fails as a timeout within the timeout and a margin', async () => {
  const s = (await server()).route('/hang', { kind: 'hang' });
  const t0 = Date.now();
  const r = await probeOnce(check([url('/hang')], { connectTimeoutMs: 1000 }), s);
  const took = Date.now() - t0;
  assert.equal(r.ok, false);
  assert.equal(r.code, 'timeout');
  assert.equal(r.reason, 'response timeout after 1 s on /hang');
  assert.ok(took >= 900 && took < 3500, `took ${took} ms`);
});

test('a slow-dripping body is bounded by the same overall timeout', async () => {
  const s = (await server()).route('/drip', { kind: 'drip', everyMs: 100 });
  const t0 = Date.now();
  const r = await probeOnce(check([url('/drip', { digest: md5('x') })], { connectTimeoutMs: 1000 }), s);
  assert.equal(r.code, 'timeout', r.reason);
  assert.ok(Date.now() - t0 < 3500);
});

test('the server closing early: before the status line, and in the middle of a Content-Length body', async () => {
  const s = (await server()).route('/close', { kind: 'close' }).route('/short', { kind: 'short', length: 1000, sent: 10 });
  const a = await probeOnce(check([url('/close')]), s);
  assert.equal(a.ok, false);
  assert.equal(a.code, 'reset', a.reason);
  assert.match(a.reason, /on \/close$/);
  const b = await probeOnce(check([url('/short')]), s);
  assert.equal(b.ok, false);
  assert.equal(b.code, 'reset', b.reason);
  assert.match(b.reason, /on \/short$/);
});

test('redirects are judged by their status, never followed', async () => {
  const s = (await server()).route('/old', { kind: 'redirect', location: '/new' });
  const r = await probeOnce(check([url('/old')]), s);
  assert.equal(r.reason, 'HTTP 301 on /old');
  assert.equal((await probeOnce(check([url('/old', { statusCodes: [[301, 302]] })]), s)).ok, true);
  assert.deepEqual(s.requests.map((q) => q.path), ['/old', '/old']);
});

test('an endless body: fails as body-too-large when hashed, passes on status when not; reading stops either way', async () => {
  const s = (await server()).route('/stream', { kind: 'endless' });
  const t0 = Date.now();
  const a = await probeOnce(check([url('/stream', { digest: md5('') })], { connectTimeoutMs: 5000 }), s);
  assert.equal(a.ok, false);
  assert.equal(a.code, 'body-too-large');
  assert.equal(a.reason, 'body larger than 1 MiB on /stream');
  const b = await probeOnce(check([url('/stream')], { connectTimeoutMs: 5000 }), s);
  assert.equal(b.ok, true, b.reason);
  const c = await probeOnce(check([url('/stream', { regex: 'never-there' })], { connectTimeoutMs: 5000 }), s);
  assert.equal(c.code, 'body-too-large');
  // Well before the 5 s timeout, so the client stopped at the cap rather than timing out.
  assert.ok(Date.now() - t0 < 9000, `took ${Date.now() - t0} ms`);
  await new Promise((r) => setTimeout(r, 100));
  // The server could only write what the client's reads and the socket buffers took.
  assert.ok(s.streamed < 3 * (BODY_CAP + 16 * 1024 * 1024), `server streamed ${s.streamed} bytes`);
});

test('regex must match; regex_no_match inverts', async () => {
  const s = (await server()).route('/status', { kind: 'reply', body: 'service: OK\nqueue: 3\n' });
  assert.equal((await probeOnce(check([url('/status', { regex: '^queue: \\d+$' })]), s)).ok, false, 'no multiline flag, as PCRE2 by default');
  assert.equal((await probeOnce(check([url('/status', { regex: 'service: OK' })]), s)).ok, true);
  const miss = await probeOnce(check([url('/status', { regex: 'service: DOWN' })]), s);
  assert.equal(miss.code, 'regex');
  assert.equal(miss.reason, 'regex did not match on /status');
  assert.equal((await probeOnce(check([url('/status', { regex: 'ERROR', regexNoMatch: true })]), s)).ok, true);
  const inv = await probeOnce(check([url('/status', { regex: 'OK', regexNoMatch: true })]), s);
  assert.equal(inv.code, 'regex');
  assert.match(inv.reason, /^regex matched on \/status/);
  const bad = await probeOnce(check([url('/status', { regex: '(' })]), s);
  assert.equal(bad.ok, false);
  assert.match(bad.reason, /^invalid regex/);
});

test('every url must pass, in order, and the check stops at the first failure', async () => {
  const s = (await server()).route('/b', { kind: 'reply', status: 500 });
  const r = await probeOnce(check([url('/a'), url('/b'), url('/c')]), s);
  assert.equal(r.reason, 'HTTP 500 on /b');
  assert.deepEqual(s.requests.map((q) => q.path), ['/a', '/b']);
});

test('each check opens a new connection (no keep-alive between checks)', async () => {
  const s = await server();
  const p = httpProbe(check([url('/')]), { vs: {} as VirtualServer, rs: {} as RealServer, target: { address: '127.0.0.1', family: 4, port: s.port } });
  try {
    assert.equal((await p.run()).ok, true);
    assert.equal((await p.run()).ok, true);
    assert.equal((await p.run()).ok, true);
  } finally { p.close(); }
  assert.equal(s.connections, 3);
  assert.equal(new Set(s.requests.map((q) => q.remotePort)).size, 3);
});

test('connection refused is a refused outcome, not an exception', async () => {
  const port = await freePort();
  const r = await probeOnce(check([url('/')]), { address: '127.0.0.1', family: 4, port });
  assert.equal(r.ok, false);
  assert.equal(r.code, 'refused');
  assert.equal(r.reason, `connection refused by 127.0.0.1:${port}`);
});

test('close() settles an in-flight check as failed at once', async () => {
  const s = (await server()).route('/hang', { kind: 'hang' });
  const p = httpProbe(check([url('/hang')], { connectTimeoutMs: 10000 }), { vs: {} as VirtualServer, rs: {} as RealServer, target: { address: '127.0.0.1', family: 4, port: s.port } });
  const t0 = Date.now();
  const pending = p.run();
  setTimeout(() => p.close(), 200);
  const r = await pending;
  assert.equal(r.ok, false);
  assert.equal(r.code, 'closed');
  assert.ok(Date.now() - t0 < 3000);
});

test('SSL_GET: a self-signed server passes (no verification), with no SNI unless enable_sni', async () => {
  const s = await server(true);
  const plain = await probeOnce(check([url('/')], { type: 'SSL_GET', virtualhost: 'www.example.com' }), s);
  assert.equal(plain.ok, true, plain.reason);
  assert.equal(s.requests[0]!.servername, false, 'no SNI without enable_sni, even with a virtualhost');
  assert.equal(s.requests[0]!.host, 'www.example.com');
  const sni = await probeOnce(check([url('/')], { type: 'SSL_GET', virtualhost: 'www.example.com', enableSni: true }), s);
  assert.equal(sni.ok, true, sni.reason);
  assert.equal(s.requests[1]!.servername, 'www.example.com');
  await probeOnce(check([url('/')], { type: 'SSL_GET', virtualhost: 'www.example.com', enableSni: true, sniName: 'sni.example' }), s);
  assert.equal(s.requests[2]!.servername, 'sni.example');
  assert.equal(s.requests[2]!.host, 'www.example.com');
});

test('SSL_GET against a server that answers in plain HTTP fails as a TLS error', async () => {
  // What an HTTP server does with a ClientHello: a 400 in clear text, then close.
  const plain = createServer((sock) => sock.once('data', () => sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
  after(() => plain.close());
  const r = await probeOnce(check([url('/')], { type: 'SSL_GET' }), { address: '127.0.0.1', family: 4, port: (plain.address() as { port: number }).port });
  assert.equal(r.ok, false);
  assert.equal(r.code, 'tls', r.reason);
  assert.match(r.reason, /^TLS with 127\.0\.0\.1:\d+ failed: \S/);
});

test('bindto: the server sees the check coming from 127.0.0.2; a wrong-family bindto is reported', async () => {
  const s = await server();
  assert.equal((await probeOnce(check([url('/')], { bindTo: '127.0.0.2' }), s)).ok, true);
  assert.equal(s.requests[0]!.remoteAddress, '127.0.0.2');
  const r = await probeOnce(check([url('/')], { bindTo: '::1' }), s);
  assert.equal(r.ok, false);
  assert.equal(r.code, 'error');
  assert.match(r.reason, /bindto ::1 is IPv6 but the target 127\.0\.0\.1 is IPv4/);
  assert.equal(s.requests.length, 1);
});

test('IPv6: the probe reaches [::1] and sends Host as [::1]:port', async () => {
  const s = await HttpTarget.start({ host: '::1' });
  servers.push(s);
  const r = await probeOnce(check([url('/')]), { address: '::1', family: 6, port: s.port });
  assert.equal(r.ok, true, r.reason);
  assert.equal(s.requests[0]!.host, `[::1]:${s.port}`);
});

test('pure helpers: status ranges, Host for IPv6, body text, judgement order', () => {
  assert.equal(statusMatches([[200, 299], [404, 404]], 404), true);
  assert.equal(statusMatches([[200, 299]], 300), false);
  assert.equal(hostHeader(undefined, { address: '2001:db8::1', family: 6, port: 8080 }), '[2001:db8::1]:8080');
  assert.equal(hostHeader('h.example', { address: '10.0.0.1', family: 4, port: 80 }), 'h.example');
  assert.equal(bodyText(Buffer.from('caf\u00e9', 'utf8')), 'caf\u00e9');
  assert.equal(bodyText(Buffer.from([0x63, 0xe9, 0xff])), 'c\u00e9\u00ff', 'invalid UTF-8 falls back to latin1');
  // Status is judged before the digest, as keepalived does.
  assert.equal(judgeUrl(url('/', { digest: md5('a') }), { status: 500, md5: md5('b') })?.code, 'status');
  assert.equal(judgeUrl(url('/', { digest: md5('a') }), { status: 200, md5: md5('a') }), undefined);
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
