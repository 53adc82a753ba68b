// The control socket's stream sockets over the addon (src/net/unix-stream.ts), against node's own
// net client: what the server needs of a stream (a reply larger than the socket's buffer, UTF-8
// split across reads, the peer's half-close, an idle timeout), and probeUnix's three answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeUnix, UnixConnection, UnixListener } from '../../../src/net/unix-stream.js';

interface Served { conn: UnixConnection; data: string; ended: boolean; closed: Promise<void> }

/** A listener whose connections are kept in `served`; `idleMs` for each. */
function serve(path: string, idleMs = 60_000, onData?: (s: Served) => void): { listener: UnixListener; served: Served[] } {
  const served: Served[] = [];
  const listener = UnixListener.listen(path, 16, (fd) => {
    let closed!: () => void;
    const s: Served = { conn: undefined as unknown as UnixConnection, data: '', ended: false, closed: new Promise((r) => { closed = r; }) };
    s.conn = new UnixConnection(fd, {
      data(text) { s.data += text; onData?.(s); },
      end() { s.ended = true; onData?.(s); },
      error() { /* counted by close */ },
      close() { closed(); },
    }, idleMs);
    served.push(s);
  });
  return { listener, served };
}

const client = (path: string): Promise<Socket> => new Promise((resolve, reject) => { const c = connect(path, () => resolve(c)); c.once('error', reject); });
const readAll = (c: Socket): Promise<Buffer> => new Promise((resolve) => { const parts: Buffer[] = []; c.on('data', (d: Buffer) => parts.push(d)); c.once('end', () => resolve(Buffer.concat(parts))); });
const until = async (pred: () => boolean): Promise<void> => { for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10)); assert.ok(pred(), 'in time'); };

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vk-unix-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('a reply far larger than the socket buffer arrives whole, after the request the client half-closed', withDir(async (dir) => {
  const path = join(dir, 's');
  const big = Array.from({ length: 200_000 }, (_, i) => `line ${i} ünïcödé\n`).join('');
  const { listener, served } = serve(path, 60_000, (s) => { if (s.ended) s.conn.end(`${s.data.toUpperCase()}${big}`); });
  try {
    const c = await client(path);
    const got = readAll(c);
    c.end('status\n');
    const text = (await got).toString('utf8');
    assert.equal(text.length, 'STATUS\n'.length + big.length);
    assert.ok(text === `STATUS\n${big}`, 'byte for byte');
    await served[0]!.closed;
    assert.equal(served[0]!.conn.destroyed, true, 'closed once both sides ended');
  } finally { listener.close(); }
}));

test('UTF-8 split between reads is decoded whole; writes after end are dropped', withDir(async (dir) => {
  const path = join(dir, 's');
  const { listener, served } = serve(path);
  try {
    const c = await client(path);
    const bytes = Buffer.from('€uro', 'utf8');
    c.write(bytes.subarray(0, 2));
    await until(() => served.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    c.write(bytes.subarray(2));
    await until(() => served[0]!.data === '€uro');
    const got = readAll(c);
    served[0]!.conn.end('bye\n');
    served[0]!.conn.write('too late\n');
    c.end();
    assert.equal((await got).toString(), 'bye\n');
    await served[0]!.closed;
  } finally { listener.close(); }
}));

test('a connection idle past its timeout is closed; traffic keeps it open', withDir(async (dir) => {
  const path = join(dir, 's');
  const { listener, served } = serve(path, 150);
  try {
    const c = await client(path);
    const closedAt = new Promise<number>((resolve) => c.once('close', () => resolve(Date.now())));
    c.on('error', () => {});
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) { await new Promise((r) => setTimeout(r, 80)); c.write('x'); }
    const at = await closedAt;
    assert.ok(at - t0 >= 320 + 100, `kept open while talking (closed after ${at - t0} ms)`);
    await served[0]!.closed;
    assert.equal(served[0]!.data, 'xxxx');
  } finally { listener.close(); }
}));

test('a peer that resets mid-reply costs only its own connection', withDir(async (dir) => {
  const path = join(dir, 's');
  const { listener, served } = serve(path, 60_000, (s) => { if (s.data === 'go') s.conn.write('y'.repeat(8 << 20)); });
  try {
    const c = await client(path);
    c.write('go');
    await until(() => served.length === 1 && served[0]!.data === 'go');
    c.destroy();
    await served[0]!.closed;
    const c2 = await client(path);
    await until(() => served.length === 2);
    c2.destroy();
  } finally { listener.close(); }
}));

test('probeUnix: a listener, a stale socket file, no file', withDir(async (dir) => {
  const path = join(dir, 's');
  assert.equal(probeUnix(path), 'ENOENT');
  const { listener } = serve(path);
  assert.equal(probeUnix(path), 'listening');
  listener.close();
  assert.equal(probeUnix(path), 'refused', 'the file is left behind by a listener that is gone');
}));
