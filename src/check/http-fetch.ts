// One HTTP GET over undici, for SSL_GET, for HTTP_GET with bindto / bind_port (plain HTTP_GET
// goes through the addon's exchanges, http-raw.ts) and for `vipkeeper genhash`: the response
// fetched, its body bounded and hashed as http-raw.ts does. Judging lives in http-match.ts.
//
// What the server sees, compared with keepalived (check_http.c request_template):
// - keepalived writes `GET path HTTP/1.0` (or 1.1 for http_protocol 1.1); undici can only write
//   `HTTP/1.1`, so the request line always says 1.1 whatever http_protocol is. Every request
//   carries `Connection: close` (keepalived sends it for 1.0C and 1.1; for plain 1.0 it is the
//   protocol's default), and `User-Agent: KeepAliveClient` and the Host header as keepalived's.
// - Digest: keepalived MD5s the bytes after the header block, capped at Content-Length, and does
//   not undo chunked framing. With its default HTTP/1.0 request a server never chunks, so the
//   de-chunked payload hashed here gives the same digest; only a chunked reply to keepalived's
//   `http_protocol 1.1` differs (keepalived then hashes the chunk-size lines too).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { Client, buildConnector } from 'undici';
import { formatDuration, type CheckTarget } from './checker.js';
import { endpointText } from './socket-failure.js';
import { connectFailure, type Failure } from './tcp.js';
import type { Source } from './source.js';

/** Bodies are read up to this many bytes (keepalived streams without a cap; we keep memory bounded). */
export const BODY_CAP = 1024 * 1024;

export interface HttpClientOptions {
  /** `http://127.0.0.1:8080` or `https://[::1]:8443`. */
  origin: string;
  /** Bounds the connect (and TLS handshake) and each wait for headers or body bytes. */
  timeoutMs: number;
  /**
   * Set by a caller that bounds the whole exchange itself (the checker, whose deadline waits for
   * pending I/O before it judges, see deadlines.ts): undici's own timers are then only a backstop
   * at this multiple, since they fire in the timer phase and on a loaded event loop would report
   * a timeout while the reply that beat it is still queued.
   */
  backstop?: number;
  /** TLS server name (SNI); undefined sends none. */
  sni?: string;
  source?: Source;
}

/** An undici Client plus a count of connections it opened (tells a connect timeout from a response timeout). */
export interface HttpSession {
  client: Client;
  /** The origin as an endpoint, for the words of a connect error. */
  target: CheckTarget;
  connects(): number;
  close(): void;
}

export function openHttpSession(o: HttpClientOptions): HttpSession {
  const phaseMs = o.timeoutMs * (o.backstop ?? 1);
  const base = buildConnector({
    timeout: phaseMs,
    // keepalived does not verify the real server's certificate; a self-signed one must pass.
    rejectUnauthorized: false,
    // Each check is a full handshake, as keepalived's: no TLS session resumption between checks.
    maxCachedSessions: 0,
    keepAlive: false,
    ...(o.source?.localPort !== undefined ? { localPort: o.source.localPort } : {}),
  });
  // undici derives SNI from the Host header; keepalived sends SNI only with enable_sni, so the
  // server name is set here and nowhere else (an IP origin with no name gives no SNI at all).
  const sni = o.sni && isIP(o.sni) === 0 ? o.sni : undefined;
  const connector: buildConnector.connector = (opts, cb) => base({ ...opts, servername: sni }, (err, socket) => {
    if (socket) stacklessParsing(socket);
    // undici's callback type is a union of (error, null) and (null, socket): one call either way.
    (cb as (e: Error | null, s: typeof socket) => void)(err, socket);
  });
  // pipelining 0 = no keep-alive: every check opens a new connection, as keepalived does, so a
  // server that stopped accepting connections is seen at once instead of hidden by an old socket.
  const client = new Client(o.origin, {
    pipelining: 0,
    connect: connector,
    headersTimeout: phaseMs,
    bodyTimeout: phaseMs,
    ...(o.source?.localAddress !== undefined ? { localAddress: o.source.localAddress } : {}),
  });
  let connects = 0;
  client.on('connect', () => { connects++; });
  // A Client emits 'connectionError'/'disconnect' events; errors reach the request's promise.
  const u = new URL(o.origin);
  const address = u.hostname.replace(/^\[|\]$/g, '');
  const target: CheckTarget = { address, family: isIP(address) === 6 ? 6 : 4, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  return {
    client,
    target,
    connects: () => connects,
    close: () => { client.destroy().catch(() => { /* already gone */ }); },
  };
}

/**
 * undici ends every checked connection (each has `Connection: close`) by destroying its socket with
 * an InformationalError('reset'), and node's stream destroy reads that error's stack at once:
 * capturing and formatting a stack per check was ~3 % of the director's CPU at 1,000 HTTP_GETs a
 * second. The errors undici makes while it parses a reply (that one, HPE_* parse errors) are only
 * ever reported in words (httpFailure), so while the socket's 'readable' event runs they are made
 * without stack frames; the limit is put back before anything else runs.
 */
export function stacklessParsing(socket: { emit(ev: string | symbol, ...args: unknown[]): boolean }): void {
  const emit = socket.emit;
  socket.emit = function (this: unknown, ev: string | symbol, ...args: unknown[]): boolean {
    if (ev !== 'readable') return Reflect.apply(emit, this, [ev, ...args]) as boolean;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try { return Reflect.apply(emit, this, [ev, ...args]) as boolean; } finally { Error.stackTraceLimit = limit; }
  };
}

export interface FetchRequest {
  path: string;
  /** Host header value. */
  host: string;
  /** Hash the body (MD5 hex in the result). */
  digest: boolean;
  /** Keep the body bytes in the result (regex). */
  keepBody: boolean;
  /** Read the body at all for this status (the checker skips it when the status already failed). */
  bodyWanted?: (status: number) => boolean;
  /** Aborted at the overall deadline (reason DEADLINE) or when the probe is closed (reason CLOSED). */
  signal: AbortSignal;
  /** For the words of a timeout. */
  timeoutMs: number;
}

export interface Fetched {
  ok: true;
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  md5?: string;
  body?: Buffer;
  /** Body bytes read (after transfer decoding). */
  bytes: number;
  /** The body was longer than BODY_CAP and was not read to its end. */
  truncated: boolean;
}
export type FetchResult = Fetched | ({ ok: false } & Failure);

export const DEADLINE = Symbol('deadline');
export const CLOSED = Symbol('closed');

export async function fetchUrl(session: HttpSession, req: FetchRequest): Promise<FetchResult> {
  const connectsBefore = session.connects();
  const fail = (err: unknown): FetchResult => ({ ok: false, ...httpFailure(err, req, session.target, session.connects() > connectsBefore) });
  let res;
  try {
    res = await session.client.request({
      method: 'GET',
      path: req.path,
      headers: { host: req.host, 'user-agent': 'KeepAliveClient' },
      signal: req.signal,
    });
  } catch (e) {
    return fail(e);
  }
  const wanted = req.bodyWanted?.(res.statusCode) ?? true;
  const hash = wanted && req.digest ? createHash('md5') : undefined;
  const kept: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  try {
    if (wanted) {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (bytes + chunk.length > BODY_CAP) {
          if (hash || req.keepBody) {
            discard(res.body);
            return { ok: false, reason: `body larger than ${formatBytes(BODY_CAP)} on ${req.path}`, code: 'body-too-large' };
          }
          truncated = true;
          break;
        }
        bytes += chunk.length;
        hash?.update(chunk);
        if (req.keepBody) kept.push(chunk);
      }
    }
    // Not read to the end: with no keep-alive the connection is simply dropped.
    if (!wanted || truncated) discard(res.body);
  } catch (e) {
    return fail(e);
  }
  const out: Fetched = { ok: true, status: res.statusCode, statusText: res.statusText ?? '', headers: res.headers, bytes, truncated };
  if (hash) out.md5 = hash.digest('hex');
  if (req.keepBody && wanted) out.body = Buffer.concat(kept, bytes);
  return out;
}

