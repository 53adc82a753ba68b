// GRPC_CHECK against a node:http2 server the test starts on loopback that implements
// grpc.health.v1.Health/Check by hand with the codec: SERVING, NOT_SERVING, SERVICE_UNKNOWN,
// trailers-only UNIMPLEMENTED, a hang, a non-gRPC answer, over h2c and over TLS with a self-signed
// certificate made at test time, and the session closed after every check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createSecureServer, createServer, type Http2SecureServer, type Http2Server, type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { grpcProbe, grpcVerdict } from '../../../src/check/grpc.js';
import {
  decodeHealthCheckRequest, encodeHealthCheckResponse, frameMessage, unframeMessages,
} from '../../../src/codec/grpc-health.js';
import type { GrpcCheck } from '../../../src/config/model.js';
import { waitFor } from '../../support/wait.js';
import { common, probeContext } from './probe-fixtures.js';

interface Seen { headers: IncomingHttpHeaders; service: string; servername?: string | false | null }

/** The health service: the answer depends on the service name asked for. */
function healthHandler(seen: Seen[]) {
  return (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => { /* the probe may reset a hung stream */ });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const msgs = unframeMessages(new Uint8Array(Buffer.concat(chunks)));
      const req = msgs.ok && msgs.value.length === 1 ? decodeHealthCheckRequest(msgs.value[0]!) : { ok: false as const, error: 'bad frame' };
      const service = req.ok ? req.value : `<${req.error}>`;
      const socket = stream.session?.socket as TLSSocket | undefined;
      seen.push({ headers, service, servername: socket?.servername });
      const answer = (status: number) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from(frameMessage(encodeHealthCheckResponse(status))));
      };
      switch (service) {
        case '': case 'ok': answer(1); break;
        case 'down': answer(2); break;
        case 'who': answer(3); break;
        case 'unknown': answer(0); break;
        case 'unimplemented':
          // Trailers-only: grpc-status in the one HEADERS frame, which ends the stream.
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown%20service%20x' }, { endStream: true });
          break;
        case 'not-grpc': stream.respond({ ':status': 404, 'content-type': 'text/plain' }); stream.end('no'); break;
        case 'hang': break;
        default: stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3' }, { endStream: true });
      }
    });
  };
}

interface Running<S> { server: S; port: number; seen: Seen[]; openSessions: () => number }

async function start<S extends Http2Server | Http2SecureServer>(server: S, host = '127.0.0.1'): Promise<Running<S>> {
  const seen: Seen[] = [];
  let open = 0;
  server.on('stream', healthHandler(seen));
  server.on('session', (s) => { open++; s.on('close', () => { open--; }); s.on('error', () => { /* probe went away */ }); });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, port: (server.address() as AddressInfo).port, seen, openSessions: () => open };
}

function stop(r: Running<Http2Server | Http2SecureServer> | undefined): void {
  if (!r) return;
  r.server.close();
}

function grpc(over: Partial<GrpcCheck> = {}): GrpcCheck {
  return { ...common({ connectTimeoutMs: 3000 }), type: 'GRPC_CHECK', service: '', tls: false, ...over };
}

async function probeOnce(port: number, check: GrpcCheck, address = '127.0.0.1') {
  const p = grpcProbe(check, probeContext({ address, family: address.includes(':') ? 6 : 4, port }));
  try { return await p.run(); } finally { p.close(); }
}

let h2c: Running<Http2Server> | undefined;
let tlsDir: string | undefined;
let h2s: Running<Http2SecureServer> | undefined;

before(async () => {
  h2c = await start(createServer());
  tlsDir = mkdtempSync(join(tmpdir(), 'vk-grpc-'));
  const key = join(tlsDir, 'key.pem');
  const cert = join(tlsDir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert],
    { timeout: 60_000, killSignal: 'SIGKILL', stdio: ['ignore', 'ignore', 'pipe'] });
  assert.equal(r.status, 0, `openssl: ${r.error?.message ?? r.stderr?.toString()}`);
  h2s = await start(createSecureServer({ key: readFileSync(key), cert: readFileSync(cert) }));
});

after(() => {
  stop(h2c);
  stop(h2s);
  if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
});

