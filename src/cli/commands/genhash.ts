// `vipkeeper genhash URL`: the MD5 of a page the way HTTP_GET/SSL_GET hash it, for the `digest`
// of a url block; keepalived's `genhash` / `keepalived --genhash`. It fetches through the
// checker's own code, so the printed digest is the one the check expects: an http:// URL to an IP
// address through the addon's exchange with HTTP_GET's request (src/check/http-raw.ts), anything
// else (https, --ssl, a host name) through undici as SSL_GET (src/check/http-fetch.ts).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { parseCommandArgs, UsageError, type Command, type CliIO } from '../command.js';
import { CLOSED, DEADLINE, fetchUrl, openHttpSession, timeoutFailure } from '../../check/http-fetch.js';
import { exchangeOnce, readReply, requestBytes } from '../../check/http-raw.js';
import { batchable, batchExchange } from '../../check/tcp-batch.js';

const usage = `usage: vipkeeper genhash URL [--virtualhost H] [--ssl] [--timeout S]

Fetch URL (http:// or https://) as HTTP_GET / SSL_GET do and print the MD5 of the body,
the value for a url's \`digest\`:

  MD5SUM = 0123456789abcdef0123456789abcdef

  --virtualhost H   send H as the Host header (and as TLS SNI for https)
  --ssl             use TLS even for an http:// URL (certificates are not verified)
  --timeout S       seconds for the connect and the whole response (default 5)

Exit 0 when a response was read (whatever its status), 1 when the fetch failed, 2 usage.`;

interface Target { origin: string; path: string; host: string; sni?: string }

/** URL + flags -> where to connect and what to send; usage errors for anything unusable. */
export function parseTarget(raw: string, virtualhost: string | undefined, ssl: boolean): Target {
  let u: URL;
  try { u = new URL(raw); } catch { throw new UsageError(`'${raw}' is not a URL (try http://10.0.0.1/index.html)`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`'${raw}': only http:// and https:// URLs`);
  if (u.username || u.password) throw new UsageError(`'${raw}': credentials in the URL are not supported`);
  const tls = ssl || u.protocol === 'https:';
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const origin = `${tls ? 'https' : 'http'}://${u.hostname}:${port}`;
  const bare = u.hostname.replace(/^\[|\]$/g, '');
  // Host header as the checker sends it: the virtualhost, else address:port.
  const host = virtualhost ?? `${u.hostname}:${port}`;
  const name = virtualhost ?? (isIP(bare) ? undefined : bare);
  return { origin, path: `${u.pathname}${u.search}`, host, ...(tls && name ? { sni: name } : {}) };
}

export function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return 5000;
  const s = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(s) || s <= 0 || s > 3600) {
    throw new UsageError(`--timeout '${raw}' must be a number of seconds, more than 0 and at most 3600`);
  }
  return Math.round(s * 1000);
}

const command: Command = {
  summary: 'print the MD5 digest of a web page for HTTP_GET/SSL_GET',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      virtualhost: { type: 'string' },
      ssl: { type: 'boolean' },
      timeout: { type: 'string' },
    }, true);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a URL is required' : `one URL only (got ${positionals.length})`);
    const target = parseTarget(positionals[0]!, values.virtualhost, values.ssl ?? false);
    const timeoutMs = parseTimeout(values.timeout);
    const raw = await viaExchange(target, timeoutMs, io);
    if (raw !== undefined) return raw;

    const session = openHttpSession({ origin: target.origin, timeoutMs, ...(target.sni ? { sni: target.sni } : {}) });
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(DEADLINE), timeoutMs);
    const onSignal = () => ac.abort(CLOSED);
    process.once('SIGINT', onSignal);
    try {
      const got = await fetchUrl(session, { path: target.path, host: target.host, digest: true, keepBody: false, signal: ac.signal, timeoutMs });
      if (!got.ok) {
        io.err(`vipkeeper genhash: ${target.origin}${target.path}: ${got.reason}`);
        return 1;
      }
      io.out(`HTTP status ${got.status}${got.statusText ? ` ${got.statusText}` : ''}, ${got.bytes} bytes of body`);
      const cl = got.headers['content-length'];
      if (typeof cl === 'string' && Number(cl) !== got.bytes) io.out(`WARNING - Content-Length (${cl}) does not match received bytes (${got.bytes}).`);
      io.out(`MD5SUM = ${got.md5}`);
      return 0;
    } finally {
      clearTimeout(timer);
      process.removeListener('SIGINT', onSignal);
      session.close();
    }
  },
};
/** The fetch through the addon's exchange, or undefined when this target takes the undici path. */
async function viaExchange(target: Target, timeoutMs: number, io: CliIO): Promise<number | undefined> {
  const u = new URL(target.origin);
  const address = u.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(address);
  const where = { address, family: family as 4 | 6, port: Number(u.port || 80) };
  const batch = u.protocol === 'http:' && family !== 0 && batchable(where) ? batchExchange() : undefined;
  if (!batch) return undefined;
  const x = exchangeOnce(batch, where, requestBytes(target.path, target.host, '1.0'), timeoutMs);
  const onSignal = () => x.cancel();
  process.once('SIGINT', onSignal);
  let got;
  try { got = await x.done; } finally { process.removeListener('SIGINT', onSignal); }
  const fail = (reason: string) => { io.err(`vipkeeper genhash: ${target.origin}${target.path}: ${reason}`); return 1; };
  if (got.ended === 'closed') return fail('checker closed');
  if (got.ended === 'timeout') return fail(timeoutFailure(target.path, timeoutMs, got.connected).reason);
  const r = readReply(target.path, where, timeoutMs, got.connected, got.err, got.reply, () => true);
  if (!r.ok) return fail(r.reason);
  if (r.cut || r.body === undefined) return fail(`body larger than 1 MiB on ${target.path}`);
  io.out(`HTTP status ${r.head.status}${r.head.statusText ? ` ${r.head.statusText}` : ''}, ${r.body.length} bytes of body`);
  io.out(`MD5SUM = ${createHash('md5').update(r.body).digest('hex')}`);
  return 0;
}

export default command;
