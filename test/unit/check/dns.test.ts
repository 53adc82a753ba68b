// DNS_CHECK against a small DNS responder this test runs on loopback: it answers NOERROR or
// SERVFAIL, sends a wrong ID first, echoes another question, or sends garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { DnsCheck, RealServer, VirtualServer } from '../../../src/config/model.js';
import type { ProbeContext } from '../../../src/check/checker.js';
import { dnsProbe, judgeReply } from '../../../src/check/dns.js';
import { decodeMessage, encodeName } from '../../../src/codec/dns.js';

type Mode = 'noerror' | 'servfail' | 'wrong-id-first' | 'other-question' | 'upper-case' | 'garbage' | 'short' | 'query-echo' | 'silent';

interface Responder { port: number; queries: Buffer[]; close(): Promise<void> }

/** Builds a reply from the query's own bytes, as a server would. */
function answer(q: Buffer, opts: { id?: number; rcode?: number; question?: Buffer; qr?: boolean } = {}): Buffer {
  const nameEnd = q.indexOf(0, 12) + 1;
  const question = opts.question ?? q.subarray(12, nameEnd + 4);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(opts.id ?? q.readUInt16BE(0), 0);
  header.writeUInt16BE((opts.qr === false ? 0 : 0x8000) | 0x0100 | 0x0080 | (opts.rcode ?? 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(opts.rcode ? 0 : 1, 6);
  // One answer, owner name compressed to the question (0xc00c): a TXT record "ok".
  const rr = opts.rcode ? Buffer.alloc(0) : Buffer.from('c00c 0010 0001 0000003c 0003 026f6b'.replace(/\s/g, ''), 'hex');
  return Buffer.concat([header, question, rr]);
}

async function responder(mode: Mode, family: 4 | 6 = 4): Promise<Responder> {
  const sock: Socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  const queries: Buffer[] = [];
  sock.on('message', (q, r) => {
    queries.push(q);
    const send = (b: Buffer): void => { sock.send(b, r.port, r.address); };
    const id = q.readUInt16BE(0);
    switch (mode) {
      case 'noerror': return send(answer(q));
      case 'servfail': return send(answer(q, { rcode: 2 }));
      case 'wrong-id-first': send(answer(q, { id: id ^ 0x5a5a })); return void setTimeout(() => send(answer(q)), 100);
      case 'other-question': return send(answer(q, { question: Buffer.concat([encodeName('example.org'), Buffer.from('00060001', 'hex')]) }));
      case 'upper-case': {
        const upper = Buffer.from(q); for (let i = 12; i < upper.length - 4; i++) if (upper[i]! >= 0x61 && upper[i]! <= 0x7a) upper[i]! -= 0x20;
        return send(answer(upper));
      }
      case 'garbage': { const g = answer(q); return send(g.subarray(0, g.length - 2)); } // the answer's rdata cut short
      case 'short': return send(Buffer.from([q[0]!, q[1]!, 0x81]));
      case 'query-echo': send(answer(q, { qr: false })); return void setTimeout(() => send(answer(q)), 100);
      case 'silent': return;
    }
  });
  await new Promise<void>((res) => sock.bind(0, family === 6 ? '::1' : '127.0.0.1', res));
  return { port: (sock.address() as AddressInfo).port, queries, close: () => new Promise((res) => sock.close(() => res())) };
}

const check = (over: Partial<DnsCheck> = {}): DnsCheck => ({
  type: 'DNS_CHECK', connectTimeoutMs: 3000, retry: 3, delayBeforeRetryMs: 60000, delayLoopMs: 60000, warmupMs: 0, alpha: false,
  queryType: 'SOA', name: '.', ...over,
});
const ctx = (port: number, address = '127.0.0.1'): ProbeContext => ({
  vs: {} as VirtualServer, rs: {} as RealServer, target: { address, port, family: address.includes(':') ? 6 : 4 },
});

async function probeAgainst(mode: Mode, over: Partial<DnsCheck> = {}, family: 4 | 6 = 4) {
  const r = await responder(mode, family);
  try {
    const outcome = await dnsProbe(check(over), ctx(r.port, family === 6 ? '::1' : '127.0.0.1')).run();
    return { outcome, queries: r.queries };
  } finally { await r.close(); }
}

test('NOERROR with the question echoed is up; the query carries RD, one question, a random ID', async () => {
  const { outcome, queries } = await probeAgainst('noerror', { name: 'www.example.com', queryType: 'AAAA' });
  assert.deepEqual([outcome.ok, outcome.code, outcome.reason], [true, 'ok', 'NOERROR for www.example.com AAAA, 1 answer']);
  const q = decodeMessage(queries[0]!);
  assert.ok(q.ok);
  assert.equal(q.value.header.rd, true);
  assert.equal(q.value.header.qr, false);
  assert.deepEqual(q.value.questions, [{ name: 'www.example.com', type: 28, class: 1 }]);
  // Two runs, two IDs (1 in 65536 that they collide: then run a third).
  const again = await probeAgainst('noerror');
  const third = await probeAgainst('noerror');
  const ids = new Set([queries[0]!, again.queries[0]!, third.queries[0]!].map((b) => b.readUInt16BE(0)));
  assert.ok(ids.size >= 2, 'the ID changes between queries');
  assert.equal(again.outcome.reason, 'NOERROR for . SOA, 1 answer', "keepalived's default: the root's SOA");
});

test('the default root query and IPv6 ::1 work the same', async () => {
  const { outcome } = await probeAgainst('noerror', {}, 6);
  assert.equal(outcome.ok, true, outcome.reason);
});

test('SERVFAIL is down with the rcode named', async () => {
  const { outcome } = await probeAgainst('servfail');
  assert.deepEqual([outcome.ok, outcome.code, outcome.reason], [false, 'rcode', 'DNS rcode SERVFAIL']);
});

test('a reply with the wrong ID is ignored and the right one that follows counts; so is a stray query', async () => {
  for (const mode of ['wrong-id-first', 'query-echo'] as const) {
    const { outcome } = await probeAgainst(mode);
    assert.equal(outcome.ok, true, `${mode}: ${outcome.reason}`);
    assert.ok(outcome.latencyMs >= 80, `${mode}: waited for the second reply (${outcome.latencyMs} ms)`);
  }
});

test('a reply echoing another question is down; the name compares case-insensitively', async () => {
  const { outcome } = await probeAgainst('other-question', { name: 'example.com', queryType: 'A' });
  assert.deepEqual([outcome.ok, outcome.code], [false, 'mismatch']);
  assert.equal(outcome.reason, 'question not echoed (asked example.com A, got example.org SOA)');
  const upper = await probeAgainst('upper-case', { name: 'Example.com', queryType: 'MX' });
  assert.equal(upper.outcome.ok, true, upper.outcome.reason);
});

test('garbage and truncated replies are down with bad-reply', async () => {
  const g = await probeAgainst('garbage');
  assert.deepEqual([g.outcome.ok, g.outcome.code, g.outcome.reason], [false, 'bad-reply', 'malformed reply (truncated)']);
  const s = await probeAgainst('short');
  assert.deepEqual([s.outcome.ok, s.outcome.code, s.outcome.reason], [false, 'bad-reply', 'reply too short (3 bytes)']);
});

test('no answer is a timeout; a closed port is unreachable at once; a bad name is an error in words', async () => {
  const t0 = performance.now();
  const { outcome } = await probeAgainst('silent', { connectTimeoutMs: 400 });
  assert.deepEqual([outcome.ok, outcome.code, outcome.reason], [false, 'timeout', 'no DNS reply within 400 ms']);
  assert.ok(performance.now() - t0 < 5000);
  const gone = await responder('silent');
  await gone.close();
  const closed = await dnsProbe(check({ connectTimeoutMs: 8000 }), ctx(gone.port)).run();
  assert.deepEqual([closed.ok, closed.code, closed.reason], [false, 'unreachable', 'port unreachable (ICMP)']);
  assert.ok(closed.latencyMs < 4000);
  const bad = await dnsProbe(check({ name: 'a..b' }), ctx(gone.port)).run();
  assert.deepEqual([bad.ok, bad.code], [false, 'error']);
  assert.match(bad.reason, /bad DNS_CHECK query: DNS name "a\.\.b" has an empty label/);
});

test('judgeReply on its own: hostile bytes with our ID are bad replies, never a throw', () => {
  const question = { name: '.', type: 6, class: 1 };
  const loop = Buffer.from('1234 8180 0001 0000 0000 0000 c00c 0006 0001'.replace(/\s/g, ''), 'hex');
  assert.deepEqual(judgeReply(loop, 0x1234, question), { ok: false, code: 'bad-reply', reason: 'malformed reply (pointer-loop)' });
  const counts = Buffer.from('1234 8180 0001 ffff 0000 0000 00 0006 0001'.replace(/\s/g, ''), 'hex');
  assert.deepEqual(judgeReply(counts, 0x1234, question), { ok: false, code: 'bad-reply', reason: 'malformed reply (counts-exceed-message)' });
  assert.equal(judgeReply(counts, 0x4321, question), undefined, 'not ours: keep waiting');
  const none = Buffer.from('1234 8180 0000 0000 0000 0000'.replace(/\s/g, ''), 'hex');
  assert.deepEqual(judgeReply(none, 0x1234, question), { ok: false, code: 'mismatch', reason: 'question not echoed (asked . SOA, got 0 questions)' });
});
