// The addon's batched connect probe (src/native/probe.c through src/check/tcp-batch.ts) on
// loopback, no privileges: a handshake is reported and closed with a FIN; a closed port is
// ECONNREFUSED; an abort closes the socket at once (counted in /proc/self/fd) and reports nothing;
// thousands of connects come back in a few JS calls, not one per socket; a worker thread that
// ends with connects pending leaves no fd behind and does not abort the process.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { native } from '../../../src/net/native.js';
import { ConnectBatch, batchTcp, type ProbeAddon } from '../../../src/check/tcp-batch.js';
import type { BareConnection } from '../../../src/check/tcp-handle.js';
import { waitFor } from '../../support/wait.js';

const ADDON = fileURLToPath(new URL('../../../build/Release/vipkeeper_sock.node', import.meta.url));
const addon = native() as unknown as ProbeAddon;
const openFds = (): number => readdirSync('/proc/self/fd').length;

/** The addon with its batch callback counted. */
function counted(): { addon: ProbeAddon; calls: () => number } {
  let calls = 0;
  return {
    addon: { ...addon, probeOpen: (ids, errs, cb, kinds) => addon.probeOpen(ids, errs, (n) => { calls++; cb(n); }, kinds) },
    calls: () => calls,
  };
}

function owner(): { connected(e: string | undefined): void; result: Promise<string | undefined>; calls: number } {
  let done!: (e: string | undefined) => void;
  const o = { calls: 0, result: new Promise<string | undefined>((r) => { done = r; }), connected(e: string | undefined) { o.calls++; done(e); } };
  return o;
}

async function listen(onConn: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConn);
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => r()));
  after(() => server.close());
  return { server, port: (server.address() as { port: number }).port };
}

