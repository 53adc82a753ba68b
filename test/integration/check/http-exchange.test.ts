// The addon's exchanges (src/native/probe.c through ConnectBatch.exchange in src/check/tcp-batch.ts)
// on loopback, no privileges: the request is written as given and the reply read until the server
// closes; connected is heard before finished; a closed port is a connect failure with no
// `connected`; the size cap cuts the reply and closes the socket; a reset is ECONNRESET; an abort
// closes at once and reports nothing; replies ready together come back in one JS call.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { native } from '../../../src/net/native.js';
import { ConnectBatch, batchExchange, type ExchangeOwner, type ProbeAddon } from '../../../src/check/tcp-batch.js';
import { waitFor } from '../../support/wait.js';

const addon = native() as unknown as ProbeAddon;
const openFds = (): number => readdirSync('/proc/self/fd').length;

interface Heard extends ExchangeOwner { events: string[]; result: Promise<{ err: string | undefined; reply: string | undefined }> }
function owner(): Heard {
  let done!: (r: { err: string | undefined; reply: string | undefined }) => void;
  const o: Heard = {
    events: [],
    result: new Promise((r) => { done = r; }),
    connected() { o.events.push('connected'); },
    finished(err, reply) { o.events.push('finished'); done({ err, reply: reply?.toString('latin1') }); },
  };
  return o;
}

/** A server on 127.0.0.1 whose connections `serve` handles; what each received is kept. */
async function server(serve: (s: Socket, got: () => string) => void): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const srv = createServer((s) => {
    const k = received.push('') - 1;
    s.on('error', () => {});
    s.on('data', (d) => { received[k] += d.toString('latin1'); });
    serve(s, () => received[k]!);
  });
  await new Promise<void>((r) => srv.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => r()));
  after(() => srv.close());
  return { port: (srv.address() as { port: number }).port, received };
}

const REQ = Buffer.from('GET /x HTTP/1.0\r\nHost: h\r\n\r\n');
/** Answers once the request's blank line arrived, then closes (FIN). */
const answer = (text: string) => (s: Socket, got: () => string) => s.on('data', () => { if (got().endsWith('\r\n\r\n')) s.end(text); });

/**
 * A 204 answerer in a child process (its sockets are not this process's fds, its loop not ours):
 * it says `held` once `n` requests have arrived, and answers them all when told `go`.
 */
async function backend(n: number): Promise<{ port: number; held: Promise<void>; go(): void }> {
  const child = spawn(process.execPath, ['-e', `
    const held = [];
    process.stdin.on('data', () => { for (const h of held) h.end('HTTP/1.0 204 No Content\\r\\n\\r\\n'); });
    const s = require('node:net').createServer((c) => { let got = ''; c.on('error', () => {});
      c.on('data', (d) => { got += d; if (!got.endsWith('\\r\\n\\r\\n')) return;
        if (held.push(c) === ${n}) console.log('held'); }); });
    s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => console.log(s.address().port));`], { stdio: ['pipe', 'pipe', 'inherit'] });
  after(() => child.kill());
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((r, j) => {
    lines.once('line', (l) => r(Number(l)));
    child.once('exit', () => j(new Error('backend exited')));
  });
  const held = new Promise<void>((r) => lines.once('line', () => r()));
  return { port, held, go: () => child.stdin!.write('go\n') };
}

function batch(a: ProbeAddon = addon): ConnectBatch {
  const b = new ConnectBatch(a);
  after(() => b.close());
  return b;
}

test('the process prober runs exchanges', () => {
  assert.equal(typeof addon.probeExchange, 'function');
  assert.ok(batchExchange());
});

test('the request is written as given; the whole reply comes back at the server\'s close, after connected', async () => {
  const reply = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const { port, received } = await server(answer(reply));
  const b = batch();
  const o = owner();
  assert.notEqual(typeof b.exchange('127.0.0.1', 4, port, REQ, 1 << 20, o), 'string');
  assert.deepEqual(await o.result, { err: undefined, reply });
  assert.deepEqual(o.events, ['connected', 'finished']);
  assert.deepEqual(received, [REQ.toString('latin1')]);
  assert.equal(b.pending(), 0);
});

test('a reply larger than the socket buffers is read whole', async () => {
  const body = 'x'.repeat(3 * 1024 * 1024);
  const { port } = await server(answer(`HTTP/1.0 200 OK\r\n\r\n${body}`));
  const o = owner();
  batch().exchange('127.0.0.1', 4, port, REQ, 4 << 20, o);
  const r = await o.result;
  assert.equal(r.err, undefined);
  assert.equal(r.reply?.length, body.length + 19);
});

