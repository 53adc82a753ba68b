// Reply matching with made-up kernel answers: ACK, error with extended ack, multi-part dumps,
// failed dumps, notifications that reuse our sequence number, several requests at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAttrs } from '../../../src/codec/netlink/attrs.js';
import { HOST_LE, NLM_F, NLMSG, type NetlinkMessage } from '../../../src/codec/netlink/message.js';
import { ByteWriter } from '../../../src/lib/bytes.js';
import { SysError } from '../../../src/lib/errors.js';
import { PendingRequests } from '../../../src/net/netlink-pending.js';

const data = (type: number, seq: number, flags = 0, payload: Uint8Array = Buffer.from([seq & 0xff, 0, 0, 0])): NetlinkMessage => ({ type, flags, seq, pid: 0, payload });

/** struct nlmsgerr: error, the request header (CAPPED), then extended-ack TLVs. */
function errorMsg(seq: number, errno: number, text?: string): NetlinkMessage {
  const w = new ByteWriter(64).u32(-errno >>> 0, HOST_LE).u32(16, HOST_LE).u16(20, HOST_LE).u16(NLM_F.REQUEST, HOST_LE).u32(seq, HOST_LE).u32(0, HOST_LE);
  const tlv = text === undefined ? Buffer.alloc(0) : encodeAttrs({ msg: { id: 1, type: 'string' } }, { msg: text });
  return { type: NLMSG.ERROR, flags: text === undefined ? NLM_F.CAPPED : NLM_F.CAPPED | NLM_F.ACK_TLVS, seq, pid: 0, payload: Buffer.concat([w.finish(), tlv]) };
}

function doneMsg(seq: number, err = 0): NetlinkMessage {
  return { type: NLMSG.DONE, flags: NLM_F.MULTI, seq, pid: 0, payload: new ByteWriter(4).u32(err >>> 0, HOST_LE).finish() };
}

test('an ACK resolves with the replies collected before it', async () => {
  const p = new PendingRequests();
  const answer = p.add(7, 'add address');
  assert.equal(p.route(data(20, 7), false), undefined);
  assert.equal(p.route(errorMsg(7, 0), false), undefined);
  assert.deepEqual((await answer).map((m) => m.type), [20]);
  assert.equal(p.size, 0);
});

test('an error rejects with op, errno name, words and the extended-ack text', async () => {
  const table: [number, string | undefined, RegExp][] = [
    [22, 'ipv4: Invalid prefix length', /^add address 10\.0\.0\.1\/33: EINVAL \(invalid argument\): ipv4: Invalid prefix length$/],
    [19, undefined, /^add address 10\.0\.0\.1\/33: ENODEV \(no such network device\)$/],
    [17, 'ipv4: Address already assigned', /EEXIST \(already exists\): ipv4: Address already assigned$/],
  ];
  for (const [errno, text, re] of table) {
    const p = new PendingRequests();
    const answer = p.add(3, 'add address 10.0.0.1/33');
    p.route(errorMsg(3, errno, text), false);
    await assert.rejects(answer, (e: unknown) => {
      assert.ok(e instanceof SysError);
      assert.equal(e.op, 'add address 10.0.0.1/33');
      assert.match(e.message, re);
      assert.equal(e.context.errno, errno);
      return true;
    });
  }
});

test('a multi-part dump collects every part until NLMSG_DONE; a failed dump rejects', async () => {
  const p = new PendingRequests();
  const ok = p.add(1, 'list links');
  for (let i = 0; i < 5; i++) p.route(data(16, 1, NLM_F.MULTI), false);
  p.route({ type: NLMSG.NOOP, flags: 0, seq: 1, pid: 0, payload: new Uint8Array() }, false);
  p.route(doneMsg(1), false);
  assert.equal((await ok).length, 5);

  const failed = p.add(2, 'list addresses');
  p.route(data(20, 2, NLM_F.MULTI), false);
  p.route(doneMsg(2, -4), false);
  await assert.rejects(failed, (e: unknown) => e instanceof SysError && e.code === 'EINTR' && e.op === 'list addresses');
});

test('concurrent requests are told apart by sequence number, in any reply order', async () => {
  const p = new PendingRequests();
  const a = p.add(10, 'a'), b = p.add(11, 'b'), c = p.add(12, 'c');
  p.route(data(16, 12, NLM_F.MULTI), false);
  p.route(data(16, 10, NLM_F.MULTI), false);
  p.route(errorMsg(11, 2, 'gone'), false);
  p.route(data(16, 10, NLM_F.MULTI), false);
  p.route(doneMsg(10), false);
  p.route(doneMsg(12), false);
  assert.equal((await a).length, 2);
  assert.equal((await c).length, 1);
  await assert.rejects(b, /^Error: b: ENOENT|b: ENOENT/);
});

test('notifications: unknown sequence numbers and multicast copies are handed back, control messages dropped', async () => {
  const p = new PendingRequests();
  const answer = p.add(5, 'add');
  const own = data(20, 5);
  assert.equal(p.route(own, true), own, 'a multicast echo of our own change is a notification');
  const other = data(20, 999);
  assert.equal(p.route(other, false), other);
  assert.equal(p.route(errorMsg(999, 0), false), undefined, 'a stray ACK is no notification');
  assert.equal(p.route(doneMsg(999), false), undefined);
  assert.equal(p.size, 1);
  p.route(errorMsg(5, 0), false);
  assert.deepEqual(await answer, [], 'the multicast copy was not taken as a reply');
});

