// HTTP_GET / SSL_GET: every url must pass, in order; the first failure is the outcome. One run is
// bounded as a whole by connect_timeout (connect, TLS, headers and body of every url together), so
// that run() settles within the checker's timeout as the probe contract asks; keepalived applies
// connect_timeout to each step instead. HTTP_GET over plain HTTP runs through the addon's
// exchanges (http-raw.ts), which write keepalived's request line (HTTP/1.0, or 1.1 for
// http_protocol 1.1); SSL_GET, bindto / bind_port, scoped IPv6 addresses and builds without the
// exchange fetch through undici (http-fetch.ts), which always writes HTTP/1.1. Judging is
// http-match.ts for both.
import { monotonicMs } from '../lib/monotonic.js';
import type { HttpCheck, HttpUrl } from '../config/model.js';
import type { CheckOutcome, Probe, ProbeContext } from './checker.js';
import { deadlines, type Expirable } from './deadlines.js';
import { CLOSED, DEADLINE, fetchUrl, openHttpSession, type HttpSession } from './http-fetch.js';
import { hostHeader, judgeUrl, needs, statusMatches } from './http-match.js';
import { RawHttpRun, requestBytes, type RawHttp } from './http-raw.js';
import { sourceOf } from './source.js';
import { batchable, batchExchange } from './tcp-batch.js';
import type { Failure } from './tcp.js';

export function httpProbe(check: HttpCheck, ctx: ProbeContext): Probe {
  const { target } = ctx;
  const tls = check.type === 'SSL_GET';
  const origin = `${tls ? 'https' : 'http'}://${target.family === 6 ? `[${target.address}]` : target.address}:${target.port}`;
  // Normally one Client for the probe; a second only when urls ask for different SNI names
  // (the server name is fixed per connection setup, the virtualhost may differ per url).
  const sessions = new Map<string, HttpSession>();
  let inFlight: AbortController | undefined;

  const vhostOf = (url: HttpUrl) => url.virtualhost ?? check.virtualhost;
  const sniOf = (url: HttpUrl) => (tls && check.enableSni ? check.sniName ?? vhostOf(url) : undefined);

  function sessionFor(url: HttpUrl, src: ReturnType<typeof sourceOf> & { ok: true }): HttpSession {
    const sni = sniOf(url);
    let s = sessions.get(sni ?? '');
    if (!s) {
      s = openHttpSession({ origin, timeoutMs: check.connectTimeoutMs, backstop: 2, source: src.source, ...(sni ? { sni } : {}) });
      sessions.set(sni ?? '', s);
    }
    return s;
  }

  // What each url's request needs is worked out once, not per run (1,000 checks a second at scale).
  const src = sourceOf(check, target);
  const plans = check.urls.map((url) => {
    const need = needs(url);
    return {
      url,
      path: url.path,
      host: hostHeader(vhostOf(url), target),
      digest: need.digest,
      keepBody: need.text,
      // A status that already fails needs no body; one that passes without digest/regex is read
      // (bounded) so that a reply cut short is still noticed, as keepalived reads to EOF.
      bodyWanted: (status: number) => statusMatches(url.statusCodes, status),
      timeoutMs: check.connectTimeoutMs,
    };
  });
  const okReason = plans.length === 1 ? `HTTP ok on ${plans[0]!.path}` : `HTTP ok on ${plans.length} urls`;
  const raw = rawHttp(check, ctx, src, plans);
  let rawRun: RawHttpRun | undefined;

  async function runUrls(signal: AbortSignal): Promise<Failure | undefined> {
    if (!src.ok) return { reason: src.reason, code: 'error' };
    if (plans.length === 0) return { reason: 'no url to check', code: 'error' };
    for (const plan of plans) {
      const { url } = plan;
      const got = await fetchUrl(sessionFor(url, src), { ...plan, signal });
      if (!got.ok) return got;
      const failed = judgeUrl(url, { status: got.status, ...(got.md5 !== undefined ? { md5: got.md5 } : {}), ...(got.body ? { body: got.body } : {}) });
      if (failed) return failed;
    }
    return undefined;
  }

  return {
    async run(): Promise<CheckOutcome> {
      const started = monotonicMs();
      if (raw) {
        const failed = await new Promise<Failure | undefined>((resolve) => { rawRun = new RawHttpRun(raw, resolve); });
        rawRun = undefined;
        const latencyMs = monotonicMs() - started;
        return failed ? { ok: false, reason: failed.reason, code: failed.code, latencyMs } : { ok: true, reason: okReason, code: 'ok', latencyMs };
      }
      const ac = new AbortController();
      inFlight = ac;
      // The whole run's bound, from the shared deadlines (no timer per run; see deadlines.ts),
      // released when the run ends.
      const deadline: Expirable & { ac: AbortController | undefined } = { settled: false, ac, expire() { this.ac?.abort(DEADLINE); } };
      const ticket = deadlines.add(check.connectTimeoutMs, deadline);
      let failed: Failure | undefined;
      try {
        failed = await runUrls(ac.signal);
      } catch (e) {
        // Nothing above should throw; if it does, the outcome still says why in words.
        failed = { reason: `HTTP check error: ${(e as Error)?.message ?? String(e)}`, code: 'error' };
      } finally {
        deadline.settled = true;
        deadline.ac = undefined;
        deadlines.release(check.connectTimeoutMs, ticket, deadline);
        if (inFlight === ac) inFlight = undefined;
      }
      const latencyMs = monotonicMs() - started;
      if (failed) return { ok: false, reason: failed.reason, code: failed.code, latencyMs };
      return { ok: true, reason: okReason, code: 'ok', latencyMs };
    },
    close() {
      rawRun?.cancel();
      inFlight?.abort(CLOSED);
      for (const s of sessions.values()) s.close();
      sessions.clear();
    },
  };
}

/** The plain-HTTP exchange's shared part, when this check can run through it (see the top). */
function rawHttp(check: HttpCheck, ctx: ProbeContext, src: ReturnType<typeof sourceOf>, plans: { url: HttpUrl; path: string; host: string }[]): RawHttp | undefined {
  const { target } = ctx;
  if (check.type !== 'HTTP_GET' || !src.ok || src.source.localAddress !== undefined || src.source.localPort !== undefined) return undefined;
  if (!batchable(target) || plans.length === 0) return undefined;
  const batch = batchExchange();
  if (!batch) return undefined;
  return {
    batch,
    target,
    timeoutMs: check.connectTimeoutMs,
    plans: plans.map((p) => ({ url: p.url, request: requestBytes(p.path, p.host, check.httpProtocol) })),
  };
}
