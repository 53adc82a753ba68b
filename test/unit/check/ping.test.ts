// The shared pinger's matching and timers over an in-memory socket (the raw socket itself is
// exercised in test/integration/check/ping.test.ts), and PING_CHECK over a fake pinger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ICMP4, decodeIcmp, encodeEcho } from '../../../src/codec/icmp.js';
import { IcmpPinger, type EchoSocketOpener, type Pinger, type PingResult } from '../../../src/check/icmp-pinger.js';
import { pingProbe } from '../../../src/check/ping.js';
import type { ProbeContext } from '../../../src/check/checker.js';
import type { PingCheck, RealServer, VirtualServer } from '../../../src/config/model.js';
import { internetChecksum } from '../../../src/lib/bytes.js';
import { SysError } from '../../../src/lib/errors.js';
import { formatIP, parseIP } from '../../../src/lib/ip.js';
import type { Datagram } from '../../../src/net/raw-socket.js';

interface Sent { family: 4 | 6; dst: string; id: number; seq: number; data: Uint8Array }

function fakeNet(opts: { sendError?: string; openError?: string } = {}) {
  const sent: Sent[] = [];
  const deliver = new Map<4 | 6, (d: Datagram) => void>();
  const opened: Array<{ family: 4 | 6; bindTo?: string; bindIf?: string }> = [];
  let closed = 0;
  const open: EchoSocketOpener = (family, bind, onMessage) => {
    if (opts.openError) throw new SysError('open raw socket', opts.openError);
    opened.push({ family, ...bind });
    deliver.set(family, onMessage);
    return {
      send(payload, dst) {
        if (opts.sendError) throw new SysError(`send to ${formatIP(dst)}`, opts.sendError);
        const d = decodeIcmp(family, payload);
        assert.ok(d.ok && d.value.kind === 'echo' && !d.value.reply, 'an echo request goes out');
        sent.push({ family, dst: formatIP(dst), id: d.value.id, seq: d.value.seq, data: Uint8Array.from(d.value.data) });
      },
      close() { closed++; },
    };
  };
  /** The echo reply a host would send to `s`, optionally altered. */
  const reply = (s: Sent, over: Partial<{ id: number; seq: number; data: Uint8Array; src: string }> = {}): void => {
    const msg = encodeEcho(s.family, { reply: true, id: over.id ?? s.id, seq: over.seq ?? s.seq, data: over.data ?? s.data });
    deliver.get(s.family)!({ data: msg, src: parseIP(over.src ?? s.dst).addr });
  };
  /** A router's host unreachable quoting `s` (IPv4). */
  const unreachable = (s: Sent, from: string, id = s.id): void => {
    const echo = encodeEcho(4, { reply: false, id, seq: s.seq, data: s.data });
    const ip = Buffer.alloc(20);
    ip[0] = 0x45; ip[9] = 1; ip.set(parseIP('10.0.0.1').addr, 12); ip.set(parseIP(s.dst).addr, 16);
    const msg = Buffer.concat([Buffer.from([ICMP4.DEST_UNREACH, 1, 0, 0, 0, 0, 0, 0]), ip, echo.subarray(0, 8)]);
    msg.writeUInt16BE(internetChecksum(msg), 2);
    deliver.get(4)!({ data: msg, src: parseIP(from).addr });
  };
  return { open, sent, opened, reply, unreachable, closedCount: () => closed };
}

const tick = () => new Promise((r) => setImmediate(r));

test('a reply with our identifier, sequence, nonce and source answers its echo; anything else is ignored', async () => {
  const net = fakeNet();
  const p = new IcmpPinger(net.open, { id: 0x4242 });
  const pending = p.ping('10.0.0.9', { timeoutMs: 300 });
  await tick();
  const s = net.sent[0]!;
  assert.equal(s.id, 0x4242);
  net.reply(s, { id: 0x4243 });
  net.reply(s, { seq: (s.seq + 1) & 0xffff });
  net.reply(s, { src: '10.0.0.8' });
  net.reply(s, { data: new Uint8Array(s.data.length) });
  assert.equal(p.outstanding, 1, 'none of those answered it');
  net.reply(s);
  const r = await pending;
  assert.equal(r.ok, true);
  assert.equal(p.outstanding, 0);
  p.close();
});

test('silence is a timeout after the echo\'s own timer', async () => {
  const net = fakeNet();
  const p = new IcmpPinger(net.open);
  const t0 = performance.now();
  const r = await p.ping('2001:db8::9', { timeoutMs: 200 });
  assert.deepEqual(r, { ok: false, code: 'timeout', reason: 'no echo reply within 200 ms' });
  assert.ok(performance.now() - t0 >= 150);
  assert.equal(net.sent[0]!.family, 6);
  p.close();
});

test('a destination unreachable quoting our echo fails it; one quoting another identifier does not', async () => {
  const net = fakeNet();
  const p = new IcmpPinger(net.open, { id: 7 });
  const pending = p.ping('10.0.0.9', { timeoutMs: 500 });
  await tick();
  net.unreachable(net.sent[0]!, '10.0.0.254', 8);
  assert.equal(p.outstanding, 1);
  net.unreachable(net.sent[0]!, '10.0.0.254');
  assert.deepEqual(await pending, { ok: false, code: 'unreachable', reason: 'host unreachable (ICMP from 10.0.0.254)' });
  p.close();
});

