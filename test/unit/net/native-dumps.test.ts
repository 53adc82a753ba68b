// The addon's dump thread (src/native/dumps.c, netlinkDumpsStart / Take / End): the same bytes as
// netlinkDumps read in the caller's thread, handed over as they are whole; one thread per addon;
// closing the socket ends it; and NetlinkSocket.dumpEach on top of it (a run of 16 dumps or more)
// stops at a refused dump as the in-thread path does. rtnetlink link dumps: no privileges needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, NLM_F } from '../../../src/codec/netlink/message.js';
import { RTM, decodeLink, encodeLinkRequest } from '../../../src/codec/netlink/rtnl.js';
import { SysError } from '../../../src/lib/errors.js';
import { NETLINK_ROUTE, NetlinkSocket } from '../../../src/net/netlink-socket.js';
import { K, native } from '../../../src/net/native.js';

const n = native();
const OUT = 4 << 20;

/** `count` link dump requests back to back, numbered from seq. */
function requests(count: number, seq: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, i) => encodeMessage({
    type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP | NLM_F.ACK, seq: seq + i, pid: 0, payload: encodeLinkRequest(),
  })));
}

/** Answer i's bytes, out[res[2i], res[2i + 1]). */
const answers = (out: Buffer, res: Int32Array, count: number) =>
  Array.from({ length: count }, (_, i) => Buffer.from(out.subarray(res[2 * i]!, res[2 * i + 1]!)));

test('the thread reads the bytes netlinkDumps reads, each answer handed over once whole', () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE, { dumpsOnly: true });
  try {
    const count = 40, reqs = requests(count, 1000);
    const here = Buffer.alloc(OUT), hereRes = new Int32Array(2 * count + 3);
    assert.equal(n.netlinkDumps(s.fd, reqs, here, hereRes, 0), count);
    const out = Buffer.alloc(OUT), res = new Int32Array(2 * count + 3);
    const job = n.netlinkDumpsStart!(s.fd, reqs, 0, OUT);
    let taken = 0, calls = 0;
    for (;;) {
      const want = taken + 1;
      const got = n.netlinkDumpsTake!(job, want, out, res);
      calls++;
      assert.ok(got >= taken, 'never fewer than before');
      // Every answer counted is already whole in out: it ends with its NLMSG_DONE.
      for (; taken < got; taken++) assert.equal(out.readUInt16LE(res[2 * taken + 1]! - 20 + 4), 3, `answer ${taken} ends with NLMSG_DONE`);
      if (got < want) break;
    }
    assert.equal(taken, count);
    assert.ok(calls <= count + 1);
    assert.equal(n.netlinkDumpsEnd!(job, res), true);
    assert.deepEqual([...res.subarray(2 * count)], [0, 0, 0], 'finished, nothing dropped, nothing left unread');
    assert.deepEqual(answers(out, res, count), answers(here, hereRes, count));
    assert.equal(n.netlinkDumpsTake!(job, 1, out, res), -1, 'an ended job');
    assert.equal(n.netlinkDumpsEnd!(job, res), false);
  } finally { s.close(); }
});

test('one dump thread per addon: a second, and netlinkDumps meanwhile, get EBUSY until it ends', () => {
  const a = NetlinkSocket.open(NETLINK_ROUTE, { dumpsOnly: true }), b = NetlinkSocket.open(NETLINK_ROUTE, { dumpsOnly: true });
  try {
    const res = new Int32Array(2 * 20 + 3), out = Buffer.alloc(OUT);
    const job = n.netlinkDumpsStart!(a.fd, requests(20, 1), 0, OUT);
    assert.throws(() => n.netlinkDumpsStart!(b.fd, requests(2, 1), 0, OUT), /EBUSY/);
    assert.throws(() => n.netlinkDumps(b.fd, requests(2, 1), out, res, 0), /EBUSY/);
    assert.throws(() => n.netlinkDumpsTake!(job, 1, Buffer.alloc(16), res), /too short/, 'out must hold what the thread may write');
    n.netlinkDumpsEnd!(job, res);
    // End stops the thread after the dump it is in: whatever it answered is whole, the rest never sent.
    assert.equal(res[2 * 20 + 2], 0, 'no dump left unread');
    assert.equal(n.netlinkDumps(b.fd, requests(2, 1), out, new Int32Array(7), 0), 2);
    const again = n.netlinkDumpsStart!(b.fd, requests(2, 1), 0, OUT);
    assert.equal(n.netlinkDumpsTake!(again, 3, out, res), 2);
    n.netlinkDumpsEnd!(again, res);
  } finally { a.close(); b.close(); }
});

