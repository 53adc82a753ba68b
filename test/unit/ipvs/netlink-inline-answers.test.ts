// The IPVS transport reads each answer right after its request (NetlinkSocket inlineAnswers):
// checked on rtnetlink and inet_diag, which need no privileges and no ip_vs, against an ordinary
// socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { HOST_LE, NLM_F } from '../../../src/codec/netlink/message.js';
import { RTM, decodeLink, encodeLinkRequest } from '../../../src/codec/netlink/rtnl.js';
import { SysError } from '../../../src/lib/errors.js';
import { NETLINK_ROUTE, NetlinkSocket } from '../../../src/net/netlink-socket.js';
import { K, native } from '../../../src/net/native.js';

test('an inline socket has its answer before request() returns, with no timer or wake-up left', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    const p = s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 1 }));
    assert.equal(s.inFlight, 0, 'settled inside request()');
    const [m] = await p;
    assert.equal(decodeLink(m!).name, 'lo');
  } finally { s.close(); }
});

test('inline dumps give what an ordinary socket gives, several queued back to back', async () => {
  const plain = NetlinkSocket.open(NETLINK_ROUTE), inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    const want = (await plain.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest())).map((m) => decodeLink(m).name);
    const got = await Promise.all(Array.from({ length: 20 }, () => inline.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest())));
    for (const g of got) assert.deepEqual(g.map((m) => decodeLink(m).name), want);
    // Dumps of addresses too: another message type through the same routing.
    const addrs = await inline.request(RTM.GETADDR, NLM_F.DUMP, Buffer.alloc(8));
    assert.ok(addrs.length > 0 && addrs.every((m) => m.type === RTM.NEWADDR));
    assert.equal(inline.inFlight, 0);
  } finally { plain.close(); inline.close(); }
});

test('an inline socket rejects a kernel error as an ordinary one does', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    const p = s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 0x7ffffff0 }), { op: 'get link' });
    assert.equal(s.inFlight, 0);
    await assert.rejects(p, (e: unknown) => e instanceof SysError && e.code === 'ENODEV' && e.op === 'get link');
  } finally { s.close(); }
});

test('an ordinary socket still answers through the event loop (the inline path is opt-in)', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    const p = s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 1 }));
    assert.equal(s.inFlight, 1);
    await p;
  } finally { s.close(); }
});

const linkName = (d: Buffer, start: number, end: number) => decodeLink({ type: RTM.NEWLINK, flags: 0, seq: 0, pid: 0, payload: d.subarray(start, end) }).name;

test('dumpEach reads every dump to its end before returning, payload by payload, the same as request()', async () => {
  const plain = NetlinkSocket.open(NETLINK_ROUTE), inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    const want = (await plain.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest())).map((m) => decodeLink(m).name);
    // A fresh socket's first dump comes in parts of about a page: several parts when there are links enough.
    for (const n of [1, 50]) {
      const got: string[][] = Array.from({ length: n }, () => []);
      const r = inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, Array.from({ length: n }, () => encodeLinkRequest()), (i, d, start, end) => { got[i]!.push(linkName(d, start, end)); });
      assert.deepEqual(r, { done: n });
      for (const g of got) assert.deepEqual(g, want);
    }
    assert.equal(inline.inFlight, 0);
  } finally { plain.close(); inline.close(); }
});

test('dumpEach: more answers than one read holds go on in further reads, every dump whole and in order', async () => {
  const inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    const want: string[] = [];
    inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, [encodeLinkRequest()], (_i, d, start, end) => { want.push(linkName(d, start, end)); });
    // Each answer is at least a link message (lo: over 1 KiB); 4 MiB of answers per read means 6,000 take several.
    const n = 6000, got = new Array<number>(n).fill(0);
    let last = -1, ordered = true;
    const r = inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, Array.from({ length: n }, () => encodeLinkRequest()), (i, d, start, end) => {
      ordered &&= i >= last; last = i;
      assert.equal(linkName(d, start, end), want[got[i]!]);
      got[i]!++;
    });
    assert.deepEqual(r, { done: n });
    assert.ok(ordered, 'answers come in request order');
    assert.deepEqual(got, new Array<number>(n).fill(want.length));
    assert.equal(inline.dropped.malformed, 0);
  } finally { inline.close(); }
});

