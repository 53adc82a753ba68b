// The plain-HTTP exchange's pure parts: reading a reply's head and body (src/check/http-reply.ts)
// and judging one url's reply in words (judgeReply in src/check/http-raw.ts), with no sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { HEAD_CAP, dechunk, parseHead, replyBody, type ReplyHead } from '../../../src/check/http-reply.js';
import { judgeReply, requestBytes } from '../../../src/check/http-raw.js';
import type { HttpUrl } from '../../../src/config/model.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const head = (s: string) => parseHead(b(s)) as ReplyHead;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const target = { address: '10.0.0.5', family: 4 as const, port: 80 };
const url = (extra: Partial<HttpUrl> = {}): HttpUrl => ({ path: '/h', statusCodes: [[200, 299]], ...extra });
const judge = (u: HttpUrl, reply: string | undefined, err?: string, connected = true) =>
  judgeReply(u, target, 1000, connected, err, reply === undefined ? undefined : b(reply));

test('the request is keepalived\'s: GET, HTTP/1.0 unless 1.1, its User-Agent and Host, Connection: close', () => {
  assert.equal(requestBytes('/x?y=1', '10.0.0.5:80', '1.0').toString(), 'GET /x?y=1 HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.5:80\r\nConnection: close\r\n\r\n');
  assert.match(requestBytes('/', 'h', '1.0C').toString(), /^GET \/ HTTP\/1\.0\r\n/);
  assert.match(requestBytes('/', 'h', '1.1').toString(), /^GET \/ HTTP\/1\.1\r\n/);
});

test('head: status, reason, body offset, Content-Length, chunked; LF-only lines; 1xx skipped', () => {
  const h = head('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello');
  assert.deepEqual(h, { status: 200, statusText: 'OK', bodyStart: 44, contentLength: 5, chunked: false, bodiless: false });
  assert.equal(head('HTTP/1.0 404\n\nnope').status, 404);
  assert.equal(head('HTTP/1.0 404\n\nnope').bodyStart, 14);
  const c = head('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n');
  assert.equal(c.chunked, true);
  assert.equal(c.contentLength, undefined, 'chunked wins over Content-Length');
  assert.equal(head('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\n\r\n').status, 503);
  assert.equal(head('\r\n\nHTTP/1.1 200 OK\r\n\r\n').status, 200, 'empty lines before the status line are skipped');
  assert.equal(head('HTTP/1.1 204 No Content\r\n\r\n').bodiless, true);
  assert.equal(head('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').bodiless, true);
});

test('head: incomplete, invalid and oversized heads', () => {
  assert.deepEqual(parseHead(b('HTTP/1.1 200 OK\r\nContent-')), { incomplete: true });
  assert.deepEqual(parseHead(b('SSH-2.0-OpenSSH\r\n\r\n')), { error: 'no HTTP status line' });
  assert.deepEqual(parseHead(b('HTTP/1.0 000 OK\r\n\r\n')), { error: 'invalid status 000' });
  assert.deepEqual(parseHead(b('HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n')), { error: "invalid Content-Length '12x'" });
  assert.deepEqual(parseHead(b('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')), { error: 'conflicting Content-Length headers' });
  assert.deepEqual(parseHead(b(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(HEAD_CAP)}`)), { error: 'headers too large' });
  assert.deepEqual(parseHead(b(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(HEAD_CAP)}\r\n\r\n`)), { error: 'headers too large' });
});

test('chunked bodies: payload only, extensions ignored, partial and invalid framing told apart', () => {
  assert.deepEqual(dechunk(b('5;x=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'), 0), { body: b('hello world'), partial: false });
  assert.deepEqual(dechunk(b('5\r\nhel'), 0), { body: b('hel'), partial: true });
  assert.deepEqual(dechunk(b('5\r\nhello\r\n'), 0), { body: b('hello'), partial: true });
  assert.deepEqual(dechunk(b('zz\r\n'), 0), { error: "invalid chunk size 'zz'" });
  assert.deepEqual(dechunk(b('2\r\nhello\r\n'), 0), { error: 'chunk data longer than its size' });
});

test('body: capped at Content-Length, short when the server closed early, close-delimited otherwise', () => {
  const r = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef';
  assert.deepEqual(replyBody(b(r), head(r), true), { body: b('abc'), partial: false });
  const s = 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc';
  assert.deepEqual(replyBody(b(s), head(s), true), { body: b('abc'), partial: true });
  assert.deepEqual(replyBody(b(s), head(s), false), { body: b('abc'), partial: false }, 'cut at the cap: not the server\'s fault');
  const c = 'HTTP/1.0 200 OK\r\n\r\nuntil close';
  assert.deepEqual(replyBody(b(c), head(c), true), { body: b('until close'), partial: false });
});

