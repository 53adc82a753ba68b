// Fuzz target: the table-driven netlink attribute decoder (src/codec/netlink/attrs.ts) over a
// table with every scalar type, a nested table and an array. splitAttrs never throws; decodeAttrs
// may throw only a short-buffer error (a scalar shorter than its type); whatever decodes
// re-encodes and decodes to the same values.
import { decodeAttrs, encodeAttrs, splitAttrs, type AttrTable } from '../../../src/codec/netlink/attrs.js';
import { check, namedOrValue } from '../support.js';
import { isDeepStrictEqual } from 'node:util';

const INNER: AttrTable = { a: { id: 1, type: 'u32' }, s: { id: 2, type: 'string' } };
export const FUZZ_TABLE: AttrTable = {
  u8: { id: 1, type: 'u8' }, u16: { id: 2, type: 'u16' }, u32: { id: 3, type: 'u32' }, u64: { id: 4, type: 'u64' },
  s32: { id: 5, type: 's32' }, be16: { id: 6, type: 'be16' }, be32: { id: 7, type: 'be32' }, str: { id: 8, type: 'string' },
  bytes: { id: 9, type: 'bytes' }, flag: { id: 10, type: 'flag' }, nest: { id: 11, type: 'nested', table: INNER },
  list: { id: 12, type: 'array', table: INNER },
};

export function fuzz(data: Buffer): void {
  const raw = splitAttrs(data);
  let end = 0;
  for (const a of raw) {
    check(a.type >= 0 && a.type <= 0x3fff, 'attribute type out of range');
    end += 4 + a.data.length;
  }
  check(end <= data.length, 'attributes add up to more than the block');
  const v = namedOrValue(() => decodeAttrs(FUZZ_TABLE, data));
  if (!v) return;
  // Strings cut at the first NUL and re-terminated, so a second pass is the fixed point.
  const once = namedOrValue(() => decodeAttrs(FUZZ_TABLE, encodeAttrs(FUZZ_TABLE, v)));
  check(once !== undefined, 're-encoded attributes do not decode');
  const twice = decodeAttrs(FUZZ_TABLE, encodeAttrs(FUZZ_TABLE, once));
  check(isDeepStrictEqual(once, twice), 'attributes do not round-trip');
}