test('concurrent echoes through one socket per family each get their own result', async () => {
  const net = fakeNet();
  const p = new IcmpPinger(net.open);
  const targets = ['10.0.0.1', '10.0.0.2', '2001:db8::1', '10.0.0.3', '2001:db8::2'];
  const results = targets.map((t) => p.ping(t, { timeoutMs: 400 }));
  await tick();
  assert.deepEqual(net.opened.map((o) => o.family), [4, 6], 'one socket per family');
  assert.equal(new Set(net.sent.map((s) => s.seq)).size, 5, 'a sequence number per echo');
  const by = (t: string) => net.sent.find((s) => s.dst === t)!;
  // Out of order: the last first; 10.0.0.2 unreachable; 2001:db8::1 never answers.
  net.reply(by('2001:db8::2'));
  net.unreachable(by('10.0.0.2'), '10.0.0.254');
  net.reply(by('10.0.0.3'));
  net.reply(by('10.0.0.1'));
  const got = await Promise.all(results);
  assert.deepEqual(got.map((r) => (r.ok ? 'ok' : r.code)), ['ok', 'unreachable', 'timeout', 'ok', 'ok']);
  // A checker with a source binding gets its own socket.
  const bound = p.ping('10.0.0.1', { timeoutMs: 50, bindTo: '10.0.0.100' });
  await bound;
  assert.deepEqual(net.opened.at(-1), { family: 4, bindTo: '10.0.0.100', bindIf: undefined });
  p.close();
  assert.equal(net.closedCount(), 3);
});

test('send and open failures are outcomes in words; close() settles what is outstanding', async () => {
  const unreach = new IcmpPinger(fakeNet({ sendError: 'ENETUNREACH' }).open);
  assert.deepEqual(await unreach.ping('10.0.0.1', { timeoutMs: 5000 }),
    { ok: false, code: 'unreachable', reason: 'send to 10.0.0.1 failed: ENETUNREACH (network is unreachable)' });
  assert.equal(unreach.outstanding, 0);
  const noRaw = new IcmpPinger(fakeNet({ openError: 'EPERM' }).open);
  const r = await noRaw.ping('10.0.0.1', { timeoutMs: 5000 });
  assert.deepEqual([r.ok, !r.ok && r.code], [false, 'error']);
  assert.match(!r.ok ? r.reason : '', /cannot open ICMP socket: open raw socket: EPERM/);
  assert.match(!r.ok ? (await noRaw.ping('not-an-ip', { timeoutMs: 10 }) as { reason: string }).reason : '', /not an IP address/);
  const net = fakeNet();
  const p = new IcmpPinger(net.open);
  const pending = p.ping('10.0.0.1', { timeoutMs: 10000 });
  p.close();
  assert.deepEqual(await pending, { ok: false, code: 'error', reason: 'pinger closed' });
  assert.deepEqual(await p.ping('10.0.0.1', { timeoutMs: 10 }), { ok: false, code: 'error', reason: 'pinger closed' });
});

const pingCheck = (over: Partial<PingCheck> = {}): PingCheck => ({
  type: 'PING_CHECK', connectTimeoutMs: 1000, retry: 1, delayBeforeRetryMs: 1000, delayLoopMs: 60000, warmupMs: 0, alpha: false, ...over,
});
const ctx: ProbeContext = { vs: {} as VirtualServer, rs: {} as RealServer, target: { address: '10.0.0.5', family: 4, port: 80 } };

test('PING_CHECK passes target, timeout and source to the pinger and reports in words', async () => {
  const calls: unknown[] = [];
  let next: PingResult = { ok: true, rttMs: 1.5 };
  const pinger: Pinger = { ping: async (t, o) => { calls.push([t, o]); return next; }, close() {} };
  const probe = pingProbe(pingCheck({ bindTo: '10.0.0.100', bindIf: 'eth1' }), ctx, pinger);
  assert.deepEqual(await probe.run(), { ok: true, code: 'ok', reason: 'echo reply from 10.0.0.5 in 2 ms', latencyMs: 1.5 });
  assert.deepEqual(calls[0], ['10.0.0.5', { timeoutMs: 1000, bindTo: '10.0.0.100', bindIf: 'eth1' }]);
  const wrongFamily = await pingProbe(pingCheck({ bindTo: '2001:db8::1' }), ctx, pinger).run();
  assert.deepEqual([wrongFamily.ok, wrongFamily.code, wrongFamily.reason], [false, 'error', 'bindto 2001:db8::1 is IPv6 but the target 10.0.0.5 is IPv4']);
  assert.equal(calls.length, 1, 'a source that cannot work never reaches the pinger');
  next = { ok: false, code: 'timeout', reason: 'no echo reply within 1 s' };
  const r = await probe.run();
  assert.deepEqual([r.ok, r.code, r.reason], [false, 'timeout', 'no echo reply within 1 s']);
});

test('PING_CHECK settles on close() and by its backstop even if a pinger never answers', async () => {
  const never: Pinger = { ping: () => new Promise(() => {}), close() {} };
  const probe = pingProbe(pingCheck({ connectTimeoutMs: 100 }), ctx, never);
  const t0 = performance.now();
  const r = await probe.run();
  assert.deepEqual([r.ok, r.code], [false, 'timeout']);
  assert.ok(performance.now() - t0 < 3000);
  const slow = pingProbe(pingCheck({ connectTimeoutMs: 10000 }), ctx, never);
  const pending = slow.run();
  slow.close();
  assert.deepEqual(await pending, { ok: false, code: 'error', reason: 'probe closed', latencyMs: 0 });
  const throwing: Pinger = { ping: () => Promise.reject(new Error('boom')), close() {} };
  const t = await pingProbe(pingCheck(), ctx, throwing).run();
  assert.deepEqual([t.ok, t.code, t.reason], [false, 'error', 'ping failed: boom']);
});
