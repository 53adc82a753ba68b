// HTTP_GET over plain HTTP as keepalived's check_http.c runs it: the request written on a new
// connection, the reply read until the server closes, then judged. The addon's prober does the
// socket work (tcp-batch.ts exchanges: no net.Socket, stream or undici request per check; at
// 1,000 HTTP_GETs a second those cost the director as much CPU as 10,000 TCP_CHECKs). SSL_GET,
// bindto / bind_port and builds without the exchange keep the undici path (http-fetch.ts).
import { createHash } from 'node:crypto';
import type { HttpCheck, HttpUrl } from '../config/model.js';
import type { CheckTarget } from './checker.js';
import { endpointText } from './socket-failure.js';
import { deadlines, type Expirable } from './deadlines.js';
import { BODY_CAP, timeoutFailure } from './http-fetch.js';
import { judgeUrl, statusMatches } from './http-match.js';
import { HEAD_CAP, complete, parseHead, replyBody, type ReplyHead } from './http-reply.js';
import type { ConnectBatch, Exchange, ExchangeOwner } from './tcp-batch.js';
import { connectFailure, type Failure } from './tcp.js';

/** Reply bytes read at most: a whole head, the body cap, and room for chunk framing. */
export const REPLY_CAP = HEAD_CAP + BODY_CAP + 64 * 1024;

/**
 * keepalived's request (check_http.c): `HTTP/1.0` unless http_protocol 1.1. `Connection: close`
 * always (keepalived sends it for 1.0C and 1.1; for 1.0 it is the protocol's default anyway).
 */
