// Pure reading of an HTTP/1.x reply's bytes, for the plain-HTTP exchange (http-raw.ts): the head
// (status line, Content-Length, chunked framing) and the body as HTTP_GET judges it. No I/O here.
// The body is the payload: chunked framing is undone and bytes past Content-Length are ignored,
// as the undici path (SSL_GET, bindto) and `vipkeeper genhash` see it (see http-fetch.ts).

/** Head bytes read before a reply is "headers too large" (node's and undici's default, 16 KiB). */
export const HEAD_CAP = 16 * 1024;

export interface ReplyHead {
  status: number;
  statusText: string;
  /** Offset of the first body byte. */
  bodyStart: number;
  /** From Content-Length; undefined when absent (or chunked, which wins, RFC 9112 6.3). */
  contentLength: number | undefined;
  chunked: boolean;
  /** 1xx (but 101), 204 and 304 replies have no body (RFC 9112 6.3). */
  bodiless: boolean;
}

export type HeadResult = ReplyHead | { incomplete: true } | { error: string };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([^\r\n]*))?\r?$/;

/** The end of the header block starting at `from` (offset after its blank line), or -1; looked for within HEAD_CAP only. */
function headEnd(buf: Buffer, from: number): number {
  const head = buf.subarray(from, from + HEAD_CAP + 4);
  const a = head.indexOf(CRLFCRLF);
  const b = head.indexOf(LFLF);
  if (a < 0) return b < 0 ? -1 : from + b + 2;
  return from + (b >= 0 && b < a ? b + 2 : a + 4);
}

/** The head of the reply in `buf`; interim 1xx replies (100 Continue) are skipped as clients do. */
export function parseHead(buf: Buffer): HeadResult {
  let from = 0;
  for (;;) {
    // Empty lines before a status line are skipped, as HTTP/1.1 clients do (RFC 9112 2.2).
    while (buf[from] === 13 || buf[from] === 10) from++;
    const end = headEnd(buf, from);
    if (end < 0) return buf.length - from >= HEAD_CAP ? { error: 'headers too large' } : { incomplete: true };
    if (end - from > HEAD_CAP) return { error: 'headers too large' };
    const lines = buf.toString('latin1', from, end).split('\n');
    const m = STATUS_LINE.exec(lines[0]!);
    if (!m) return { error: 'no HTTP status line' };
    const status = Number(m[3]);
    if (status < 100) return { error: `invalid status ${m[3]}` };
    if (status >= 100 && status < 200 && status !== 101) { from = end; continue; }
    let contentLength: number | undefined;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) return { error: `invalid Content-Length '${value}'` };
        const n = Number(value);
        if (contentLength !== undefined && contentLength !== n) return { error: 'conflicting Content-Length headers' };
        contentLength = n;
      } else if (name === 'transfer-encoding') {
        chunked = /(^|,)\s*chunked\s*$/i.test(value);
      }
    }
    const bodiless = status < 200 || status === 204 || status === 304;
    return { status, statusText: m[4] ?? '', bodyStart: end, contentLength: chunked ? undefined : contentLength, chunked, bodiless };
  }
}

export type Body = { body: Buffer; partial: boolean } | { error: string };

/** Whether the reply is whole without the server's close: bodiless, Content-Length met or the last chunk read. */
export function complete(buf: Buffer, head: ReplyHead): boolean {
  if (head.bodiless) return true;
  if (head.chunked) {
    const d = dechunk(buf, head.bodyStart);
    return !('error' in d) && !d.partial;
  }
  return head.contentLength !== undefined && buf.length - head.bodyStart >= head.contentLength;
}

/** The chunked body from `start`: its payload, and whether the last (empty) chunk was not reached. */
export function dechunk(buf: Buffer, start: number): Body {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const eol = buf.indexOf(10, at);
    if (eol < 0) return { body: Buffer.concat(parts), partial: true };
    const sizeText = buf.toString('latin1', at, eol).replace(/\r$/, '').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return { error: `invalid chunk size '${sizeText.slice(0, 20)}'` };
    const size = parseInt(sizeText, 16);
    if (size === 0) return { body: Buffer.concat(parts), partial: false };
    const dataStart = eol + 1;
    if (buf.length < dataStart + size) {
      parts.push(buf.subarray(dataStart));
      return { body: Buffer.concat(parts), partial: true };
    }
    parts.push(buf.subarray(dataStart, dataStart + size));
    at = dataStart + size;
    // The CRLF after the chunk's data.
    if (buf[at] === 13) at++;
    if (at >= buf.length) return { body: Buffer.concat(parts), partial: true };
    if (buf[at] !== 10) return { error: 'chunk data longer than its size' };
    at++;
  }
}

/**
 * The body of a whole reply (`ended`: the server closed; else it was cut at the size cap, and a
 * short body is only what was read). `partial` when the server closed before the body was whole.
 */
export function replyBody(buf: Buffer, head: ReplyHead, ended: boolean): Body {
  if (head.bodiless) return { body: Buffer.alloc(0), partial: false };
  if (head.chunked) {
    const d = dechunk(buf, head.bodyStart);
    return 'error' in d ? d : { body: d.body, partial: d.partial && ended };
  }
  if (head.contentLength !== undefined) {
    const end = Math.min(buf.length, head.bodyStart + head.contentLength);
    return { body: buf.subarray(head.bodyStart, end), partial: ended && end - head.bodyStart < head.contentLength };
  }
  return { body: buf.subarray(head.bodyStart), partial: false };
}