test('judgement in words: pass, status, digest over the payload, regex', () => {
  assert.equal(judge(url(), 'HTTP/1.0 200 OK\r\n\r\nfine'), undefined);
  assert.deepEqual(judge(url(), 'HTTP/1.0 503 Busy\r\n\r\n'), { reason: 'HTTP 503 on /h', code: 'status' });
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n';
  assert.equal(judge(url({ digest: md5('body') }), chunked), undefined);
  assert.deepEqual(judge(url({ digest: md5('other') }), chunked), { reason: 'digest mismatch on /h', code: 'digest' });
  assert.equal(judge(url({ regex: 'dy$' }), chunked), undefined);
  assert.deepEqual(judge(url({ regex: 'nope' }), chunked), { reason: 'regex did not match on /h', code: 'regex' });
});

test('judgement in words: connect failures, resets, early closes, bad replies, the size cap', () => {
  assert.deepEqual(judge(url(), undefined, 'ECONNREFUSED', false), { reason: 'connection refused by 10.0.0.5:80', code: 'refused' });
  assert.deepEqual(judge(url(), undefined, 'ETIMEDOUT', false), { reason: 'connect timeout after 1 s', code: 'timeout' });
  assert.deepEqual(judge(url(), 'HTTP/1.0 2', 'ECONNRESET'), { reason: 'connection reset by peer on /h', code: 'reset' });
  const early = { reason: 'connection closed by the server before the response was complete on /h', code: 'reset' };
  assert.deepEqual(judge(url(), ''), early);
  assert.deepEqual(judge(url(), 'HTTP/1.0 200 OK\r\n'), early);
  assert.deepEqual(judge(url(), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbo'), early);
  assert.deepEqual(judge(url(), 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), { reason: 'response body shorter than its Content-Length on /h', code: 'reset' });
  assert.deepEqual(judge(url(), 'garbage\r\n\r\n'), { reason: 'invalid HTTP response on /h: no HTTP status line', code: 'error' });
  assert.deepEqual(judge(url(), 'HTTP/1.0 200 OK\r\n\r\nxxxx', 'EMSGSIZE'), undefined, 'cut, but nothing looks at the body');
  assert.deepEqual(judge(url({ digest: md5('') }), 'HTTP/1.0 200 OK\r\n\r\nxxxx', 'EMSGSIZE'), { reason: 'body larger than 1 MiB on /h', code: 'body-too-large' });
  assert.deepEqual(judge(url(), 'HTTP/1.0 500 No\r\n\r\nxxxx', 'EMSGSIZE'), { reason: 'HTTP 500 on /h', code: 'status' });
  const sized = 'HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nbody';
  assert.equal(judge(url({ digest: md5('body') }), `${sized}and more until the cap`, 'EMSGSIZE'), undefined, 'cut only after a whole Content-Length body: judged');
});

test('a reset or error after the whole reply judges the reply; before it, the error in words', () => {
  const whole = 'HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nbody';
  assert.equal(judge(url({ digest: md5('body') }), whole, 'ECONNRESET'), undefined);
  assert.deepEqual(judge(url(), 'HTTP/1.0 503 Busy\r\nContent-Length: 0\r\n\r\n', 'ECONNRESET'), { reason: 'HTTP 503 on /h', code: 'status' });
  assert.equal(judge(url(), 'HTTP/1.1 204 No Content\r\n\r\n', 'ECONNRESET'), undefined);
  assert.deepEqual(judge(url(), 'HTTP/1.0 200 OK\r\n\r\nclose-delimited', 'ECONNRESET'), { reason: 'connection reset by peer on /h', code: 'reset' }, 'no way to know it was whole');
  assert.deepEqual(judge(url(), 'HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nbody', 'ECONNRESET'), { reason: 'connection reset by peer on /h', code: 'reset' });
  assert.deepEqual(judge(url(), 'HTTP/1.0 2', 'ETIMEDOUT'), { reason: 'the connection timed out on /h', code: 'timeout' });
  assert.deepEqual(judge(url(), undefined, 'EPERM', false), { reason: '10.0.0.5:80: connect EPERM 10.0.0.5:80', code: 'error' }, 'an errno with no words of its own, as node:net words it');
  assert.deepEqual(judge(url(), 'HTTP/1.0 2', 'ENETDOWN'), { reason: '10.0.0.5:80: read ENETDOWN 10.0.0.5:80 on /h', code: 'error' });
});