/** A loopback server in a child process, so that /proc/self/fd counts only the probe's sockets. */
async function backend(): Promise<{ port: number }> {
  const child = spawn(process.execPath, ['-e', `
    const s = require('node:net').createServer((c) => c.on('error', () => {}).on('end', () => c.end()));
    s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  after(() => child.kill());
  const port = await new Promise<number>((r, j) => {
    child.stdout.once('data', (d: Buffer) => r(Number(d.toString())));
    child.once('exit', () => j(new Error('backend exited')));
  });
  return { port };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('the addon has the probe, and TCP_CHECK uses it', () => {
  assert.equal(typeof addon.probeOpen, 'function');
  assert.equal(typeof batchTcp(), 'function');
});

test('a handshake is reported as connected and closed with a FIN: the server reads end of stream, no byte, no reset', async () => {
  const seen: Promise<{ bytes: number; error?: string }>[] = [];
  const { port } = await listen((s) => {
    seen.push(new Promise((r) => {
      let bytes = 0;
      s.on('data', (d) => { bytes += d.length; });
      s.on('error', (e: NodeJS.ErrnoException) => r({ bytes, error: e.code }));
      s.on('end', () => { r({ bytes }); s.end(); });
    }));
  });
  const b = new ConnectBatch(addon);
  after(() => b.close());
  const o = owner();
  const c = b.connect('127.0.0.1', 4, port, o);
  assert.notEqual(typeof c, 'string');
  assert.equal(await o.result, undefined);
  await waitFor(() => seen.length === 1, 5000);
  assert.deepEqual(await seen[0], { bytes: 0 });
  (c as BareConnection).close(); // after the report: a no-op
  assert.equal(o.calls, 1);
  assert.equal(b.pending(), 0);
});

test('a closed port is ECONNREFUSED; a bad address is returned at once, never thrown', async () => {
  const b = new ConnectBatch(addon);
  after(() => b.close());
  const o = owner();
  assert.notEqual(typeof b.connect('127.0.0.1', 4, await closedPort(), o), 'string');
  assert.equal(await o.result, 'ECONNREFUSED');
  assert.equal(b.connect('not an address', 4, 80, owner()), 'EINVAL');
  assert.equal(b.connect('::1', 4, 80, owner()), 'EINVAL');
  assert.equal(b.pending(), 0);
});

test('abort closes the socket at once and nothing is reported; the slot is reused', async () => {
  const { port } = await backend();
  const b = new ConnectBatch(addon);
  after(() => b.close());
  const before = openFds();
  const owners = Array.from({ length: 50 }, () => owner());
  const conns = owners.map((o) => b.connect('127.0.0.1', 4, port, o) as BareConnection);
  assert.equal(openFds(), before + 50);
  assert.equal(b.pending(), 50);
  for (const c of conns) c.close();
  assert.equal(openFds(), before);
  assert.equal(b.pending(), 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(owners.reduce((n, o) => n + o.calls, 0), 0);
  const o = owner();
  b.connect('127.0.0.1', 4, port, o);
  assert.equal(await o.result, undefined);
});

test('thousands of connects in flight come back in a few JS calls, one result each', async () => {
  const { port } = await backend();
  const { addon: spy, calls } = counted();
  const b = new ConnectBatch(spy);
  after(() => b.close());
  const before = openFds();
  const N = 1500;
  const owners = Array.from({ length: N }, () => owner());
  for (const o of owners) assert.notEqual(typeof b.connect('127.0.0.1', 4, port, o), 'string');
  const results = await Promise.all(owners.map((o) => o.result));
  assert.deepEqual(new Set(results), new Set([undefined]));
  assert.ok(owners.every((o) => o.calls === 1));
  // One call per wake-up of up to 1,024 events; a callback per socket would be 1,500.
  assert.ok(calls() <= N / 10, `${calls()} JS calls for ${N} connects`);
  assert.equal(openFds(), before);
});

test('IPv6 loopback connects through the same probe', async () => {
  const server = createServer((s) => s.on('error', () => {}).on('end', () => s.end()));
  const ok = await new Promise<boolean>((r) => { server.once('error', () => r(false)); server.listen(0, '::1', () => r(true)); });
  after(() => server.close());
  if (!ok) return; // no IPv6 loopback on this host: nothing to connect to
  const b = new ConnectBatch(addon);
  after(() => b.close());
  const o = owner();
  b.connect('::1', 6, (server.address() as { port: number }).port, o);
  assert.equal(await o.result, undefined);
});

test('close() with connects pending closes every socket, reports nothing; later calls throw EBADF', async () => {
  const { port } = await backend();
  const before = openFds();
  const b = new ConnectBatch(addon);
  const owners = Array.from({ length: 20 }, () => owner());
  for (const o of owners) b.connect('127.0.0.1', 4, port, o);
  assert.equal(openFds(), before + 21); // and the probe's epoll fd
  b.close();
  b.close();
  assert.equal(openFds(), before);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(owners.reduce((n, o) => n + o.calls, 0), 0);
  assert.throws(() => addon.probeConnect((b as unknown as { handle: unknown }).handle, 0, 4, '127.0.0.1', port), { code: 'EBADF' });
});

test('bad arguments are TypeErrors / RangeErrors, not crashes', () => {
  assert.throws(() => addon.probeOpen(new Int32Array(0), new Int32Array(4), () => {}), TypeError);
  assert.throws(() => addon.probeOpen(new Int32Array(4), new Int32Array(4), 1 as unknown as () => void), TypeError);
  assert.throws(() => addon.probeConnect({}, 0, 4, '127.0.0.1', 80), TypeError);
  const p = addon.probeOpen(new Int32Array(4), new Int32Array(4), () => {});
  try {
    assert.throws(() => addon.probeConnect(p, -1, 4, '127.0.0.1', 80), RangeError);
    assert.throws(() => addon.probeConnect(p, 0, 5 as 4, '127.0.0.1', 80), RangeError);
    assert.throws(() => addon.probeConnect(p, 0, 4, '127.0.0.1', 0), RangeError);
    assert.throws(() => addon.probeConnect(p, 0, 4, 7 as unknown as string, 80), TypeError);
    assert.equal(addon.probeAbort(p, 12345), false);
  } finally { addon.probeClose(p); }
});

test('an idle probe does not keep node alive; a pending one does until it is reported', async () => {
  const { port } = await backend();
  const code = `
    const n = require(${JSON.stringify(ADDON)});
    const ids = new Int32Array(8), errs = new Int32Array(8);
    const p = n.probeOpen(ids, errs, (k) => { console.log('reported', k, errs[0]); });
    if (process.argv[1] === 'connect') n.probeConnect(p, 0, 4, '127.0.0.1', ${port});`;
  const idle = spawnSync(process.execPath, ['-e', code, 'idle'], { timeout: 10_000, encoding: 'utf8' });
  assert.equal(idle.status, 0);
  assert.equal(idle.stdout, '');
  const busy = spawnSync(process.execPath, ['-e', code, 'connect'], { timeout: 10_000, encoding: 'utf8' });
  assert.equal(busy.status, 0);
  assert.equal(busy.stdout, 'reported 1 0\n');
});

test('a worker thread that ends with connects pending leaves no fd open and does not abort the process', async () => {
  const { port } = await backend();
  for (const how of ['terminate', 'exit', 'natural']) {
    const before = openFds();
    const w = new Worker(`
      const n = require(${JSON.stringify(ADDON)});
      const { parentPort } = require('node:worker_threads');
      const p = n.probeOpen(new Int32Array(16), new Int32Array(16), () => {});
      for (let i = 0; i < 40; i++) n.probeConnect(p, i, 4, '127.0.0.1', ${port});
      parentPort.postMessage(n.probePending(p));
      if ('${how}' === 'exit') process.exit(0);
      if ('${how}' === 'natural') n.probeClose(n.probeOpen(new Int32Array(1), new Int32Array(1), () => {}));
      else setInterval(() => {}, 1000);`, { eval: true });
    // Listening for the exit before the message: with 'exit' it may come right behind it.
    const exited = new Promise((r) => w.once('exit', r));
    const pending = await new Promise<number>((r) => w.once('message', r));
    assert.equal(pending, 40);
    if (how === 'terminate') await w.terminate();
    await exited;
    // The worker's own fds (its loop's epoll, its eventfds) close with it as well.
    await waitFor(() => openFds() <= before, 5000);
    assert.ok(openFds() <= before, `${how}: ${openFds()} fds open, ${before} before`);
  }
});
