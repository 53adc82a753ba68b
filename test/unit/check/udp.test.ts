// UDP_CHECK against real datagram servers on loopback: an echo server, a server that never
// answers, and a port nobody listens on (the kernel's ICMP port unreachable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { RealServer, UdpCheck, VirtualServer } from '../../../src/config/model.js';
import type { ProbeContext } from '../../../src/check/checker.js';
import { parseHexPattern, replyMismatch, udpProbe } from '../../../src/check/udp.js';

interface Server { sock: Socket; port: number; got: Array<{ data: Buffer; address: string; port: number }>; close(): Promise<void> }

/** A loopback UDP server: echoes (optionally through `answer`), or stays silent when answer returns null. */
async function server(family: 4 | 6, answer: (b: Buffer) => Buffer | null = (b) => b): Promise<Server> {
  const sock = createSocket(family === 6 ? 'udp6' : 'udp4');
  const got: Server['got'] = [];
  sock.on('message', (data, r) => {
    got.push({ data, address: r.address, port: r.port });
    const out = answer(data);
    if (out) sock.send(out, r.port, r.address);
  });
  await new Promise<void>((res) => sock.bind(0, family === 6 ? '::1' : '127.0.0.1', res));
  return { sock, port: (sock.address() as AddressInfo).port, got, close: () => new Promise((res) => sock.close(() => res())) };
}

/** A port that was free a moment ago and has no listener now. */
async function closedPort(): Promise<number> {
  const s = await server(4);
  const p = s.port;
  await s.close();
  return p;
}

const check = (over: Partial<UdpCheck> = {}): UdpCheck => ({
  type: 'UDP_CHECK', connectTimeoutMs: 3000, retry: 1, delayBeforeRetryMs: 1000, delayLoopMs: 60000, warmupMs: 0, alpha: false,
  requireReply: false, minReplyLength: 0, maxReplyLength: 255, ...over,
});
const ctx = (port: number, address = '127.0.0.1'): ProbeContext => ({
  vs: {} as VirtualServer, rs: {} as RealServer, target: { address, port, family: address.includes(':') ? 6 : 4 },
});

test('hex patterns read as keepalived reads them: pairs, lone nibbles, spaces, x wildcards', () => {
  assert.deepEqual(parseHexPattern('abc'), { bytes: Uint8Array.from([0xab, 0x0c]), mask: Uint8Array.from([0xff, 0x0f]) });
  assert.deepEqual(parseHexPattern('a b cd'), { bytes: Uint8Array.from([0x0a, 0x0b, 0xcd]), mask: Uint8Array.from([0x0f, 0x0f, 0xff]) });
  assert.deepEqual(parseHexPattern('1x Xx'), { bytes: Uint8Array.from([0x10, 0x00]), mask: Uint8Array.from([0xf0, 0x00]) });
  assert.throws(() => parseHexPattern('1x', false), /not a hex digit: "x" at 2/);
  assert.throws(() => parseHexPattern('12g4'), /"g" at 3/);
  assert.throws(() => parseHexPattern('  '), /empty/);
});

test('reply matching: lengths first, then the first min(reply, pattern) octets under the mask', () => {
  const p = parseHexPattern('68 65 xx 6c 6f');
  assert.equal(replyMismatch(Buffer.from('hello'), p, 0, 255), undefined);
  assert.equal(replyMismatch(Buffer.from('heXlo, world'), p, 0, 255), undefined, 'the pattern is a prefix');
  assert.equal(replyMismatch(Buffer.from('he'), p, 0, 255), undefined, 'a shorter reply is compared as far as it goes (keepalived)');
  assert.match(replyMismatch(Buffer.from('hellO'), p, 0, 255)!, /does not match require_reply at byte 4/);
  assert.match(replyMismatch(Buffer.from('he'), p, 5, 255)!, /shorter than min_reply_length 5/);
  assert.match(replyMismatch(Buffer.from('hello'), p, 0, 4)!, /longer than max_reply_length 4/);
  assert.equal(replyMismatch(Buffer.from('anything'), undefined, 50, 1), undefined, 'no pattern: any reply (keepalived)');
});

test('echo server: up without require_reply, and with a matching X-wildcard pattern', async () => {
  const s = await server(4);
  try {
    const plain = await udpProbe(check(), ctx(s.port)).run();
    assert.equal(plain.ok, true, plain.reason);
    assert.equal(plain.code, 'ok');
    assert.ok(plain.latencyMs < 2500, 'a reply ends the wait');
    // Without a payload the probe sends a fixed 32-octet filler (keepalived's size).
    assert.equal(s.got[0]!.data.length, 32);

    const probe = udpProbe(check({ payloadHex: '68656c6c6f', requireReply: true, replyHex: '6865XX6cxf' }), ctx(s.port));
    const r = await probe.run();
    assert.deepEqual([r.ok, r.code, r.reason], [true, 'ok', 'reply of 5 bytes']);
    assert.equal(s.got[1]!.data.toString(), 'hello');
    // The same probe runs again after settling.
    assert.equal((await probe.run()).ok, true);
  } finally { await s.close(); }
});

