// Netlink attributes (TLVs) driven by declarative tables: one encoder and one decoder for every
// family (rtnetlink, generic netlink, IPVS). A table maps field names to attribute ids and types.
import { ByteReader, ByteWriter, ShortBufferError } from '../../lib/bytes.js';

export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
const NLA_TYPE_MASK = 0x3fff;
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 's32' | 'be16' | 'be32' | 'string' | 'bytes' | 'flag';

export interface ScalarSpec { id: number; type: ScalarType }
export interface NestedSpec { id: number; type: 'nested'; table: AttrTable }
/** A list of nested tables where each element's attribute type is its index (1-based) or a fixed id. */
export interface ArraySpec { id: number; type: 'array'; table: AttrTable }
export interface CustomSpec<T = unknown> { id: number; type: 'custom'; encode(v: T): Uint8Array; decode(b: Uint8Array): T }
export type AttrSpec = ScalarSpec | NestedSpec | ArraySpec | CustomSpec<any>;
export type AttrTable = Record<string, AttrSpec>;

export type AttrValues = Record<string, unknown>;

export interface RawAttr { type: number; nested: boolean; data: Uint8Array }

/** Walks the TLVs of one attribute block; a truncated trailing attribute ends the walk. */
export function splitAttrs(buf: Uint8Array): RawAttr[] {
  const out: RawAttr[] = [];
  let pos = 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (pos + 4 <= buf.length) {
    const len = view.getUint16(pos, HOST_LE);
    const type = view.getUint16(pos + 2, HOST_LE);
    if (len < 4 || pos + len > buf.length) break;
    out.push({ type: type & NLA_TYPE_MASK, nested: (type & NLA_F_NESTED) !== 0, data: buf.subarray(pos + 4, pos + len) });
    pos += (len + 3) & ~3;
  }
  return out;
}

function writeScalar(w: ByteWriter, type: ScalarType, v: unknown): void {
  switch (type) {
    case 'u8': w.u8(Number(v)); break;
    case 'u16': w.u16(Number(v), HOST_LE); break;
    case 'u32': w.u32(Number(v), HOST_LE); break;
    case 's32': w.u32(Number(v) >>> 0, HOST_LE); break;
    case 'u64': w.u64(BigInt(v as number | bigint), HOST_LE); break;
    case 'be16': w.u16(Number(v)); break;
    case 'be32': w.u32(Number(v)); break;
    case 'string': w.utf8(String(v)).u8(0); break;
    case 'bytes': w.bytes(v as Uint8Array); break;
    case 'flag': break;
  }
}

// Byte arithmetic rather than a DataView per attribute: dumps decode tens of thousands of scalars.
const hostU16 = (b: Uint8Array) => (HOST_LE ? b[0]! | (b[1]! << 8) : (b[0]! << 8) | b[1]!);
const hostU32 = (b: Uint8Array) => (HOST_LE ? (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 0x1000000 : b[0]! * 0x1000000 + ((b[1]! << 16) | (b[2]! << 8) | b[3]!));

function decodeScalar(type: ScalarType, b: Uint8Array): unknown {
  const need = SCALAR_SIZE[type];
  if (need !== undefined && b.length < need) throw new ShortBufferError(need, b.length);
  switch (type) {
    case 'u8': return b[0]!;
    case 'u16': return hostU16(b);
    case 'u32': return hostU32(b);
    case 's32': return hostU32(b) | 0;
    case 'u64': return new ByteReader(b).u64(HOST_LE);
    case 'be16': return (b[0]! << 8) | b[1]!;
    case 'be32': return b[0]! * 0x1000000 + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
    case 'string': { const z = b.indexOf(0); return Buffer.from(b.buffer, b.byteOffset, z < 0 ? b.length : z).toString('utf8'); }
    case 'bytes': return Uint8Array.from(b);
    case 'flag': return true;
  }
}
const SCALAR_SIZE: Partial<Record<ScalarType, number>> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, be16: 2, be32: 4 };

export function writeAttr(w: ByteWriter, type: number, data: Uint8Array): void {
  w.u16(4 + data.length, HOST_LE).u16(type, HOST_LE).bytes(data).align(4);
}

const entriesOf = new WeakMap<AttrTable, [string, AttrSpec][]>();
function entries(table: AttrTable): [string, AttrSpec][] {
  let e = entriesOf.get(table);
  if (!e) { e = Object.entries(table); entriesOf.set(table, e); }
  return e;
}

/** Starts an attribute header whose length is patched by endAttr once the payload is written. */
function beginAttr(w: ByteWriter, type: number): number {
  const at = w.len;
  w.u16(0, HOST_LE).u16(type, HOST_LE);
  return at;
}
function endAttr(w: ByteWriter, at: number): void {
  w.setU16(at, w.len - at, HOST_LE);
  w.align(4);
}

/** Appends the attributes of `values` that the table names to `w`, all in one buffer. */
export function writeAttrs(w: ByteWriter, table: AttrTable, values: AttrValues): void {
  for (const [name, spec] of entries(table)) {
    const v = values[name];
    if (v === undefined || v === null || (spec.type === 'flag' && !v)) continue;
    switch (spec.type) {
      case 'nested': { const at = beginAttr(w, spec.id | NLA_F_NESTED); writeAttrs(w, spec.table, v as AttrValues); endAttr(w, at); break; }
      case 'array': {
        const at = beginAttr(w, spec.id | NLA_F_NESTED);
        (v as AttrValues[]).forEach((el, i) => { const e = beginAttr(w, (i + 1) | NLA_F_NESTED); writeAttrs(w, spec.table, el); endAttr(w, e); });
        endAttr(w, at);
        break;
      }
      case 'custom': writeAttr(w, spec.id, spec.encode(v)); break;
      default: { const at = beginAttr(w, spec.id); writeScalar(w, spec.type, v); endAttr(w, at); }
    }
  }
}

/** Encodes the fields of `values` that the table names; undefined fields are left out. */
export function encodeAttrs(table: AttrTable, values: AttrValues): Buffer {
  const w = new ByteWriter(256);
  writeAttrs(w, table, values);
  return w.finish();
}

const specsById = new WeakMap<AttrTable, Map<number, [string, AttrSpec]>>();
function byId(table: AttrTable): Map<number, [string, AttrSpec]> {
  let m = specsById.get(table);
  if (!m) { m = new Map(Object.entries(table).map(([n, s]) => [s.id, [n, s]])); specsById.set(table, m); }
  return m;
}

/** Decodes an attribute block; attributes the table does not name are ignored (newer kernels add some). */
export function decodeAttrs(table: AttrTable, buf: Uint8Array): AttrValues {
  const out: AttrValues = {};
  const ids = byId(table);
  for (const a of splitAttrs(buf)) {
    const hit = ids.get(a.type);
    if (!hit) continue;
    const [name, spec] = hit;
    switch (spec.type) {
      case 'nested': out[name] = decodeAttrs(spec.table, a.data); break;
      case 'array': out[name] = splitAttrs(a.data).map((el) => decodeAttrs(spec.table, el.data)); break;
      case 'custom': out[name] = spec.decode(a.data); break;
      default: out[name] = decodeScalar(spec.type, a.data);
    }
  }
  return out;
}
