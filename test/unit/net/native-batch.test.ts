// The addon's batch receive (one recvmmsg and one JS call per wake-up into caller memory) and its
// eBPF primitives: delivery, closing from inside the callback, a worker torn down while watching,
// and argument checks that throw instead of reading or writing past a buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NLM_F, NLMSG, encodeMessage } from '../../../src/codec/netlink/message.js';
import { RTM, encodeLinkRequest } from '../../../src/codec/netlink/rtnl.js';
import { K, native } from '../../../src/net/native.js';
import { sockaddrNl } from '../../../src/net/sockaddr.js';
import { BATCH_META } from '../../../src/net/recv-batch.js';

const ADDON = fileURLToPath(new URL('../../../build/Release/vipkeeper_sock.node', import.meta.url));
const dumpLinks = (seq: number): Buffer => encodeMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq, pid: 0, payload: encodeLinkRequest() });
const mem = (slot: number, max: number) => ({ data: Buffer.alloc(slot * max), meta: new Int32Array(max * BATCH_META), addrs: Buffer.alloc(max * 32) });

test('a batch holds whole datagrams at slot boundaries with their lengths, one call per wake-up', async () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    n.bind(fd, sockaddrNl());
    const m = mem(32 * 1024, 8);
    const seen: number[] = [];
    await new Promise<void>((resolve, reject) => {
      n.startReceiveBatch(fd, m.data, m.meta, m.addrs, 32 * 1024, (err, count) => {
        if (err) return reject(err);
        for (let i = 0; i < count!; i++) {
          const len = m.meta[i * BATCH_META]!;
          assert.ok(len > 16, `datagram ${i} length ${len}`);
          // Each datagram starts at its slot with a netlink header whose length fits what was read.
          const first = m.data.readUInt32LE(i * 32 * 1024);
          assert.ok(first <= len, `${first} > ${len}`);
          seen.push(m.data.readUInt16LE(i * 32 * 1024 + 4));
          if (seen.at(-1) === NLMSG.DONE) resolve();
        }
      });
      n.sendto(fd, dumpLinks(1), sockaddrNl());
    });
    assert.equal(seen.at(-1), NLMSG.DONE);
  } finally { n.close(fd); }
});

test('closing the socket inside the batch callback ends delivery; truncation is reported as length -1', async () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  n.bind(fd, sockaddrNl());
  const m = mem(64, 4); // far smaller than a link dump message
  let calls = 0;
  const lens: number[] = [];
  await new Promise<void>((resolve) => {
    n.startReceiveBatch(fd, m.data, m.meta, m.addrs, 64, (err, count) => {
      calls++;
      for (let i = 0; i < (count ?? 0); i++) lens.push(m.meta[i * BATCH_META]!);
      n.close(fd);
      setTimeout(resolve, 50);
    });
    n.sendto(fd, dumpLinks(2), sockaddrNl());
  });
  assert.equal(calls, 1);
  // The link messages do not fit 64 bytes (-1); a short one (NLMSG_DONE, 20 bytes) may follow in the batch.
  assert.ok(lens[0] === -1 && lens.every((l) => l === -1 || (l > 0 && l <= 64)), `lengths ${lens}`);
});

test('batch receive checks its memory: slot size, counts and types', () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    const m = mem(256, 4);
    const cb = () => {};
    assert.throws(() => n.startReceiveBatch(fd, m.data, new Uint8Array(16) as never, m.addrs, 256, cb), /Int32Array/);
    assert.throws(() => n.startReceiveBatch(fd, m.data, m.meta, m.addrs, 8, cb), /slot size/);
    assert.throws(() => n.startReceiveBatch(fd, m.data, new Int32Array(3), m.addrs, 256, cb), /sizes do not match/);
    assert.throws(() => n.startReceiveBatch(fd, m.data, m.meta, Buffer.alloc(8), 256, cb), /sizes do not match/);
    assert.throws(() => n.startReceiveBatch(fd, Buffer.alloc(100), m.meta, m.addrs, 256, cb), /sizes do not match/);
    assert.throws(() => n.startReceiveBatch(fd, m.data, m.meta, m.addrs, 256, 'cb' as never), /callback/);
    n.startReceiveBatch(fd, m.data, m.meta, m.addrs, 256, cb);
    n.stopReceive(fd);
  } finally { n.close(fd); }
});

test('a worker that ends while batch-watching a socket does not abort the process', () => {
  const code = `
    const { Worker } = require('node:worker_threads');
    const body = \`
      const n = require(${JSON.stringify(ADDON)});
      const fd = n.socket(n.constants.AF_NETLINK, n.constants.SOCK_RAW, 0);
      n.startReceiveBatch(fd, Buffer.alloc(4096), new Int32Array(16), Buffer.alloc(128), 1024, () => {});
      require('node:worker_threads').parentPort.postMessage(fd);\`;
    const w = new Worker(body, { eval: true });
    w.on('message', () => w.terminate());
    w.on('exit', () => console.log('main alive'));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 15000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.stdout.trim(), 'main alive', r.stderr);
});

test('eBPF primitives: buffers are checked against the map\'s own sizes, a refused program says why', (t) => {
  const n = native();
  let map: number;
  try { map = n.bpfMapCreate(K('BPF_MAP_TYPE_ARRAY'), 4, 8, 4); } catch (e) {
    // Unprivileged (or a container without CAP_BPF): the transport falls back to user space there.
    if ((e as { code?: string }).code === 'EPERM') { t.skip('needs CAP_BPF'); return; }
    throw e;
  }
  const sock = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    const key = Buffer.alloc(4), value = Buffer.alloc(8);
    assert.equal(n.bpfMapLookup(map, key, value), true);
    assert.throws(() => n.bpfMapLookup(map, key, Buffer.alloc(4)), /shorter than the map/);
    assert.throws(() => n.bpfMapLookup(map, Buffer.alloc(2), value), /shorter than the map/);
    assert.throws(() => n.bpfMapUpdate(map, key, Buffer.alloc(7)), /shorter than the map/);
    n.bpfMapUpdate(map, key, Buffer.from([7, 0, 0, 0, 0, 0, 0, 0]));
    n.bpfMapLookup(map, key, value);
    assert.equal(value[0], 7);
    key.writeUInt32LE(9);
    assert.throws(() => n.bpfMapUpdate(map, key, value), /E2BIG/);
    assert.throws(() => n.bpfMapLookup(sock, key, value), /EINVAL/, 'not a map');
    assert.throws(() => n.bpfMapLookup(12345, key, value), /EBADF/, 'not an fd of the addon');
    // r0 never set: the verifier refuses, and the error carries its log.
    assert.throws(() => n.bpfProgLoad(K('BPF_PROG_TYPE_SOCKET_FILTER'), Buffer.from('9500000000000000', 'hex'), 'MIT'), /verifier: .*R0/s);
    assert.throws(() => n.bpfProgLoad(K('BPF_PROG_TYPE_SOCKET_FILTER'), Buffer.alloc(7), 'MIT'), /8-byte/);
  } finally { n.close(map); n.close(sock); }
});