test('echo server: a pattern mismatch and the reply length limits fail as mismatch', async () => {
  const s = await server(4);
  try {
    const payloadHex = Buffer.from('hello').toString('hex');
    const bad = await udpProbe(check({ payloadHex, requireReply: true, replyHex: '68656c6c70' }), ctx(s.port)).run();
    assert.deepEqual([bad.ok, bad.code], [false, 'mismatch']);
    assert.match(bad.reason, /reply does not match require_reply/);
    const short = await udpProbe(check({ payloadHex, requireReply: true, replyHex: '68', minReplyLength: 6 }), ctx(s.port)).run();
    assert.deepEqual([short.ok, short.code], [false, 'mismatch']);
    assert.match(short.reason, /shorter than min_reply_length 6/);
    const long = await udpProbe(check({ payloadHex, requireReply: true, replyHex: '68', maxReplyLength: 4 }), ctx(s.port)).run();
    assert.deepEqual([long.ok, long.code], [false, 'mismatch']);
    assert.match(long.reason, /longer than max_reply_length 4/);
  } finally { await s.close(); }
});

test('closed port: the ICMP port unreachable fails the check well before the timeout', async () => {
  const port = await closedPort();
  for (const requireReply of [false, true]) {
    const r = await udpProbe(check({ requireReply, connectTimeoutMs: 8000 }), ctx(port)).run();
    assert.deepEqual([r.ok, r.code, r.reason], [false, 'unreachable', 'port unreachable (ICMP)'], `require_reply ${requireReply}`);
    assert.ok(r.latencyMs < 4000, `failed after ${r.latencyMs} ms, not at the 8 s timeout`);
  }
});

test('a server that never answers: timeout with require_reply, up without (no ICMP error)', async () => {
  const s = await server(4, () => null);
  try {
    const t0 = performance.now();
    const r = await udpProbe(check({ requireReply: true, connectTimeoutMs: 400 }), ctx(s.port)).run();
    const took = performance.now() - t0;
    assert.deepEqual([r.ok, r.code, r.reason], [false, 'timeout', 'no reply within 400 ms']);
    assert.ok(took >= 350 && took < 5000, `settled after ${took} ms`);
    const q = await udpProbe(check({ connectTimeoutMs: 300 }), ctx(s.port)).run();
    assert.deepEqual([q.ok, q.code, q.reason], [true, 'ok', 'no ICMP error within 300 ms']);
    assert.equal(s.got.length, 2, 'both probes reached the server');
  } finally { await s.close(); }
});

test('bindto / bind_port set the source of the probe; IPv6 on ::1 works the same', async () => {
  const s = await server(4);
  const s6 = await server(6);
  try {
    const bindPort = await closedPort();
    const r = await udpProbe(check({ bindTo: '127.0.0.2', bindPort }), ctx(s.port)).run();
    assert.equal(r.ok, true, r.reason);
    assert.deepEqual({ address: s.got[0]!.address, port: s.got[0]!.port }, { address: '127.0.0.2', port: bindPort });
    const r6 = await udpProbe(check({ requireReply: true, replyHex: '7669706b' }), ctx(s6.port, '::1')).run();
    assert.equal(r6.ok, true, r6.reason);
    assert.equal(s6.got[0]!.address, '::1');
  } finally { await s.close(); await s6.close(); }
});

test('errors are outcomes in words: a source address that is not ours, a bad pattern, close() in flight', async () => {
  const s = await server(4, () => null);
  try {
    const bad = await udpProbe(check({ bindTo: '192.0.2.1' }), ctx(s.port)).run();
    assert.deepEqual([bad.ok, bad.code], [false, 'error']);
    assert.match(bad.reason, /bind 192\.0\.2\.1 port 0: EADDRNOTAVAIL/);
    const fam = await udpProbe(check({ bindTo: '::1' }), ctx(s.port)).run();
    assert.deepEqual([fam.ok, fam.code, fam.reason], [false, 'error', 'bindto ::1 is IPv6 but the target 127.0.0.1 is IPv4']);
    const pat = await udpProbe(check({ requireReply: true, replyHex: 'zz' }), ctx(s.port)).run();
    assert.deepEqual([pat.ok, pat.code], [false, 'error']);
    assert.match(pat.reason, /bad UDP_CHECK configuration: not a hex digit/);
    const probe = udpProbe(check({ requireReply: true, connectTimeoutMs: 10000 }), ctx(s.port));
    const pending = probe.run();
    setTimeout(() => probe.close(), 50);
    const c = await pending;
    assert.deepEqual([c.ok, c.code, c.reason], [false, 'error', 'probe closed']);
    assert.ok(c.latencyMs < 5000);
    assert.equal((await probe.run()).reason, 'probe closed');
  } finally { await s.close(); }
});
