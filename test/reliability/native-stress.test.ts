// Stress of the C addon's lifetimes, no privileges needed (netlink route sockets and a UDP pair on
// loopback): thousands of open/watch/close cycles, closing from inside callbacks while datagrams
// are queued, stop/start receive in a loop, large and empty datagrams, calls on closed and bogus
// fds. Run normally in `npm test`, and under AddressSanitizer by scripts/asan.sh, where any
// use-after-free, overflow or double free in src/native/sock.c aborts the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NLM_F, NLMSG, decodeMessages, encodeMessage } from '../../src/codec/netlink/message.js';
import { RTM, encodeLinkRequest } from '../../src/codec/netlink/rtnl.js';
import { K, native } from '../../src/net/native.js';
import { sockaddrNl } from '../../src/net/sockaddr.js';

const ROUNDS = Number(process.env.VIPKEEPER_STRESS_ROUNDS ?? 1);
/** Whether a datagram holds NLMSG_DONE (the kernel may append it to the last batch of links). */
const hasDone = (d: Buffer): boolean => decodeMessages(d).some((m) => m.type === NLMSG.DONE);
const dump = (seq: number): Buffer => encodeMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq, pid: 0, payload: encodeLinkRequest() });
const udpAddr = (port: number): Buffer => {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(K('AF_INET'), 0); b.writeUInt16BE(port, 2); b.set([127, 0, 0, 1], 4);
  return b;
};

test('2,000 sockets opened, watched and closed (some from their own callback) leave nothing behind', async () => {
  const n = native();
  for (let round = 0; round < ROUNDS; round++) {
    let delivered = 0;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) {
      const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
      n.bind(fd, sockaddrNl());
      if (i % 4 === 0) {
        // A dump is several datagrams: the callback closes the socket on the first one.
        pending.push(new Promise<void>((resolve) => {
          n.startReceive(fd, (err) => { delivered++; n.close(fd); resolve(); void err; });
          n.sendto(fd, dump(i), sockaddrNl());
        }));
      } else if (i % 4 === 1) {
        n.startReceive(fd, () => {});
        n.stopReceive(fd);
        n.startReceive(fd, () => {});
        n.close(fd);
      } else if (i % 4 === 2) {
        n.sendto(fd, dump(i), sockaddrNl());
        n.close(fd); // queued replies discarded with the socket
      } else {
        n.startReceive(fd, () => {});
        n.ref(fd, false);
        n.close(fd);
      }
      if (pending.length >= 50) { await Promise.all(pending.splice(0)); }
    }
    await Promise.all(pending);
    assert.equal(delivered, 500);
  }
});

test('a full receive loop: 200 dumps read to DONE through recvNow and startReceive', async () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    n.bind(fd, sockaddrNl());
    for (let i = 0; i < 100; i++) {
      n.sendto(fd, dump(i + 1), sockaddrNl());
      let done = false;
      for (let spins = 0; !done && spins < 100000; spins++) {
        const r = n.recvNow(fd);
        if (r && hasDone(r[0])) done = true;
      }
      assert.ok(done, `dump ${i} read to the end`);
    }
    let dones = 0;
    await new Promise<void>((resolve) => {
      // One dump at a time (the kernel answers EBUSY to a dump while another runs): the next
      // request goes out from the callback that saw DONE.
      n.startReceive(fd, (err, data) => {
        assert.equal(err, null);
        if (!hasDone(data!)) return;
        if (++dones === 100) resolve();
        else n.sendto(fd, dump(1000 + dones), sockaddrNl());
      });
      n.sendto(fd, dump(1000), sockaddrNl());
    });
    n.stopReceive(fd);
    assert.equal(n.recvNow(fd), null, 'nothing left after the last DONE');
  } finally { n.close(fd); }
});

test('UDP on loopback: 64 KiB, empty and 5,000 small datagrams; closing mid-burst', async () => {
  const n = native();
  const rx = n.socket(K('AF_INET'), K('SOCK_DGRAM'), 0);
  const tx = n.socket(K('AF_INET'), K('SOCK_DGRAM'), 0);
  try {
    n.setsockopt(rx, K('SOL_SOCKET'), K('SO_RCVBUF'), 4 * 1024 * 1024);
    n.bind(rx, udpAddr(0));
    const port = n.getsockname(rx).readUInt16BE(2);
    const sizes: number[] = [];
    const got = new Promise<void>((resolve) => {
      n.startReceive(rx, (err, data) => { if (!err) sizes.push(data!.length); if (sizes.length === 2) resolve(); });
    });
    n.sendto(tx, Buffer.alloc(65507, 0xab), udpAddr(port));
    n.sendto(tx, Buffer.alloc(0), udpAddr(port));
    await got;
    assert.deepEqual(sizes.sort((a, b) => a - b), [0, 65507]);
    let count = 0;
    await new Promise<void>((resolve) => {
      n.stopReceive(rx);
      n.startReceive(rx, () => { if (++count === 100) { n.close(rx); setTimeout(resolve, 100); } });
      for (let i = 0; i < 5000; i++) { try { n.sendto(tx, Buffer.from(`p${i}`), udpAddr(port)); } catch { /* ENOBUFS/ECONNREFUSED after close */ } }
    });
    assert.equal(count, 100, 'no delivery after close from the callback');
  } finally {
    n.close(tx);
    try { n.close(rx); } catch { /* closed above */ }
  }
});

test('calls on closed, negative and never-opened fds are errors, never crashes', () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  n.close(fd);
  for (const bad of [fd, -1, 1 << 30]) {
    assert.throws(() => n.sendto(bad, Buffer.alloc(16), sockaddrNl()));
    assert.throws(() => n.recvNow(bad));
    assert.throws(() => n.close(bad));
    assert.throws(() => n.bind(bad, sockaddrNl()));
    assert.throws(() => n.getsockname(bad));
  }
  assert.throws(() => n.startReceive(fd, 'not a function' as never));
  assert.throws(() => n.setsockopt(fd, 0, 0, Buffer.alloc(0)));
});