test('closing the socket ends its dump thread first (the fd number is never reused under it)', () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE, { dumpsOnly: true });
  const job = n.netlinkDumpsStart!(s.fd, requests(200, 1), 0, OUT);
  s.close();
  assert.equal(n.netlinkDumpsTake!(job, 1, Buffer.alloc(OUT), new Int32Array(403)), -1);
  assert.equal(n.netlinkDumpsEnd!(job, new Int32Array(403)), false);
  // Another can start at once.
  const t = NetlinkSocket.open(NETLINK_ROUTE, { dumpsOnly: true });
  try {
    const res = new Int32Array(7);
    const next = n.netlinkDumpsStart!(t.fd, requests(2, 1), 0, OUT);
    n.netlinkDumpsEnd!(next, res);
  } finally { t.close(); }
});

test('dumpEach in a thread stops at a dump the kernel refuses, with its error, after the ones before', () => {
  const inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    native().setsockopt(inline.fd, K('SOL_NETLINK'), K('NETLINK_GET_STRICT_CHK'), 1);
    const payloads = Array.from({ length: 40 }, (_, i) => encodeLinkRequest(i === 25 ? { index: 1 } : {}));
    const seen = new Set<number>();
    const names: string[] = [];
    const r = inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, payloads, (i, d, start, end) => {
      seen.add(i);
      if (i === 0) names.push(decodeLink({ type: RTM.NEWLINK, flags: 0, seq: 0, pid: 0, payload: d.subarray(start, end) }).name);
    }, 'dump links');
    assert.equal(r.done, 25);
    assert.ok(r.error instanceof SysError && r.error.op === 'dump links' && r.error.code === 'EINVAL', String(r.error));
    assert.deepEqual([...seen], Array.from({ length: 25 }, (_, i) => i));
    assert.ok(names.includes('lo'));
    assert.equal(inline.dumpLeftOpen, false);
    // The thread has ended: the socket dumps again, in a thread or not.
    assert.deepEqual(inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, payloads.slice(0, 20), () => {}), { done: 20 });
    assert.deepEqual(inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, payloads.slice(0, 2), () => {}), { done: 2 });
  } finally { inline.close(); }
});

test('an exception thrown by the caller\'s callback ends the thread too', () => {
  const inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  try {
    const payloads = Array.from({ length: 30 }, () => encodeLinkRequest());
    assert.throws(() => inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, payloads, (i) => { if (i === 3) throw new Error('boom'); }), /boom/);
    assert.deepEqual(inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, payloads, () => {}), { done: 30 });
  } finally { inline.close(); }
});

test('a callback that closes the socket mid-run: the answers already read are handed on, then EBADF', () => {
  const inline = NetlinkSocket.open(NETLINK_ROUTE, { inlineAnswers: true });
  const seen: number[] = [];
  const r = inline.dumpEach(RTM.GETLINK, NLM_F.DUMP, Array.from({ length: 30 }, () => encodeLinkRequest()), (i) => {
    if (!seen.includes(i)) seen.push(i);
    if (i === 4) inline.close();
  });
  // How far the thread had read when the socket closed depends on timing, never the order.
  assert.ok(r.done >= 5 && r.done <= 30, `done ${r.done}`);
  assert.ok(r.error instanceof SysError && r.error.code === 'EBADF', String(r.error));
  assert.deepEqual(seen, Array.from({ length: r.done }, (_, i) => i));
});
