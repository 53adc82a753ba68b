// grpc.health.v1 messages and gRPC framing against hand-written golden bytes, malformed input
// refused in words, and a round-trip property over random service names and statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeHealthCheckRequest, decodeHealthCheckResponse, encodeHealthCheckRequest, encodeHealthCheckResponse,
  frameMessage, grpcStatusText, servingStatusName, unframeMessages,
} from '../../../src/codec/grpc-health.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/ /g, ''), 'hex'));

test('HealthCheckRequest golden bytes: field 1, wire type 2, varint length, UTF-8', () => {
  assert.equal(hex(encodeHealthCheckRequest('foo')), '0a03666f6f');
  assert.equal(hex(encodeHealthCheckRequest('')), '', 'proto3 omits the default empty string');
  assert.equal(hex(encodeHealthCheckRequest('é')), '0a02c3a9');
  // A 200-byte name needs a two-byte length varint: 200 = 0xc8 0x01.
  const long = encodeHealthCheckRequest('x'.repeat(200));
  assert.equal(hex(long.subarray(0, 3)), '0ac801');
  assert.equal(long.length, 203);
  assert.deepEqual(decodeHealthCheckRequest(bytes('0a03666f6f')), { ok: true, value: 'foo' });
  assert.deepEqual(decodeHealthCheckRequest(new Uint8Array(0)), { ok: true, value: '' });
});

test('HealthCheckResponse golden bytes: SERVING is 08 01, an absent status is UNKNOWN', () => {
  assert.equal(hex(encodeHealthCheckResponse(1)), '0801');
  assert.equal(hex(encodeHealthCheckResponse(2)), '0802');
  assert.equal(hex(encodeHealthCheckResponse(0)), '');
  assert.deepEqual(decodeHealthCheckResponse(bytes('0801')), { ok: true, value: 1 });
  assert.deepEqual(decodeHealthCheckResponse(bytes('0803')), { ok: true, value: 3 });
  assert.deepEqual(decodeHealthCheckResponse(new Uint8Array(0)), { ok: true, value: 0 });
  // Unknown fields of every wire type are skipped: field 2 varint, field 3 bytes, field 4 fixed32, field 5 fixed64.
  assert.deepEqual(decodeHealthCheckResponse(bytes('10 96 01  1a 02 aa bb  25 01020304  29 0102030405060708  08 02')), { ok: true, value: 2 });
  // Last value wins for a repeated scalar field (protobuf merge rule).
  assert.deepEqual(decodeHealthCheckResponse(bytes('0801 0802')), { ok: true, value: 2 });
  // A negative enum (ten-byte varint) is no valid status.
  assert.deepEqual(decodeHealthCheckResponse(bytes('08 ffffffffffffffffff01')), { ok: true, value: -1 });
});

test('malformed messages are refused with words, never thrown', () => {
  const bad: Array<[string, RegExp]> = [
    ['08', /truncated varint/],
    ['08 80', /truncated varint/],
    ['0a 05 6162', /runs past the end/],
    ['0a 01 61', /status\) is not a varint/],
    ['0b', /unsupported wire type 3/],
    ['00 01', /field number 0/],
    ['25 0102', /truncated fixed32/],
    ['ff ff ff ff ff ff ff ff ff ff ff', /truncated tag/],
  ];
  for (const [h, re] of bad) {
    const r = decodeHealthCheckResponse(bytes(h));
    assert.equal(r.ok, false, h);
    assert.match((r as { error: string }).error, re, h);
  }
  assert.equal(decodeHealthCheckRequest(bytes('08 01')).ok, false, 'service as a varint');
});

test('gRPC framing: flag 0, 4-byte big-endian length, then the message', () => {
  assert.equal(hex(frameMessage(bytes('0a03666f6f'))), '00000000050a03666f6f');
  assert.equal(hex(frameMessage(new Uint8Array(0))), '0000000000');
  assert.deepEqual(unframeMessages(bytes('0000000002 0801')), { ok: true, value: [bytes('0801')] });
  assert.deepEqual(unframeMessages(bytes('')), { ok: true, value: [] });
  const two = unframeMessages(bytes('0000000002 0801 0000000000'));
  assert.ok(two.ok && two.value.length === 2 && two.value[1]!.length === 0);
  const bad: Array<[string, RegExp]> = [
    ['00000000', /truncated message header/],
    ['0000000003 0801', /truncated message \(2 of 3 bytes\)/],
    ['0100000002 0801', /compressed message/],
    ['0200000002 0801', /bad compressed flag 2/],
    ['00ffffffff', /truncated message \(0 of 4294967295 bytes\)/],
  ];
  for (const [h, re] of bad) {
    const r = unframeMessages(bytes(h));
    assert.equal(r.ok, false, h);
    assert.match((r as { error: string }).error, re, h);
  }
});

test('status names', () => {
  assert.equal(servingStatusName(2), 'NOT_SERVING');
  assert.equal(servingStatusName(3), 'SERVICE_UNKNOWN');
  assert.equal(servingStatusName(0), 'UNKNOWN');
  assert.equal(servingStatusName(9), 'status 9');
  assert.equal(grpcStatusText(12), '12 UNIMPLEMENTED');
  assert.equal(grpcStatusText(14), '14 UNAVAILABLE');
  assert.equal(grpcStatusText(16), '16 UNAUTHENTICATED');
  assert.equal(grpcStatusText(42), '42');
});

test('property: request and response round-trip; random bytes never throw', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
    const r = decodeHealthCheckRequest(unframeOne(frameMessage(encodeHealthCheckRequest(s))));
    assert.deepEqual(r, { ok: true, value: s });
  }), { numRuns: 300 });
  fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (n) => {
    assert.deepEqual(decodeHealthCheckResponse(encodeHealthCheckResponse(n)), { ok: true, value: n });
  }), { numRuns: 300 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    decodeHealthCheckResponse(b);
    decodeHealthCheckRequest(b);
    unframeMessages(b);
  }), { numRuns: 500 });
});

function unframeOne(b: Uint8Array): Uint8Array {
  const r = unframeMessages(b);
  assert.ok(r.ok && r.value.length === 1);
  return r.value[0]!;
}