test('a closed port fails the connect: no connected, ECONNREFUSED; a bad address is returned at once', async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  const b = batch();
  const o = owner();
  b.exchange('127.0.0.1', 4, port, REQ, 1024, o);
  assert.deepEqual(await o.result, { err: 'ECONNREFUSED', reply: undefined });
  assert.deepEqual(o.events, ['finished']);
  assert.equal(b.exchange('not an address', 4, 80, REQ, 1024, owner()), 'EINVAL');
});

test('the size cap cuts the reply at max bytes (EMSGSIZE) and closes the socket', async () => {
  let closed = false;
  const { port } = await server((s) => {
    const chunk = Buffer.alloc(64 * 1024, 'y');
    const pump = () => { while (!s.destroyed && s.write(chunk)); };
    s.on('drain', pump);
    s.on('close', () => { closed = true; });
    pump();
  });
  const o = owner();
  batch().exchange('127.0.0.1', 4, port, REQ, 100_000, o);
  const r = await o.result;
  assert.equal(r.err, 'EMSGSIZE');
  assert.equal(r.reply?.length, 100_000);
  await waitFor(() => closed, 5000);
});

test('a reset while reading is ECONNRESET, with what was read before it', async () => {
  const { port } = await server((s, got) => s.on('data', () => { if (got().endsWith('\r\n\r\n')) { s.write('HTTP/1.0 200 OK\r\n'); setTimeout(() => s.resetAndDestroy(), 50); } }));
  const o = owner();
  batch().exchange('127.0.0.1', 4, port, REQ, 1024, o);
  const r = await o.result;
  assert.equal(r.err, 'ECONNRESET');
  assert.equal(r.reply, 'HTTP/1.0 200 OK\r\n');
  assert.deepEqual(o.events, ['connected', 'finished']);
});

test('abort closes the socket at once and reports nothing; many exchanges come back in few JS calls', async () => {
  const N = 300;
  const back = await backend(N);
  const hang = await server(() => { /* never answers */ });
  let calls = 0;
  const b = batch({ ...addon, probeOpen: (ids, errs, cb, kinds) => addon.probeOpen(ids, errs, (n) => { calls++; cb(n); }, kinds) });
  const idle = Array.from({ length: 20 }, () => owner());
  const xs = idle.map((o) => b.exchange('127.0.0.1', 4, hang.port, REQ, 1024, o));
  await waitFor(() => hang.received.length === 20 && hang.received.every((r) => r.length > 0), 5000);
  // The server's 20 ends live in this process too: only the prober's 20 close.
  const open = openFds();
  assert.equal(b.pending(), 20);
  for (const x of xs) if (typeof x !== 'string') x.close();
  assert.equal(openFds(), open - 20);
  assert.equal(b.pending(), 0);
  const before = openFds();
  const owners = Array.from({ length: N }, () => owner());
  for (const o of owners) assert.notEqual(typeof b.exchange('127.0.0.1', 4, back.port, REQ, 1024, o), 'string');
  await back.held;
  // Every reply is queued while this thread sleeps; they then come back in one wake-up.
  calls = 0;
  back.go();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  const results = await Promise.all(owners.map((o) => o.result));
  assert.ok(results.every((r) => r.err === undefined && r.reply === 'HTTP/1.0 204 No Content\r\n\r\n'));
  // 300 results; a callback per socket would be 300 calls.
  assert.ok(calls <= 3, `${calls} JS calls for ${N} replies ready together`);
  assert.ok(idle.every((o) => o.events.length <= 1 && !o.events.includes('finished')), 'aborted exchanges report nothing after the abort');
  assert.equal(b.pending(), 0);
  assert.ok(openFds() <= before, 'every exchange\'s socket closed');
});

test('bad arguments are TypeErrors / RangeErrors; a prober opened without kinds refuses exchanges', () => {
  const p = addon.probeOpen(new Int32Array(4), new Int32Array(4), () => {});
  try {
    assert.throws(() => addon.probeExchange!(p, 0, 4, '127.0.0.1', 80, REQ, 10), TypeError);
  } finally { addon.probeClose(p); }
  const q = addon.probeOpen(new Int32Array(4), new Int32Array(4), () => {}, new Int32Array(4));
  try {
    assert.throws(() => addon.probeExchange!(q, 0, 4, '127.0.0.1', 80, Buffer.alloc(0), 10), RangeError);
    assert.throws(() => addon.probeExchange!(q, 0, 4, '127.0.0.1', 80, REQ, 0), RangeError);
    assert.throws(() => addon.probeExchange!(q, 0, 4, '127.0.0.1', 80, 'GET' as unknown as Buffer, 10), TypeError);
    assert.equal(addon.probeTake!(q, 3), undefined);
  } finally { addon.probeClose(q); }
});
