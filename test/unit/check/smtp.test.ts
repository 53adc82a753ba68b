// SMTP_CHECK against tiny SMTP-like servers the test starts on 127.0.0.1 (and ::1): a good
// exchange, a 554 banner, a refused HELO, a server that never greets, multi-line replies, replies
// split across packets, a closed port and a server that hangs up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { smtpProbe, takeReply } from '../../../src/check/smtp.js';
import type { SmtpCheck } from '../../../src/config/model.js';
import { common, probeContext } from './probe-fixtures.js';

interface Script {
  /** Written on connect (may be several writes, to split a reply across packets). */
  banner?: string[];
  /** Answer to the HELO line. */
  helo?: string;
}

/** A server that speaks `script` and records what clients sent, line by line. */
async function smtpServer(script: Script, host = '127.0.0.1'): Promise<{ server: Server; port: number; lines: string[]; closed: Promise<void> }> {
  const lines: string[] = [];
  let onClosed!: () => void;
  const closed = new Promise<void>((r) => { onClosed = r; });
  const server = createServer((c: Socket) => {
    c.on('error', () => { /* the probe may reset */ });
    c.on('close', () => onClosed());
    // Parts go out 20 ms apart so that a reply split across packets really arrives split.
    const parts = [...(script.banner ?? [])];
    const next = (): void => { const p = parts.shift(); if (p !== undefined && !c.destroyed) { c.write(p); setTimeout(next, 20); } };
    next();
    let buf = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        lines.push(line);
        if (line.startsWith('HELO ') && script.helo !== undefined) c.write(script.helo);
        if (line === 'QUIT') c.end('221 2.0.0 Bye\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, port: (server.address() as AddressInfo).port, lines, closed };
}

function smtp(over: Partial<SmtpCheck> = {}): SmtpCheck {
  return { ...common({ connectTimeoutMs: 3000 }), type: 'SMTP_CHECK', heloName: 'director.test', ...over };
}

async function probeOnce(port: number, check = smtp(), address = '127.0.0.1') {
  const p = smtpProbe(check, probeContext({ address, family: address.includes(':') ? 6 : 4, port }));
  try { return await p.run(); } finally { p.close(); }
}

test('220 banner, HELO answered 250, then QUIT and the connection closes', async () => {
  const s = await smtpServer({ banner: ['220 mx.test ESMTP ready\r\n'], helo: '250 mx.test\r\n' });
  try {
    const r = await probeOnce(s.port);
    assert.deepEqual({ ok: r.ok, code: r.code }, { ok: true, code: 'ok' }, r.reason);
    await s.closed;
    assert.deepEqual(s.lines, ['HELO director.test', 'QUIT']);
  } finally { s.server.close(); }
});

test('helo_name defaults to the host name', async () => {
  const s = await smtpServer({ banner: ['220 ok\r\n'], helo: '250 ok\r\n' });
  try {
    const p = smtpProbe({ ...smtp(), heloName: undefined }, probeContext({ port: s.port }), { hostname: () => 'lb1.example' });
    assert.equal((await p.run()).ok, true);
    p.close();
    await s.closed;
    assert.equal(s.lines[0], 'HELO lb1.example');
  } finally { s.server.close(); }
});

test('a 554 banner is down with the code in words, and no HELO is sent', async () => {
  const s = await smtpServer({ banner: ['554 5.3.2 No service\r\n'], helo: '250 ok\r\n' });
  try {
    const r = await probeOnce(s.port);
    assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'banner' });
    assert.match(r.reason, /^SMTP banner 554/);
    assert.ok(!s.lines.some((l) => l.startsWith('HELO')));
  } finally { s.server.close(); }
});

test('a HELO refused with 5xx is down', async () => {
  const s = await smtpServer({ banner: ['220 mx\r\n'], helo: '550 5.7.1 go away\r\n' });
  try {
    const r = await probeOnce(s.port);
    assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'helo' });
    assert.match(r.reason, /^SMTP HELO answered 550: 5\.7\.1 go away/);
  } finally { s.server.close(); }
});

test('a server that never sends a banner times out within connect_timeout', async () => {
  const s = await smtpServer({});
  try {
    const started = Date.now();
    const r = await probeOnce(s.port, smtp({ connectTimeoutMs: 500 }));
    const took = Date.now() - started;
    assert.deepEqual({ ok: r.ok, code: r.code, reason: r.reason }, { ok: false, code: 'timeout', reason: 'SMTP banner timed out after 500 ms' });
    assert.ok(took >= 450 && took < 5000, `took ${took} ms`);
  } finally { s.server.close(); }
});

