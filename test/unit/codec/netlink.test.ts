import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, encodeMessageRun, decodeMessages, decodeAck, NLMSG, NLM_F } from '../../../src/codec/netlink/message.js';
import { encodeAttrs, decodeAttrs, splitAttrs, type AttrTable } from '../../../src/codec/netlink/attrs.js';

const inner: AttrTable = { port: { id: 1, type: 'be16' }, weight: { id: 2, type: 'u32' } };
const table: AttrTable = {
  name: { id: 1, type: 'string' },
  count: { id: 2, type: 'u64' },
  on: { id: 3, type: 'flag' },
  dest: { id: 4, type: 'nested', table: inner },
  list: { id: 5, type: 'array', table: inner },
  sval: { id: 6, type: 's32' },
};

test('attributes round trip through the table-driven codec', () => {
  const v = { name: 'wlc', count: 2n ** 40n, on: true, dest: { port: 80, weight: 3 }, list: [{ port: 1, weight: 1 }, { port: 2, weight: 0 }], sval: -5 };
  const bytes = encodeAttrs(table, v);
  assert.equal(bytes.length % 4, 0);
  assert.deepEqual(decodeAttrs(table, bytes), v);
});

test('attribute bytes: string is NUL-terminated and padded, be16 is network order', () => {
  const bytes = encodeAttrs(table, { name: 'rr', dest: { port: 0x1234 } });
  // len=7 (4+"rr\0"), type=1, "rr\0", pad 1
  assert.deepEqual([...bytes.subarray(0, 8)], [7, 0, 1, 0, 0x72, 0x72, 0, 0]);
  const nested = splitAttrs(bytes)[1]!;
  assert.equal(nested.nested, true);
  assert.deepEqual([...nested.data.subarray(4, 6)], [0x12, 0x34]);
});

test('unknown attributes are ignored and a truncated one ends the walk', () => {
  const bytes = Buffer.concat([encodeAttrs({ x: { id: 99, type: 'u32' } }, { x: 1 }), encodeAttrs(table, { sval: 7 }), Buffer.from([8, 0, 1])]);
  assert.deepEqual(decodeAttrs(table, bytes), { sval: 7 });
});

test('messages split, and an error ack with extended ack text decodes', () => {
  const a = encodeMessage({ type: 16, flags: NLM_F.REQUEST, seq: 7, pid: 0, payload: Buffer.from([1, 2, 3]) });
  assert.equal(a.length, 20);
  // struct nlmsgerr: error -19, then the capped request header, then MSG attribute.
  const err = Buffer.alloc(4); err.writeInt32LE(-19);
  const orig = encodeMessage({ type: 16, flags: 5, seq: 7, pid: 0, payload: new Uint8Array() });
  const tlv = encodeAttrs({ msg: { id: 1, type: 'string' } }, { msg: 'Unknown device' });
  const e = encodeMessage({ type: NLMSG.ERROR, flags: NLM_F.CAPPED | NLM_F.ACK_TLVS, seq: 7, pid: 0, payload: Buffer.concat([err, orig, tlv]) });
  const msgs = decodeMessages(Buffer.concat([a, e]));
  assert.equal(msgs.length, 2);
  assert.deepEqual([...msgs[0]!.payload], [1, 2, 3]);
  const ack = decodeAck(msgs[1]!);
  assert.equal(ack.errno, 19);
  assert.equal(ack.requestSeq, 7);
  assert.equal(ack.message, 'Unknown device');
  assert.throws(() => decodeMessages(Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), /bad message length/);
});

test('encodeMessageRun writes each message as encodeMessage does, back to back, numbered from first', () => {
  const payloads = [new Uint8Array(0), Uint8Array.from([1]), Uint8Array.from([1, 2, 3, 4]), Uint8Array.from([9, 8, 7, 6, 5])];
  const { buf, at } = encodeMessageRun(0x2a, payloads, 0xfffffffc, (i) => 0x300 | i);
  const want = payloads.map((payload, i) => encodeMessage({ type: 0x2a, flags: 0x300 | i, seq: 0xfffffffc + i, pid: 0, payload }));
  assert.deepEqual(buf, Buffer.concat(want));
  assert.deepEqual([...at], want.reduce((a, m) => [...a, a.at(-1)! + m.length], [0]));
  assert.deepEqual(decodeMessages(buf).map((m) => [m.seq, m.flags, [...m.payload]]), payloads.map((p, i) => [0xfffffffc + i, 0x300 | i, [...p]]));
});