test('h2c: SERVING is up; the request is a proper gRPC call', async () => {
  const r = await probeOnce(h2c!.port, grpc());
  assert.deepEqual({ ok: r.ok, code: r.code, reason: r.reason }, { ok: true, code: 'ok', reason: 'gRPC SERVING' });
  const s = h2c!.seen.at(-1)!;
  assert.equal(s.service, '');
  assert.equal(s.headers[':method'], 'POST');
  assert.equal(s.headers[':path'], '/grpc.health.v1.Health/Check');
  assert.equal(s.headers[':authority'], `127.0.0.1:${h2c!.port}`);
  assert.equal(s.headers[':scheme'], 'http');
  assert.equal(s.headers['content-type'], 'application/grpc');
  assert.equal(s.headers.te, 'trailers');
  assert.match(String(s.headers['grpc-timeout']), /^\d+m$/);
  const named = await probeOnce(h2c!.port, grpc({ service: 'ok' }));
  assert.equal(named.ok, true);
  assert.equal(named.reason, 'gRPC SERVING for service "ok"');
  assert.equal(h2c!.seen.at(-1)!.service, 'ok', 'the server decoded the service name the probe encoded');
});

test('NOT_SERVING, SERVICE_UNKNOWN and UNKNOWN are down with the status name', async () => {
  const down = await probeOnce(h2c!.port, grpc({ service: 'down' }));
  assert.deepEqual({ ok: down.ok, code: down.code, reason: down.reason }, { ok: false, code: 'not-serving', reason: 'gRPC status NOT_SERVING for service "down"' });
  const who = await probeOnce(h2c!.port, grpc({ service: 'who' }));
  assert.deepEqual({ ok: who.ok, code: who.code }, { ok: false, code: 'not-serving' });
  assert.match(who.reason, /SERVICE_UNKNOWN/);
  const unk = await probeOnce(h2c!.port, grpc({ service: 'unknown' }));
  assert.deepEqual({ ok: unk.ok, code: unk.code }, { ok: false, code: 'not-serving' });
  assert.match(unk.reason, /gRPC status UNKNOWN/);
});

test('a trailers-only UNIMPLEMENTED answer is down with the code name and message', async () => {
  const r = await probeOnce(h2c!.port, grpc({ service: 'unimplemented' }));
  assert.deepEqual({ ok: r.ok, code: r.code, reason: r.reason }, { ok: false, code: 'grpc-status', reason: 'gRPC status 12 UNIMPLEMENTED: unknown service x' });
  const other = await probeOnce(h2c!.port, grpc({ service: 'anything-else' }));
  assert.deepEqual({ ok: other.ok, reason: other.reason }, { ok: false, reason: 'gRPC status 3 INVALID_ARGUMENT' });
});

test('a non-gRPC answer, a hang and a closed port are down in words', async () => {
  const http = await probeOnce(h2c!.port, grpc({ service: 'not-grpc' }));
  assert.deepEqual({ ok: http.ok, code: http.code, reason: http.reason }, { ok: false, code: 'status', reason: 'HTTP 404 from the gRPC server' });

  const started = Date.now();
  const hang = await probeOnce(h2c!.port, grpc({ service: 'hang', connectTimeoutMs: 600 }));
  const took = Date.now() - started;
  assert.deepEqual({ ok: hang.ok, code: hang.code, reason: hang.reason }, { ok: false, code: 'timeout', reason: 'gRPC health check timed out after 600 ms' });
  assert.ok(took >= 500 && took < 5000, `took ${took} ms`);

  const gone = await start(createServer());
  const port = gone.port;
  await new Promise<void>((r) => gone.server.close(() => r()));
  const refused = await probeOnce(port, grpc());
  assert.deepEqual({ ok: refused.ok, code: refused.code, reason: refused.reason }, { ok: false, code: 'refused', reason: `connection refused by 127.0.0.1:${port}` });
});