test('multi-line replies are read to their last line, even split across packets', async () => {
  const s = await smtpServer({
    banner: ['220-mx.test first line\r\n220-', 'second\r\n', '220 ready\r\n'],
    helo: '250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n',
  });
  try {
    const r = await probeOnce(s.port);
    assert.equal(r.ok, true, r.reason);
    await s.closed;
    assert.deepEqual(s.lines, ['HELO director.test', 'QUIT'], 'one HELO after the whole banner, not one per line');
  } finally { s.server.close(); }
});

test('a multi-line banner that ends in an error code is down', async () => {
  const s = await smtpServer({ banner: ['220-hello\r\n421 too busy\r\n'] });
  try {
    const r = await probeOnce(s.port);
    assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'banner' });
    assert.match(r.reason, /^SMTP banner 421/);
  } finally { s.server.close(); }
});

test('garbage, a hang-up and a closed port are down with words', async () => {
  const junk = await smtpServer({ banner: ['HTTP/1.1 400 Bad Request\r\n'] });
  try {
    const r = await probeOnce(junk.port);
    assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'banner' });
    assert.match(r.reason, /malformed reply line "HTTP\/1\.1 400/);
  } finally { junk.server.close(); }

  const rude = createServer((c) => c.destroy());
  await new Promise<void>((res) => rude.listen(0, '127.0.0.1', res));
  try {
    const r = await probeOnce((rude.address() as AddressInfo).port);
    assert.equal(r.ok, false);
    assert.match(r.reason, /closed before the SMTP banner|reset/);
  } finally { rude.close(); }

  // A port that was just listening and is now closed: connection refused.
  const gone = createServer();
  await new Promise<void>((res) => gone.listen(0, '127.0.0.1', res));
  const port = (gone.address() as AddressInfo).port;
  await new Promise<void>((res) => gone.close(() => res()));
  const r = await probeOnce(port);
  assert.deepEqual({ ok: r.ok, code: r.code, reason: r.reason }, { ok: false, code: 'refused', reason: `connection refused by 127.0.0.1:${port}` });
});

test('IPv6 loopback works; a line break in helo_name is refused before connecting', async () => {
  const s = await smtpServer({ banner: ['220 v6\r\n'], helo: '250 v6\r\n' }, '::1');
  try {
    assert.equal((await probeOnce(s.port, smtp(), '::1')).ok, true);
    const bad = await probeOnce(s.port, smtp({ heloName: 'x\r\nMAIL FROM:<a@b>' }), '::1');
    assert.deepEqual({ ok: bad.ok, code: bad.code }, { ok: false, code: 'error' });
  } finally { s.server.close(); }
});

test('close() settles a run in flight; takeReply parses replies by hand', async () => {
  const s = await smtpServer({});
  try {
    const p = smtpProbe(smtp(), probeContext({ port: s.port }));
    const pending = p.run();
    setTimeout(() => p.close(), 100);
    const r = await pending;
    assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: 'closed' });
  } finally { s.server.close(); }
  assert.deepEqual(takeReply('250-a\r\n250 b\r\nrest'), { reply: { code: 250, text: 'a b' }, rest: 'rest' });
  assert.deepEqual(takeReply('250\n'), { reply: { code: 250, text: '' }, rest: '' });
  assert.deepEqual(takeReply('250-a\r\n25'), { rest: '250-a\r\n25' });
  assert.match(takeReply('25x ok\r\n').error ?? '', /malformed/);
});

test('bindto sets the source address; a bindto of the wrong family is refused in words', async () => {
  let from = '';
  const s = await smtpServer({ banner: ['220 ok\r\n'], helo: '250 ok\r\n' });
  s.server.on('connection', (c) => { from = c.remoteAddress ?? ''; });
  try {
    assert.equal((await probeOnce(s.port, smtp({ bindTo: '127.0.0.2' }))).ok, true);
    assert.equal(from, '127.0.0.2');
    const bad = await probeOnce(s.port, smtp({ bindTo: '::1' }));
    assert.deepEqual({ ok: bad.ok, code: bad.code }, { ok: false, code: 'error' });
    assert.match(bad.reason, /bindto ::1 is IPv6/);
  } finally { s.server.close(); }
});
