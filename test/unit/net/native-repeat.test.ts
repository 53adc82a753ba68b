// The addon's repeated sends (src/native/repeat.c), without privileges: an addon UDP socket repeats
// datagrams to loopback listeners. What the VRRP master relies on: each packet once per slot,
// counts that match what arrived, nothing after stop or close, failures reported, arguments
// checked, silence when the event loop stops renewing the lease, and a worker ending with a
// repeat running does not abort the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { K, native } from '../../../src/net/native.js';
import { sockaddrIn } from '../../../src/net/sockaddr.js';

const ADDON = fileURLToPath(new URL('../../../build/Release/vipkeeper_sock.node', import.meta.url));
const LO = new Uint8Array([127, 0, 0, 1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noError = () => { throw new Error('no send should fail'); };

async function listener(): Promise<{ sock: Socket; port: number; got: { t: number; data: string }[] }> {
  const sock = createSocket('udp4');
  const got: { t: number; data: string }[] = [];
  sock.on('message', (m) => got.push({ t: performance.now(), data: m.toString() }));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { sock, port: sock.address().port, got };
}

// Every test holds a long lease: the lease itself is tested on its own below.
const udp = () => { native().repeatLease(60e9); return native().socket(K('AF_INET'), K('SOCK_DGRAM'), 0); };

test('each packet goes to its own address once per interval; counts match; nothing after stop', async () => {
  const [l1, l2] = [await listener(), await listener()];
  const fd = udp();
  try {
    const t0 = performance.now();
    const id = native().repeatStart(fd, [Buffer.from('one'), Buffer.from('two')], [sockaddrIn(LO, l1.port), sockaddrIn(LO, l2.port)], 50e6, 10e6, noError);
    await sleep(400);
    const live = native().repeatCounts(id)!;
    const final = native().repeatStop(id)!;
    await sleep(100);
    assert.ok(l1.got.length >= 10 && l1.got.length <= 40, `${l1.got.length} datagrams in ~350 ms at 10 ms`);
    assert.ok(l1.got.every((g) => g.data === 'one') && l2.got.every((g) => g.data === 'two'), 'each packet to its own address');
    assert.ok(l1.got[0]!.t - t0 >= 45, `the first one waits firstNs (${(l1.got[0]!.t - t0).toFixed(1)} ms)`);
    assert.deepEqual(final, [l1.got.length + l2.got.length, 0], 'sent = received, no failure');
    assert.ok(live[0] <= final[0]);
    assert.equal(native().repeatCounts(id), null, 'a stopped id is gone');
    assert.equal(native().repeatStop(id), null);
    const n = l1.got.length;
    await sleep(60);
    assert.equal(l1.got.length, n, 'nothing after stop');
  } finally { native().close(fd); l1.sock.close(); l2.sock.close(); }
});

test('closing the socket stops its repeats (the fd number may be reused at once)', async () => {
  const l = await listener();
  const fd = udp();
  const id = native().repeatStart(fd, [Buffer.from('x')], [sockaddrIn(LO, l.port)], 0, 5e6, noError);
  await sleep(100);
  native().close(fd);
  assert.equal(native().repeatCounts(id), null);
  await sleep(20); // datagrams already sent are still being read
  const n = l.got.length;
  assert.ok(n >= 5, `${n} before close`);
  await sleep(60);
  assert.equal(l.got.length, n, 'nothing after close');
  l.sock.close();
});

test('failed sends are reported with the errno, about once per 100, and counted', async () => {
  const fd = udp();
  const reports: { code: string | undefined; errors: number }[] = [];
  // A UDP payload over 65,507 bytes cannot be sent: EMSGSIZE every time.
  const id = native().repeatStart(fd, [Buffer.alloc(65535)], [sockaddrIn(LO, 9)], 0, 1e6, (e, errors) => { reports.push({ code: e.code, errors }); });
  try {
    for (let i = 0; i < 100 && native().repeatCounts(id)![1] < 105; i++) await sleep(20);
    const [sent, errors] = native().repeatStop(id)!;
    assert.equal(sent, 0);
    assert.ok(errors >= 105, `${errors} failures`);
    // Reported from the sender thread through the event loop: the count is the one at delivery,
    // and two reports still pending merge into one.
    await sleep(20);
    assert.ok(reports.length >= 1 && reports.length <= Math.ceil(errors / 100), `${reports.length} reports for ${errors} failures`);
    assert.ok(reports.every((r) => r.code === 'EMSGSIZE' && r.errors >= 1 && r.errors <= errors));
    assert.ok(reports[0]!.errors < 100, 'the first failure is reported at once');
  } finally { native().close(fd); }
});

test('arguments are checked before anything starts', () => {
  const fd = udp();
  try {
    const sa = sockaddrIn(LO, 9), p = Buffer.from('x');
    assert.throws(() => native().repeatStart(fd, [], [], 0, 1e6, noError), RangeError);
    assert.throws(() => native().repeatStart(fd, [p, p], [sa], 0, 1e6, noError), RangeError);
    assert.throws(() => native().repeatStart(fd, Array(17).fill(p), Array(17).fill(sa), 0, 1e6, noError), RangeError);
    assert.throws(() => native().repeatStart(fd, [p], [sa], 0, 1e3, noError), RangeError, 'an interval under 0.1 ms');
    assert.throws(() => native().repeatStart(fd, [p], [sa], -1, 1e6, noError), RangeError);
    assert.throws(() => native().repeatStart(fd, [Buffer.alloc(0)], [sa], 0, 1e6, noError), RangeError);
    assert.throws(() => native().repeatStart(fd, [p], [Buffer.alloc(200)], 0, 1e6, noError), RangeError);
    assert.throws(() => native().repeatStart(fd, [p], [sa], 0, 1e6, 'cb' as never), TypeError);
    assert.throws(() => native().repeatStart(9999, [p], [sa], 0, 1e6, noError), /EBADF/);
  } finally { native().close(fd); }
});

test('a worker that ends with a repeat running does not abort the process', () => {
  const code = `
    const { Worker } = require('node:worker_threads');
    const body = \`
      const n = require(${JSON.stringify(ADDON)});
      const fd = n.socket(n.constants.AF_INET, n.constants.SOCK_DGRAM, 0);
      const sa = Buffer.alloc(16); sa.writeUInt16LE(n.constants.AF_INET, 0); sa.writeUInt16BE(9, 2); sa.set([127, 0, 0, 1], 4);
      n.repeatStart(fd, [Buffer.from('x')], [sa], 0, 1e6, () => {});
      n.repeatStart(fd, [Buffer.from('y')], [sa], 0, 2e6, () => {});
      setTimeout(() => require('node:worker_threads').parentPort.postMessage('up'), 30);\`;
    const w = new Worker(body, { eval: true });
    w.on('message', () => w.terminate());
    w.on('exit', () => console.log('main alive'));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 15000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'main alive');
});

test('a blocked event loop stops renewing the lease, and the sends stop until it runs again', async () => {
  const l = await listener();
  // The child renews a 300 ms lease every 50 ms, repeats every 10 ms, then blocks its loop for 1.5 s.
  const code = `
    const n = require(${JSON.stringify(ADDON)});
    const fd = n.socket(n.constants.AF_INET, n.constants.SOCK_DGRAM, 0);
    const sa = Buffer.alloc(16); sa.writeUInt16LE(n.constants.AF_INET, 0); sa.writeUInt16BE(${l.port}, 2); sa.set([127, 0, 0, 1], 4);
    const renew = () => n.repeatLease(300e6);
    renew(); setInterval(renew, 50);
    n.repeatStart(fd, [Buffer.from('x')], [sa], 0, 10e6, () => {});
    setTimeout(() => { const end = Date.now() + 1500; while (Date.now() < end); }, 500);
    setTimeout(() => process.exit(0), 2500);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'inherit' });
  const exited = new Promise((r) => child.on('exit', r));
  await exited;
  await sleep(50);
  l.sock.close();
  const gaps = l.got.slice(1).map((g, i) => ({ at: g.t - l.got[0]!.t, gap: g.t - l.got[i]!.t }));
  const long = gaps.filter((g) => g.gap > 100);
  assert.equal(long.length, 1, `one silence: ${JSON.stringify(long)}`);
  assert.ok(long[0]!.gap > 900 && long[0]!.gap < 1500, `silent ${long[0]!.gap.toFixed(0)} ms of the 1.5 s block (the lease ran out ~300 ms in)`);
  assert.ok(gaps.filter((g) => g.at < long[0]!.at - long[0]!.gap).length > 40, 'sending before the block and during the lease');
  assert.ok(gaps.filter((g) => g.at > long[0]!.at).length > 20, 'sending again once the loop renews the lease');
});