test('the HTTP/2 session is closed after every check', async () => {
  const own = await start(createServer());
  try {
    for (const service of ['', 'down', 'unimplemented']) await probeOnce(own.port, grpc({ service }));
    assert.equal(own.seen.length, 3, 'one call per check');
    assert.ok(await waitFor(() => own.openSessions() === 0, 5000), `sessions left open: ${own.openSessions()}`);
    await probeOnce(own.port, grpc({ service: 'hang', connectTimeoutMs: 300 }));
    assert.ok(await waitFor(() => own.openSessions() === 0, 5000), 'a timed-out session is torn down too');
  } finally { own.server.close(); }
});

test('TLS without verification: self-signed certificate, authority sent as SNI and :authority', async () => {
  const r = await probeOnce(h2s!.port, grpc({ tls: true, authority: 'health.example', service: 'ok' }));
  assert.equal(r.ok, true, r.reason);
  const s = h2s!.seen.at(-1)!;
  assert.equal(s.servername, 'health.example');
  assert.equal(s.headers[':authority'], 'health.example');
  assert.equal(s.headers[':scheme'], 'https');
  const down = await probeOnce(h2s!.port, grpc({ tls: true, service: 'down' }));
  assert.deepEqual({ ok: down.ok, code: down.code }, { ok: false, code: 'not-serving' });
  assert.equal(h2s!.seen.at(-1)!.servername, false, 'no SNI for an address');
  // Speaking TLS to a cleartext server fails in words, within the timeout.
  const mismatch = await probeOnce(h2c!.port, grpc({ tls: true, connectTimeoutMs: 2000 }));
  assert.deepEqual({ ok: mismatch.ok, code: mismatch.code }, { ok: false, code: 'tls' });
  assert.match(mismatch.reason, new RegExp(`^TLS with 127\\.0\\.0\\.1:${h2c!.port} failed: `));
});

test('IPv6 loopback; close() settles a run in flight; a closed probe does nothing', async () => {
  const v6 = await start(createServer(), '::1');
  try {
    assert.equal((await probeOnce(v6.port, grpc(), '::1')).ok, true);
    assert.equal(v6.seen.at(-1)!.headers[':authority'], `[::1]:${v6.port}`);
    const p = grpcProbe(grpc({ service: 'hang' }), probeContext({ address: '::1', family: 6, port: v6.port }));
    const pending = p.run();
    setTimeout(() => p.close(), 200);
    const r = await pending;
    assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'closed' });
    assert.equal((await p.run()).code, 'closed');
  } finally { v6.server.close(); }
});

test('grpcVerdict: answers a health server should not give', () => {
  const ok = new Uint8Array(Buffer.from('00000000020801', 'hex'));
  assert.equal(grpcVerdict(200, '0', undefined, ok, '').ok, true);
  assert.match(grpcVerdict(200, undefined, undefined, ok, '').reason, /no grpc-status/);
  assert.match(grpcVerdict(200, 'abc', undefined, ok, '').reason, /gRPC status "abc"/);
  assert.match(grpcVerdict(200, '0', undefined, new Uint8Array(0), '').reason, /0 response messages/);
  assert.match(grpcVerdict(200, '0', undefined, new Uint8Array([1, 0, 0, 0, 0]), '').reason, /compressed/);
  assert.match(grpcVerdict(200, '0', undefined, new Uint8Array(Buffer.from('00000000010b', 'hex')), '').reason, /bad HealthCheckResponse/);
  assert.match(grpcVerdict(200, '14', 'bad%ZZ\n', ok, '').reason, /^gRPC status 14 UNAVAILABLE: bad%ZZ\?$/);
  assert.equal(grpcVerdict(undefined, '0', undefined, ok, '').code, 'status');
});

test('bindto sets the source address of the HTTP/2 connection', async () => {
  const own = await start(createServer());
  let from = '';
  own.server.on('connection', (c) => { from = c.remoteAddress ?? ''; });
  try {
    assert.equal((await probeOnce(own.port, grpc({ bindTo: '127.0.0.3' }))).ok, true);
    assert.equal(from, '127.0.0.3');
    const bad = await probeOnce(own.port, grpc({ bindTo: 'not-an-ip' }));
    assert.deepEqual({ ok: bad.ok, code: bad.code, reason: bad.reason }, { ok: false, code: 'error', reason: 'bindto not-an-ip is not an IP address' });
  } finally { own.server.close(); }
});
