// The IPVS transport reads each answer right after its request (NetlinkSocket inlineAnswers):
// checked on rtnetlink, which needs no privileges and no ip_vs, against an ordinary socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NLM_F } from '../../../src/codec/netlink/message.js';
import { RTM, decodeLink, encodeLinkRequest } from '../../../src/codec/netlink/rtnl.js';
import { SysError } from '../../../src/lib/errors.js';
import { NETLINK_ROUTE, NetlinkSocket } from '../../../src/net/netlink-socket.js';

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

test('dumpNow reads a whole dump before returning, payload by payload, the same as request()', async () => {
  const plain = NetlinkSocket.open(NETLINK_ROUTE), inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    const want = (await plain.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest())).map((m) => decodeLink(m).name);
    for (let i = 0; i < 50; i++) {
      const got: string[] = [];
      inline.dumpNow(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest(), (d, start, end) => { got.push(decodeLink({ type: RTM.NEWLINK, flags: 0, seq: 0, pid: 0, payload: d.subarray(start, end) }).name); });
      assert.deepEqual(got, want);
    }
    assert.equal(inline.inFlight, 0);
  } finally { plain.close(); inline.close(); }
});

test('dumpNow: a kernel error is thrown as a SysError; a busy or ordinary socket says EBUSY', async () => {
  const inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true }), plain = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    assert.throws(() => inline.dumpNow(9999, NLM_F.DUMP, Buffer.alloc(16), () => {}, 'dump 9999'),
      (e: unknown) => e instanceof SysError && e.op === 'dump 9999' && /^E/.test(e.code) && e.code !== 'EBUSY');
    // The socket is still usable after an error.
    let n = 0;
    inline.dumpNow(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest(), () => { n++; });
    assert.ok(n > 0);
    assert.throws(() => plain.dumpNow(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest(), () => {}), (e: unknown) => e instanceof SysError && e.code === 'EBUSY');
  } finally { plain.close(); inline.close(); }
});
