// SMTP_CHECK, as keepalived's check_smtp.c: connect, the greeting must be 220, `HELO name` must be
// answered 250, then QUIT. keepalived waits for a QUIT reply it never looks at; here the check is
// decided at the 250 and the connection is closed politely. The whole exchange is bounded by
// connect_timeout. Replies may span lines (`250-...` continuations, RFC 5321 section 4.2.1).
import { connect, type Socket } from 'node:net';
import { hostname } from '../lib/node-os.js';
import type { SmtpCheck } from '../config/model.js';
import { formatDuration, singleFlight, type CheckOutcome, type Probe, type ProbeContext } from './checker.js';
import { endpointText } from './socket-failure.js';
import { sourceOf } from './source.js';
import { connectFailure } from './tcp.js';
import { monotonicMs } from '../lib/monotonic.js';

/** A reply longer than this is not an SMTP server talking. */
const MAX_REPLY = 8192;
/** After QUIT the server should close; it is not waited for longer than this. */
const QUIT_GRACE_MS = 1000;

export interface SmtpReply { code: number; text: string }

/**
 * Takes the first complete reply off the front of `buf`: lines of `ddd-text` ending with one
 * `ddd text` (or bare `ddd`). Lines may end in CRLF or, leniently, LF.
 */
export function takeReply(buf: string): { reply?: SmtpReply; rest: string; error?: string } {
  let at = 0;
  const texts: string[] = [];
  for (;;) {
    const nl = buf.indexOf('\n', at);
    if (nl < 0) return { rest: buf };
    const line = buf.slice(at, nl).replace(/\r$/, '');
    at = nl + 1;
    const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
    if (!m) return { rest: buf.slice(at), error: `malformed reply line "${printable(line)}"` };
    texts.push(m[3]!);
    if (m[2] !== '-') return { reply: { code: Number(m[1]), text: texts.join(' ').trim() }, rest: buf.slice(at) };
  }
}

function printable(s: string): string {
  // Control characters from a broken server must not reach the log verbatim.
  return s.slice(0, 60).replace(/[\x00-\x1f\x7f]/g, '?');
}

type Stage = 'connect' | 'banner' | 'helo';

export function smtpProbe(check: SmtpCheck, ctx: ProbeContext, deps: { hostname?: () => string } = {}): Probe {
  let abort: (() => void) | undefined;
  const where = endpointText(ctx.target);

  const attempt = (): Promise<CheckOutcome> => new Promise((resolve) => {
    const start = monotonicMs();
    const helo = check.heloName ?? (deps.hostname ?? hostname)();
    let stage: Stage = 'connect';
    let buf = '';
    let settled = false;
    let sock: Socket | undefined;

    const finish = (ok: boolean, code: string, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort = undefined;
      if (sock && !ok) sock.destroy();
      resolve({ ok, code, reason, latencyMs: monotonicMs() - start });
    };
    const timer = setTimeout(() => {
      const waiting = stage === 'connect' ? `connect to ${where}` : stage === 'banner' ? 'SMTP banner' : 'HELO reply';
      finish(false, 'timeout', `${waiting} timed out after ${formatDuration(check.connectTimeoutMs)}`);
    }, check.connectTimeoutMs);
    abort = () => finish(false, 'closed', 'probe closed');

    if (helo === '' || /[\r\n]/.test(helo)) { finish(false, 'error', 'helo_name is empty or has a line break'); return; }

    const src = sourceOf(check, ctx.target);
    if (!src.ok) { finish(false, 'error', src.reason); return; }
    const failed = (e: unknown): void => { const f = connectFailure(e, ctx.target, check.connectTimeoutMs); finish(false, f.code, f.reason); };
    try {
      sock = connect({ host: ctx.target.address, port: ctx.target.port, family: ctx.target.family, ...src.source });
    } catch (e) {
      failed(e);
      return;
    }
    const s = sock;
    s.setEncoding('latin1');
    s.on('error', failed);
    s.on('connect', () => { stage = 'banner'; });
    s.on('close', () => {
      if (stage === 'connect') finish(false, 'error', `connection to ${where} closed`);
      else finish(false, stage, `connection closed before the ${stage === 'banner' ? 'SMTP banner' : 'HELO reply'}`);
    });
    s.on('data', (chunk: string) => {
      if (settled) return;
      buf += chunk;
      const got = takeReply(buf);
      const label = stage === 'banner' ? 'SMTP banner' : 'SMTP HELO reply';
      if (got.error) { finish(false, stage, `${label}: ${got.error}`); return; }
      if (!got.reply) {
        if (buf.length > MAX_REPLY) finish(false, stage, `${label} longer than ${MAX_REPLY} bytes`);
        return;
      }
      buf = got.rest;
      const { code, text } = got.reply;
      const said = text ? `${code}: ${printable(text)}` : `${code}`;
      if (stage === 'banner') {
        if (code !== 220) { finish(false, 'banner', `SMTP banner ${said}`); return; }
        stage = 'helo';
        s.write(`HELO ${helo}\r\n`);
        return;
      }
      if (code !== 250) { finish(false, 'helo', `SMTP HELO answered ${said}`); return; }
      // Up. Say goodbye without waiting for the 221; do not leave the socket behind either.
      finish(true, 'ok', `SMTP 220 banner, 250 to HELO ${helo}`);
      s.end('QUIT\r\n');
      const grace = setTimeout(() => s.destroy(), QUIT_GRACE_MS);
      grace.unref();
      s.once('close', () => clearTimeout(grace));
    });
  });

  return singleFlight(attempt, () => abort?.());
}