test('dumpEach stops at a dump the kernel refuses, with its error, after handing over the ones before; a busy or ordinary socket says EBUSY', async () => {
  const inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true }), plain = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    // Strict checking refuses a link dump filtered by index (EINVAL, in the dump's NLMSG_DONE).
    native().setsockopt(inline.fd, K('SOL_NETLINK'), K('NETLINK_GET_STRICT_CHK'), 1);
    const seen = new Set<number>();
    const r = inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, [encodeLinkRequest(), encodeLinkRequest(), encodeLinkRequest({ index: 1 }), encodeLinkRequest()], (i) => { seen.add(i); }, 'dump links');
    assert.equal(r.done, 2);
    assert.ok(r.error instanceof SysError && r.error.op === 'dump links' && r.error.code === 'EINVAL', String(r.error));
    assert.deepEqual([...seen], [0, 1]);
    const bad = inline.dumpEach(9999, NLM_F.DUMP, [Buffer.alloc(16)], () => {}, 'dump 9999');
    assert.ok(bad.done === 0 && bad.error instanceof SysError && bad.error.op === 'dump 9999' && bad.error.code !== 'EBUSY');
    // The socket is still usable after an error.
    let n = 0;
    assert.deepEqual(inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, [encodeLinkRequest()], () => { n++; }), { done: 1 });
    assert.ok(n > 0);
    const busy = plain.dumpEach(RTM.GETLINK, NLM_F.DUMP, [encodeLinkRequest()], () => {});
    assert.ok(busy.done === 0 && busy.error instanceof SysError && busy.error.code === 'EBUSY');
  } finally { plain.close(); inline.close(); }
});

// A dump longer than a page, whatever the machine: the sockets listening on loopback, 300 of them
// ours (inet_diag over NETLINK_SOCK_DIAG; no privileges, no traffic).
const NETLINK_SOCK_DIAG = 4, SOCK_DIAG_BY_FAMILY = 20;
function listenersRequest(): Buffer {
  const b = Buffer.alloc(56); // struct inet_diag_req_v2
  b[0] = 2; b[1] = 6; // AF_INET, TCP
  if (HOST_LE) b.writeUInt32LE(1 << 10, 4); else b.writeUInt32BE(1 << 10, 4); // states: TCP_LISTEN, host order
  return b;
}
const sport = (d: Buffer, start: number) => d.readUInt16BE(start + 4); // inet_diag_msg.id.idiag_sport

test('dumpEach on a dumps-only socket (page-sized parts) and on one read with 256 KiB (32 KiB parts): every part whole', async (t) => {
  const servers = await Promise.all(Array.from({ length: 300 }, () => new Promise<Server>((ok, fail) => {
    const srv = createServer(); srv.once('error', fail); srv.listen(0, '127.0.0.1', () => ok(srv));
  })));
  const ports = servers.map((x) => (x.address() as AddressInfo).port);
  const only = NetlinkSocket.open(NETLINK_SOCK_DIAG, { dumpsOnly: true }), inline = NetlinkSocket.open(NETLINK_SOCK_DIAG, { inlineAnswers: true });
  try {
    // A read of 256 KiB (recvNow) makes the kernel size this socket's later dump parts at 32 KiB.
    const first = await inline.request(SOCK_DIAG_BY_FAMILY, NLM_F.DUMP, listenersRequest());
    if (first.length < 300) return t.skip('inet_diag does not list sockets here');
    for (const s of [only, inline]) {
      const got: Set<number>[] = Array.from({ length: 10 }, () => new Set());
      let bytes = 0;
      const r = s.dumpEach(SOCK_DIAG_BY_FAMILY, NLM_F.DUMP, Array.from({ length: 10 }, () => listenersRequest()), (i, d, start, end) => { got[i]!.add(sport(d, start)); bytes += end - start; });
      assert.deepEqual(r, { done: 10 }, 'no part truncated or refused');
      assert.ok(bytes / 10 > 8192, `each answer is longer than a page (${bytes / 10} bytes)`);
      for (const g of got) for (const p of ports) assert.ok(g.has(p), `port ${p} listed`);
      assert.equal(s.dumpLeftOpen, false);
    }
    await assert.rejects(only.request(SOCK_DIAG_BY_FAMILY, NLM_F.DUMP, listenersRequest()), (e: unknown) => e instanceof SysError && e.code === 'EBUSY');
  } finally {
    only.close(); inline.close();
    await Promise.all(servers.map((x) => new Promise((ok) => x.close(ok))));
  }
});
