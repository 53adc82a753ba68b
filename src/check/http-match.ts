// Pure judgement of one HTTP_GET/SSL_GET url: status ranges, MD5 digest, regex, in keepalived's
// order (check_http.c http_handle_response: status, then digest, then regex). No I/O here.
import type { HttpUrl } from '../config/model.js';
import type { CheckTarget } from './checker.js';
import type { Failure } from './tcp.js';

/** What a fetch delivered for one url, as far as judging needs it. */
export interface Fetched {
  status: number;
  /** MD5 hex of the body, when it was asked for. */
  md5?: string;
  /** The body, when a regex needs it. */
  body?: Buffer;
}

export function statusMatches(ranges: ReadonlyArray<readonly [number, number]>, status: number): boolean {
  return ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

/** Whether the body must be read and kept (regex) or hashed (digest). */
export function needs(url: HttpUrl): { digest: boolean; text: boolean } {
  return { digest: url.digest !== undefined, text: url.regex !== undefined };
}

/** Host header as keepalived sends it: the virtualhost, else `ip:port` (`[ip6]:port`, RFC 2732). */
export function hostHeader(virtualhost: string | undefined, target: Pick<CheckTarget, 'address' | 'family' | 'port'>): string {
  if (virtualhost) return virtualhost;
  return target.family === 6 ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** keepalived runs PCRE2 over raw bytes; JavaScript needs text: UTF-8 when valid, else latin1 (one char per byte). */
export function bodyText(body: Buffer): string {
  try { return utf8.decode(body); } catch { return body.toString('latin1'); }
}

export function compileRegex(source: string): RegExp | Failure {
  try { return new RegExp(source); } catch (e) {
    return { reason: `invalid regex ${JSON.stringify(source)}: ${(e as Error).message}`, code: 'error' };
  }
}

/** undefined = the url passed; else why not. */
export function judgeUrl(url: HttpUrl, got: Fetched): Failure | undefined {
  if (!statusMatches(url.statusCodes, got.status)) return { reason: `HTTP ${got.status} on ${url.path}`, code: 'status' };
  if (url.digest !== undefined && got.md5?.toLowerCase() !== url.digest.toLowerCase()) {
    return { reason: `digest mismatch on ${url.path}`, code: 'digest' };
  }
  if (url.regex !== undefined) {
    const re = compileRegex(url.regex);
    if (!(re instanceof RegExp)) return re;
    const matched = re.test(bodyText(got.body ?? Buffer.alloc(0)));
    if (matched === Boolean(url.regexNoMatch)) {
      return { reason: url.regexNoMatch ? `regex matched on ${url.path} (regex_no_match)` : `regex did not match on ${url.path}`, code: 'regex' };
    }
  }
  return undefined;
}
