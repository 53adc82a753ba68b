// Turns a socket error into a checker outcome's words and label, the same way for every
// connection-oriented probe: `connection refused by 10.0.0.5:25`, code `refused`.
import type { CheckTarget } from './checker.js';

export function endpointText(t: CheckTarget): string {
  return t.family === 6 ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`;
}

const known: Record<string, { code: string; words: string }> = {
  ECONNREFUSED: { code: 'refused', words: 'connection refused by' },
  ECONNRESET: { code: 'reset', words: 'connection reset by' },
  EPIPE: { code: 'reset', words: 'connection closed by' },
  EHOSTUNREACH: { code: 'unreachable', words: 'host unreachable:' },
  ENETUNREACH: { code: 'unreachable', words: 'network unreachable for' },
  EADDRNOTAVAIL: { code: 'error', words: 'source address not available connecting to' },
};

export function socketFailure(err: unknown, target: CheckTarget): { code: string; reason: string } {
  const e = err as NodeJS.ErrnoException | undefined;
  const k = e?.code ? known[e.code] : undefined;
  if (k) return { code: k.code, reason: `${k.words} ${endpointText(target)}` };
  // OpenSSL errors carry a short `reason` ("wrong version number") beside a long raw message.
  const ssl = e as { code?: string; reason?: unknown } | undefined;
  if (ssl?.code?.startsWith('ERR_SSL_') && typeof ssl.reason === 'string') {
    return { code: 'tls', reason: `TLS with ${endpointText(target)} failed: ${ssl.reason}` };
  }
  const msg = e instanceof Error ? e.message : String(err);
  return { code: 'error', reason: `${endpointText(target)}: ${msg.trim().split('\n')[0]}` };
}
