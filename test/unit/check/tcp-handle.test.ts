// The bare TCP connect (src/check/tcp-handle.ts) on loopback: a handshake completes and is closed
// with a FIN (the server reads end of stream, no reset and no byte); a closed port is ECONNREFUSED;
// closing a connection before it completes tells nobody; an impossible connect is returned.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { bareTcp, type BareOwner } from '../../../src/check/tcp-handle.js';

const connect = bareTcp!;

function owner(): BareOwner & { result: Promise<string | undefined>; calls: number } {
  let done!: (e: string | undefined) => void;
  const o = { calls: 0, result: new Promise<string | undefined>((r) => { done = r; }), connected(e: string | undefined) { o.calls++; done(e); } };
  return o;
}

test('this node has the TCP handle binding (else TCP_CHECK silently runs on net.Socket)', () => {
  assert.equal(typeof bareTcp, 'function');
});

test('a handshake completes and close() sends a FIN: the server sees end of stream, no byte, no reset', async () => {
  const ends: Promise<{ bytes: number; error?: string }>[] = [];
  const server = createServer((s: Socket) => {
    ends.push(new Promise((r) => {
      let bytes = 0;
      s.on('data', (d) => { bytes += d.length; });
      s.on('error', (e: NodeJS.ErrnoException) => r({ bytes, error: e.code }));
      s.on('end', () => { r({ bytes }); s.end(); });
    }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const o = owner();
  const c = connect('127.0.0.1', 4, port, o);
  assert.notEqual(typeof c, 'string');
  assert.equal(await o.result, undefined);
  (c as { close(): void }).close();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ends.length, 1);
  assert.deepEqual(await ends[0], { bytes: 0 });
  assert.equal(o.calls, 1);
});

test('a closed port is ECONNREFUSED, over IPv6 too', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const o = owner();
  connect('127.0.0.1', 4, port, o);
  assert.equal(await o.result, 'ECONNREFUSED');
  const o6 = owner();
  const c6 = connect('::1', 6, port, o6);
  // A host without IPv6 on loopback answers at once (EADDRNOTAVAIL) instead.
  assert.ok(typeof c6 === 'string' ? /^E/.test(c6) : ['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENETUNREACH'].includes((await o6.result)!));
});

test('close() before the connect completes tells the owner nothing', async () => {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  after(() => server.close());
  const o = owner();
  const c = connect('127.0.0.1', 4, (server.address() as { port: number }).port, o);
  (c as { close(): void }).close();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(o.calls, 0);
});

test('an address the kernel cannot connect to is returned as an errno name, not thrown', () => {
  const o = owner();
  const c = connect('not-an-address', 4, 80, o);
  assert.equal(c, 'EINVAL');
  assert.equal(o.calls, 0);
});