/** Drops a body not read to its end; undici then errors the stream, which must not go unhandled. */
function discard(body: { on(ev: 'error', f: (e: unknown) => void): unknown; destroy(): unknown }): void {
  body.on('error', () => { /* expected: we hung up */ });
  body.destroy();
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|ERR_OSSL_)/;

/** A run cut off by its deadline, in words: before the connection was up, or while waiting for the reply to `path`. */
export function timeoutFailure(path: string, timeoutMs: number, connected: boolean): Failure {
  const t = formatDuration(timeoutMs);
  return connected ? { reason: `response timeout after ${t} on ${path}`, code: 'timeout' } : { reason: `connect timeout after ${t}`, code: 'timeout' };
}

/** An undici / socket / TLS error as words; `connected` tells whether this request's connection was up. */
export function httpFailure(err: unknown, req: Pick<FetchRequest, 'path' | 'signal' | 'timeoutMs'>, target: CheckTarget, connected: boolean): Failure {
  const t = formatDuration(req.timeoutMs);
  if (req.signal.aborted) {
    if (req.signal.reason === CLOSED) return { reason: 'checker closed', code: 'closed' };
    return timeoutFailure(req.path, req.timeoutMs, connected);
  }
  const e = err as { code?: unknown; message?: string; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT': return { reason: `connect timeout after ${t}`, code: 'timeout' };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT': return { reason: `response timeout after ${t} on ${req.path}`, code: 'timeout' };
    case 'UND_ERR_SOCKET':
      if (e?.cause?.code === 'ECONNRESET') return { reason: `connection reset by peer on ${req.path}`, code: 'reset' };
      return { reason: `connection closed by the server before the response was complete on ${req.path}`, code: 'reset' };
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return { reason: `response body shorter than its Content-Length on ${req.path}`, code: 'reset' };
    case 'UND_ERR_HEADERS_OVERFLOW': return { reason: `response headers too large on ${req.path}`, code: 'error' };
    case 'UND_ERR_DESTROYED':
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_ABORTED': return { reason: 'checker closed', code: 'closed' };
    default: break;
  }
  if (code.startsWith('HPE_')) return { reason: `invalid HTTP response on ${req.path}: ${e?.message ?? code}`, code: 'error' };
  const f = connectFailure(err, target, req.timeoutMs);
  // socket-failure.ts knows OpenSSL errors that carry a short reason; other TLS errors land here.
  if (f.code === 'error' && (TLS_CODE.test(code) || code === 'EPROTO')) return { reason: `TLS with ${endpointText(target)} failed: ${e?.message ?? code}`, code: 'tls' };
  return f;
}