test('failAll rejects every waiting request once, settle on unknown seq is a no-op, cleanup runs once', async () => {
  const p = new PendingRequests();
  let cleaned = 0;
  const a = p.add(1, 'first', () => cleaned++), b = p.add(2, 'second', () => cleaned++);
  p.settle(99);
  p.failAll((op) => new SysError(op, 'EBADF', 'socket closed'));
  p.failAll((op) => new SysError(op, 'EBADF'));
  await assert.rejects(a, /first: EBADF \(socket is closed\): socket closed/);
  await assert.rejects(b, /second: EBADF/);
  assert.equal(cleaned, 2);
  assert.equal(p.size, 0);
});

test('a dump the kernel flags as interrupted (NLM_F_DUMP_INTR) rejects with EINTR instead of returning an inconsistent list', async () => {
  for (const where of ['part', 'done'] as const) {
    const p = new PendingRequests();
    const answer = p.add(4, 'list addresses', undefined, { dump: true });
    p.route(data(20, 4, NLM_F.MULTI), false);
    p.route(data(20, 4, NLM_F.MULTI | (where === 'part' ? NLM_F.DUMP_INTR : 0)), false);
    const done = doneMsg(4);
    p.route(where === 'done' ? { ...done, flags: done.flags | NLM_F.DUMP_INTR } : done, false);
    await assert.rejects(answer, (e: unknown) => e instanceof SysError && e.code === 'EINTR' && /interrupted/.test(e.message));
  }
});

test('a truncated NLMSG_ERROR settles its request with EPROTO instead of throwing out of route()', async () => {
  const p = new PendingRequests();
  const answer = p.add(6, 'add address');
  assert.equal(p.route({ type: NLMSG.ERROR, flags: 0, seq: 6, pid: 0, payload: Buffer.from([0xea, 0xff]) }, false), undefined);
  await assert.rejects(answer, (e: unknown) => e instanceof SysError && e.code === 'EPROTO' && e.op === 'add address');
  assert.equal(p.size, 0);
});

test('after an overrun, requests still waiting lose their answer with ENOBUFS; dumps keep waiting', async () => {
  const p = new PendingRequests();
  const a = p.add(1, 'add a'), dump = p.add(2, 'list links', undefined, { dump: true }), b = p.add(3, 'add b');
  p.failAnswerless((op) => new SysError(op, 'ENOBUFS'));
  await assert.rejects(a, /add a: ENOBUFS/);
  await assert.rejects(b, /add b: ENOBUFS/);
  assert.ok(p.has(2));
  p.route(doneMsg(2), false);
  assert.deepEqual(await dump, []);
});

test('late answers to a request given up on (timeout) are swallowed, not handed out as notifications', async () => {
  const p = new PendingRequests();
  const answer = p.add(8, 'list links', undefined, { dump: true });
  p.abandon(8, new SysError('list links', 'ETIMEDOUT'));
  await assert.rejects(answer, /list links: ETIMEDOUT/);
  assert.equal(p.route(data(16, 8, NLM_F.MULTI), false), undefined, 'a late dump part');
  assert.equal(p.route(doneMsg(8), false), undefined);
  const later = data(16, 8, 0);
  assert.equal(p.route(later, false), later, 'after its DONE the number is free again');
  const note = data(16, 8, 0);
  p.abandon(9, new SysError('x', 'ETIMEDOUT')); // unknown seq: nothing remembered
  assert.equal(p.route(data(16, 9), false)?.seq, 9);
  assert.equal(p.route(note, true), note, 'multicast copies are always notifications');
});

test('a batch: only errors and the last ACK come back; unanswered requests before the last worked', async () => {
  const p = new PendingRequests();
  const answer = p.addBatch(100, 4, (i) => `change ${i}`);
  assert.equal(p.size, 1);
  assert.equal(p.route(errorMsg(101, 17, 'exists'), false), undefined);
  assert.equal(p.route(errorMsg(102, 3), false), undefined);
  assert.equal(p.size, 1, 'errors before the last do not settle it');
  p.route(errorMsg(103, 0), false);
  const r = await answer;
  assert.deepEqual(r.map((e) => e && (e as SysError).errno), [undefined, 'EEXIST', 'ESRCH', undefined]);
  assert.match(String(r[1]), /^SysError: change 1: EEXIST .*: exists$/);
  assert.equal(p.size, 0);
  assert.equal(p.route(errorMsg(102, 3), false), undefined, 'a late error is nobody\'s, not a notification');
});

test('a batch whose last request fails settles on that error too', async () => {
  const p = new PendingRequests();
  const answer = p.addBatch(5, 2, (i) => `change ${i}`);
  p.route(errorMsg(6, 22), false);
  assert.deepEqual((await answer).map((e) => e && (e as SysError).errno), [undefined, 'EINVAL']);
});

test('a batch given up on, or whose answers may be lost, rejects as a whole', async () => {
  const p = new PendingRequests();
  const a = p.addBatch(10, 3, (i) => `change ${i}`);
  const b = p.addBatch(13, 2, (i) => `other ${i}`);
  const single = p.add(15, 'add address');
  p.abandonBatch(10, new SysError('change 0', 'ETIMEDOUT'));
  await assert.rejects(a, /ETIMEDOUT/);
  p.failAnswerless((op) => new SysError(op, 'ENOBUFS'));
  await assert.rejects(b, /^SysError: other 0: ENOBUFS/);
  await assert.rejects(single, /ENOBUFS/);
  assert.equal(p.size, 0);
});