export function requestBytes(path: string, host: string, protocol: HttpCheck['httpProtocol']): Buffer {
  const version = protocol === '1.1' ? '1.1' : '1.0';
  return Buffer.from(`GET ${path} HTTP/${version}\r\nUser-Agent: KeepAliveClient\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 'latin1');
}

export interface RawPlan {
  url: HttpUrl;
  request: Buffer;
}

/** What a probe's runs share. */
export interface RawHttp {
  batch: ConnectBatch;
  target: CheckTarget;
  timeoutMs: number;
  plans: RawPlan[];
}

const closedEarly = (path: string): Failure => ({ reason: `connection closed by the server before the response was complete on ${path}`, code: 'reset' });

/** A reply read: its head, and its body unless the status made it not wanted. */
export type ReadReply = { ok: true; head: ReplyHead; body: Buffer | undefined; cut: boolean } | ({ ok: false } & Failure);

/** An errno name as node:net words its own errors (`connect EPERM 10.0.0.5:80`), for socket-failure.ts. */
function socketError(op: 'connect' | 'read', code: string, target: CheckTarget): Error {
  return Object.assign(new Error(`${op} ${code} ${endpointText(target)}`), { code });
}

/**
 * An exchange's end in words or as a reply: `err` is its errno name (undefined: the server closed;
 * EMSGSIZE: cut at REPLY_CAP), `connected` whether the connection was ever up.
 */
export function readReply(path: string, target: CheckTarget, timeoutMs: number, connected: boolean, err: string | undefined, reply: Buffer | undefined, bodyWanted: (status: number) => boolean): ReadReply {
  const fail = (f: Failure): ReadReply => ({ ok: false, ...f });
  if (!connected) return fail(connectFailure(socketError('connect', err ?? 'ECONNRESET', target), target, timeoutMs));
  const buf = reply ?? Buffer.alloc(0);
  const head = parseHead(buf);
  const whole = !('incomplete' in head) && !('error' in head) && complete(buf, head);
  // A reset or other error after the whole reply arrived (a server closing with SO_LINGER 0)
  // loses nothing: the reply is judged as if the server had closed.
  if (err !== undefined && err !== 'EMSGSIZE' && !whole) {
    if (err === 'ECONNRESET') return fail({ reason: `connection reset by peer on ${path}`, code: 'reset' });
    if (err === 'EPIPE') return fail(closedEarly(path));
    if (err === 'ETIMEDOUT') return fail({ reason: `the connection timed out on ${path}`, code: 'timeout' });
    const f = connectFailure(socketError('read', err, target), target, timeoutMs);
    return fail({ reason: `${f.reason} on ${path}`, code: f.code });
  }
  if ('incomplete' in head) return fail(err === 'EMSGSIZE' ? { reason: `response headers too large on ${path}`, code: 'error' } : closedEarly(path));
  if ('error' in head) {
    return fail(head.error === 'headers too large'
      ? { reason: `response headers too large on ${path}`, code: 'error' }
      : { reason: `invalid HTTP response on ${path}: ${head.error}`, code: 'error' });
  }
  if (!bodyWanted(head.status)) return { ok: true, head, body: undefined, cut: false };
  // Cut at the cap before the body was whole: what was read is all there is to judge.
  const cut = err === 'EMSGSIZE' && !whole;
  const got = replyBody(buf, head, !cut);
  if ('error' in got) return fail({ reason: `invalid HTTP response on ${path}: ${got.error}`, code: 'error' });
  if (got.partial) {
    return fail(head.contentLength !== undefined
      ? { reason: `response body shorter than its Content-Length on ${path}`, code: 'reset' }
      : closedEarly(path));
  }
  return { ok: true, head, body: got.body, cut: cut || got.body.length > BODY_CAP };
}

/** One url's reply judged, in keepalived's order (http-match.ts); undefined when it passed. */
export function judgeReply(url: HttpUrl, target: CheckTarget, timeoutMs: number, connected: boolean, err: string | undefined, reply: Buffer | undefined): Failure | undefined {
  // A status that already fails needs no body (as the undici path, which does not read it).
  const r = readReply(url.path, target, timeoutMs, connected, err, reply, (status) => statusMatches(url.statusCodes, status));
  if (!r.ok) return { reason: r.reason, code: r.code };
  const { status } = r.head;
  if (r.body === undefined) return judgeUrl(url, { status });
  if (r.cut) {
    // Not read to its end: only a check that does not look at the body can pass.
    if (url.digest !== undefined || url.regex !== undefined) return { reason: `body larger than 1 MiB on ${url.path}`, code: 'body-too-large' };
    return judgeUrl(url, { status });
  }
  return judgeUrl(url, {
    status,
    ...(url.digest !== undefined ? { md5: createHash('md5').update(r.body).digest('hex') } : {}),
    ...(url.regex !== undefined ? { body: r.body } : {}),
  });
}

/** One exchange on its own timer (`vipkeeper genhash`); `cancel` ends it early as closed. */
export function exchangeOnce(batch: ConnectBatch, target: CheckTarget, request: Buffer, timeoutMs: number): { done: Promise<{ connected: boolean; err: string | undefined; reply: Buffer | undefined; ended: 'reply' | 'timeout' | 'closed' }>; cancel(): void } {
  let finish!: (how: 'reply' | 'timeout' | 'closed', err?: string, reply?: Buffer) => void;
  let x: Exchange | string | undefined;
  let connected = false;
  const done = new Promise<{ connected: boolean; err: string | undefined; reply: Buffer | undefined; ended: 'reply' | 'timeout' | 'closed' }>((resolve) => {
    let over = false;
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    finish = (ended, err, reply) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      if (typeof x === 'object') x.close();
      resolve({ connected, err, reply, ended });
    };
  });
  x = batch.exchange(target.address, target.family === 6 ? 6 : 4, target.port, request, REPLY_CAP, {
    connected: () => { connected = true; },
    finished: (err, reply) => { x = undefined; finish('reply', err, reply); },
  });
  if (typeof x === 'string') finish('reply', x);
  return { done, cancel: () => finish('closed') };
}

/**
 * One run: every url in order, each on a new connection, the first failure the outcome; the whole
 * run bounded by one deadline (deadlines.ts) of connect_timeout, as the undici path's.
 */
export class RawHttpRun implements Expirable, ExchangeOwner {
  settled = false;
  private index = 0;
  private exchange: Exchange | undefined;
  private up = false;
  private readonly ticket: number;

  constructor(readonly http: RawHttp, private readonly done: (f: Failure | undefined) => void) {
    this.ticket = deadlines.add(http.timeoutMs, this);
    this.next();
  }

  connected(): void { this.up = true; }

  finished(err: string | undefined, reply: Buffer | undefined): void {
    this.exchange = undefined;
    if (this.settled) return;
    const { http } = this;
    const f = judgeReply(http.plans[this.index]!.url, http.target, http.timeoutMs, this.up, err, reply);
    if (f) { this.end(f); return; }
    this.index++;
    this.next();
  }

  expire(): void { this.end(timeoutFailure(this.http.plans[this.index]?.url.path ?? '', this.http.timeoutMs, this.up)); }

  cancel(): void { this.end({ reason: 'checker closed', code: 'closed' }); }

  private next(): void {
    const { http } = this;
    const plan = http.plans[this.index];
    if (!plan) { this.end(undefined); return; }
    this.up = false;
    const { target } = http;
    const x = http.batch.exchange(target.address, target.family === 6 ? 6 : 4, target.port, plan.request, REPLY_CAP, this);
    if (typeof x === 'string') { this.end(connectFailure(socketError('connect', x, target), target, http.timeoutMs)); return; }
    this.exchange = x;
  }

  private end(f: Failure | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.exchange?.close();
    this.exchange = undefined;
    deadlines.release(this.http.timeoutMs, this.ticket, this);
    this.done(f);
  }
}
