// Reading datagrams out of batch-receive memory as the addon fills it: IPv4 header parsing (TTL,
// addresses, total length vs. bytes received), IPv6 ancillary data, truncated and malformed slots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BATCH_ADDR, BATCH_META, RecvBatch } from '../../../src/net/recv-batch.js';

function put(b: RecvBatch, i: number, bytes: Uint8Array, meta: [number, number, number, number], src?: number[], dst?: number[]): void {
  b.data.set(bytes, i * b.slot);
  b.meta.set(meta, i * BATCH_META);
  if (src) b.addrs.set(src, i * BATCH_ADDR);
  if (dst) b.addrs.set(dst, i * BATCH_ADDR + 16);
}

const ip4 = (ttl: number, payload: number[], total?: number, ihl = 5): Buffer => {
  const h = Buffer.alloc(ihl * 4);
  h[0] = 0x40 | ihl; h.writeUInt16BE(total ?? ihl * 4 + payload.length, 2); h[8] = ttl; h[9] = 112;
  h.set([10, 9, 0, 9], 12); h.set([224, 0, 0, 18], 16);
  return Buffer.concat([h, Buffer.from(payload)]);
};

test('IPv4: payload located in place after the header (options included), TTL and addresses from the header', () => {
  const b = new RecvBatch(4, 256, 4);
  put(b, 0, ip4(255, [0x31, 51, 100, 1]), [24, -1, 2, 4]);
  put(b, 1, ip4(1, [0x31, 52], undefined, 6), [26, -1, 2, 4]);
  assert.ok(b.locate(0));
  assert.deepEqual([b.start, b.end, b.ttl, b.payloadByte(1), b.payloadByte(4)], [20, 24, 255, 51, undefined]);
  const d = b.datagram(0);
  assert.deepEqual([...d.data], [0x31, 51, 100, 1]);
  assert.deepEqual([[...d.src], [...d.dst!], d.ttl, d.ifindex], [[10, 9, 0, 9], [224, 0, 0, 18], 255, 2]);
  assert.ok(b.locate(1));
  assert.deepEqual([b.start - 256, b.end - 256, b.ttl, b.payloadByte(1)], [24, 26, 1, 52]);
  // The copy is the datagram's own: the next batch may overwrite the memory.
  b.data.fill(0);
  assert.deepEqual([...d.data, ...d.src], [0x31, 51, 100, 1, 10, 9, 0, 9]);
});

test('IPv4: the total length field bounds the payload (padding dropped), and never past what was received', () => {
  const b = new RecvBatch(4, 256, 2);
  put(b, 0, ip4(255, [1, 2, 3, 4, 0, 0], 24), [26, -1, 1, 4]);
  assert.ok(b.locate(0));
  assert.equal(b.end - b.start, 4);
  put(b, 1, ip4(255, [1, 2], 60), [22, -1, 1, 4]);
  assert.ok(b.locate(1));
  assert.equal(b.end - b.start, 2);
});

test('malformed IPv4 headers and truncated datagrams are reported, not parsed', () => {
  const b = new RecvBatch(4, 256, 3);
  put(b, 0, Buffer.from([0x45, 0, 0]), [3, -1, 1, 4]);
  put(b, 1, ip4(255, [1]).fill(0x65, 0, 1), [21, -1, 1, 4]);
  put(b, 2, ip4(255, [1]), [-1, -1, 1, 4]);
  assert.equal(b.locate(0), false);
  assert.equal(b.locate(1), false, 'IP version 6 in an IPv4 slot');
  assert.equal(b.truncated(2), true);
  assert.equal(b.truncated(0), false);
});

test('IPv6: the whole slot is the payload; hop limit, source and destination come from ancillary data', () => {
  const b = new RecvBatch(6, 128, 2);
  const src = [0xfe, 0x80, ...Array(13).fill(0), 9], dst = [0xff, 0x02, ...Array(13).fill(0), 0x12];
  put(b, 0, Buffer.from([0x31, 51, 100, 0]), [4, 255, 3, 16], src, dst);
  put(b, 1, Buffer.from([0x31, 52]), [2, -1, -1, 0], src);
  assert.ok(b.locate(0));
  const d = b.datagram(0);
  assert.deepEqual([[...d.data], [...d.src], [...d.dst!], d.ttl, d.ifindex], [[0x31, 51, 100, 0], src, dst, 255, 3]);
  assert.ok(b.locate(1));
  const e = b.datagram(1);
  assert.deepEqual([e.dst, e.ttl, e.ifindex, e.data.length], [undefined, undefined, undefined, 2]);
});
