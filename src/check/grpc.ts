// GRPC_CHECK (vipkeeper only): one grpc.health.v1.Health/Check call over HTTP/2, cleartext (h2c
// with prior knowledge) or TLS without certificate verification, as a health check of a server we
// balance to needs reachability, not identity. Up means HTTP 200, grpc-status 0 (in trailers, or in
// the headers of a trailers-only response) and a HealthCheckResponse saying SERVING. A session is
// opened and closed for every check, bounded as a whole by connect_timeout.
import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { GrpcCheck } from '../config/model.js';
import {
  HEALTH_CHECK_PATH, SERVING, decodeHealthCheckResponse, encodeHealthCheckRequest, frameMessage,
  grpcStatusText, servingStatusName, unframeMessages,
} from '../codec/grpc-health.js';
import { formatDuration, singleFlight, type CheckOutcome, type Probe, type ProbeContext } from './checker.js';
import { endpointText } from './socket-failure.js';
import { sourceOf } from './source.js';
import { connectFailure } from './tcp.js';
import { monotonicMs } from '../lib/monotonic.js';

/** A health answer is a few bytes; more than this is not one. */
const MAX_BODY = 64 * 1024;
/** How long a graceful session close may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

type Verdict = Omit<CheckOutcome, 'latencyMs'>;

/** What a finished call means (pure; exported for tests of answers a real server rarely gives). */
export function grpcVerdict(httpStatus: number | undefined, grpcStatus: string | undefined, grpcMessage: string | undefined, body: Uint8Array, service: string): Verdict {
  if (httpStatus !== 200) return { ok: false, code: 'status', reason: `HTTP ${httpStatus ?? 'no status'} from the gRPC server` };
  if (grpcStatus === undefined) return { ok: false, code: 'error', reason: 'no grpc-status in the response' };
  const code = /^\d+$/.test(grpcStatus) ? Number(grpcStatus) : NaN;
  if (code !== 0) {
    const text = Number.isNaN(code) ? `"${grpcStatus.slice(0, 20)}"` : grpcStatusText(code);
    return { ok: false, code: 'grpc-status', reason: `gRPC status ${text}${grpcMessage ? `: ${grpcMessageText(grpcMessage)}` : ''}` };
  }
  const msgs = unframeMessages(body);
  if (!msgs.ok) return { ok: false, code: 'error', reason: `bad gRPC response body: ${msgs.error}` };
  if (msgs.value.length !== 1) return { ok: false, code: 'error', reason: `${msgs.value.length} response messages, expected 1` };
  const st = decodeHealthCheckResponse(msgs.value[0]!);
  if (!st.ok) return { ok: false, code: 'error', reason: `bad HealthCheckResponse: ${st.error}` };
  const svc = service === '' ? '' : ` for service "${printable(service)}"`;
  if (st.value !== SERVING) return { ok: false, code: 'not-serving', reason: `gRPC status ${servingStatusName(st.value)}${svc}` };
  return { ok: true, code: 'ok', reason: `gRPC SERVING${svc}` };
}

function printable(s: string): string {
  // Control characters from a broken server must not reach the log verbatim.
  return s.slice(0, 120).replace(/[\x00-\x1f\x7f]/g, '?');
}

/** grpc-message is percent-encoded (PROTOCOL-HTTP2.md); kept raw when it is not valid. */
function grpcMessageText(s: string): string {
  try { return printable(decodeURIComponent(s)); } catch { return printable(s); }
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A Node error worth showing: the socket error a cancelled stream was caused by, if any. */
function rootCause(e: unknown): unknown {
  const c = (e as { cause?: unknown } | undefined)?.cause;
  return c instanceof Error ? c : e;
}

export function grpcProbe(check: GrpcCheck, ctx: ProbeContext): Probe {
  let abort: (() => void) | undefined;
  const t = ctx.target;
  const where = endpointText(t);
  const authority = check.authority ?? where;
  // SNI carries a host name only (RFC 6066 section 3): none for an address.
  const sniHost = authority.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([^:]*):\d+$/, '$1');
  const servername = isIP(sniHost) ? undefined : sniHost;

  const attempt = (): Promise<CheckOutcome> => new Promise((resolve) => {
    const start = monotonicMs();
    let settled = false;
    let session: ClientHttp2Session | undefined;
    let connected = false;

    const finish = (v: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort = undefined;
      if (session) {
        const s = session;
        if (v.ok) {
          s.close();
          setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref();
        } else s.destroy();
      }
      resolve({ ...v, latencyMs: monotonicMs() - start });
    };
    const fail = (e: unknown): void => {
      const cause = rootCause(e);
      if ((cause as NodeJS.ErrnoException)?.code?.startsWith('ERR_HTTP2')) {
        finish({ ok: false, code: 'error', reason: `HTTP/2 to ${where}: ${(cause as Error).message}` });
      } else finish({ ...connectFailure(cause, t, check.connectTimeoutMs), ok: false });
    };
    const timer = setTimeout(() => finish({
      ok: false, code: 'timeout',
      reason: `${connected ? 'gRPC health check' : `connect to ${where}`} timed out after ${formatDuration(check.connectTimeoutMs)}`,
    }), check.connectTimeoutMs);
    abort = () => finish({ ok: false, code: 'closed', reason: 'probe closed' });

    const src = sourceOf(check, t);
    if (!src.ok) { finish({ ok: false, code: 'error', reason: src.reason }); return; }
    const local = src.source;
    try {
      session = h2connect(`${check.tls ? 'https' : 'http'}://${where}`, {
        createConnection: () => (check.tls
          ? tlsConnect({
            host: t.address, port: t.port, ...local, ALPNProtocols: ['h2'],
            rejectUnauthorized: false, ...(servername !== undefined ? { servername } : {}),
          })
          : netConnect({ host: t.address, port: t.port, family: t.family, ...local })),
      });
      session.on('error', fail);
      session.on('connect', () => { connected = true; });
      const req = session.request({
        ':method': 'POST', ':path': HEALTH_CHECK_PATH, ':authority': authority,
        'content-type': 'application/grpc', te: 'trailers',
        'grpc-timeout': `${Math.max(1, Math.floor(check.connectTimeoutMs))}m`,
        'user-agent': 'vipkeeper-grpc-check',
      });
      let headers: IncomingHttpHeaders = {};
      let trailers: IncomingHttpHeaders | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('response', (h) => { headers = h; });
      req.on('trailers', (h) => { trailers = h; });
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) finish({ ok: false, code: 'error', reason: `gRPC response larger than ${MAX_BODY} bytes` });
        else chunks.push(c);
      });
      req.on('error', fail);
      req.on('close', () => {
        if (settled) return;
        const raw: unknown = headers[':status'];
        const status = typeof raw === 'number' ? raw : raw === undefined ? undefined : Number(raw);
        if (status === undefined && req.rstCode) {
          finish({ ok: false, code: 'error', reason: `HTTP/2 stream reset by ${where} (code ${req.rstCode})` });
          return;
        }
        const from = trailers && header(trailers, 'grpc-status') !== undefined ? trailers : headers;
        finish(grpcVerdict(status, header(from, 'grpc-status'), header(from, 'grpc-message'),
          new Uint8Array(Buffer.concat(chunks)), check.service));
      });
      req.end(Buffer.from(frameMessage(encodeHealthCheckRequest(check.service))));
    } catch (e) {
      fail(e);
    }
  });

  return singleFlight(attempt, () => abort?.());
}
