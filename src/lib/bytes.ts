// Byte helpers shared by every codec: a bounds-checked reader, a growable writer and the
// Internet checksum (RFC 1071) used by VRRP, ICMP and ICMPv6.

let viewed: Uint8Array | undefined, view: DataView | undefined;

/**
 * A DataView over all of `buf`, the last one made kept: a table listing decodes thousands of
 * replies in place in one answer buffer, and a view each would be thousands of objects.
 */
export function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewed) { viewed = buf; view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
  return view!;
}

export class ShortBufferError extends Error {
  readonly code = 'short-buffer';
  constructor(need: number, have: number) {
    super(`need ${need} bytes, have ${have}`);
  }
}

export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array, private readonly view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)) {}
  get remaining(): number { return this.buf.length - this.pos; }
  private need(n: number): void { if (this.pos + n > this.buf.length) throw new ShortBufferError(this.pos + n, this.buf.length); }
  u8(): number { this.need(1); return this.view.getUint8(this.pos++); }
  u16(le = false): number { this.need(2); const v = this.view.getUint16(this.pos, le); this.pos += 2; return v; }
  u32(le = false): number { this.need(4); const v = this.view.getUint32(this.pos, le); this.pos += 4; return v; }
  u64(le = false): bigint { this.need(8); const v = this.view.getBigUint64(this.pos, le); this.pos += 8; return v; }
  bytes(n: number): Uint8Array { this.need(n); const v = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  skip(n: number): void { this.need(n); this.pos += n; }
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  len = 0;
  constructor(initial = 256) { this.buf = new Uint8Array(initial); this.view = new DataView(this.buf.buffer); }
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): this { this.grow(1); this.view.setUint8(this.len++, v); return this; }
  u16(v: number, le = false): this { this.grow(2); this.view.setUint16(this.len, v, le); this.len += 2; return this; }
  u32(v: number, le = false): this { this.grow(4); this.view.setUint32(this.len, v >>> 0, le); this.len += 4; return this; }
  u64(v: bigint, le = false): this { this.grow(8); this.view.setBigUint64(this.len, v, le); this.len += 8; return this; }
  bytes(b: Uint8Array): this { this.grow(b.length); this.buf.set(b, this.len); this.len += b.length; return this; }
  utf8(s: string): this { const n = Buffer.byteLength(s); this.grow(n); Buffer.from(this.buf.buffer).write(s, this.len, 'utf8'); this.len += n; return this; }
  zeros(n: number): this { this.grow(n); this.buf.fill(0, this.len, this.len + n); this.len += n; return this; }
  /** Pads with zeros to a multiple of `align` bytes. */
  align(align: number): this { const pad = (align - (this.len % align)) % align; return this.zeros(pad); }
  /** Overwrites a u16/u32 written earlier (lengths known only at the end). */
  setU16(at: number, v: number, le = false): void { this.view.setUint16(at, v, le); }
  setU32(at: number, v: number, le = false): void { this.view.setUint32(at, v >>> 0, le); }
  finish(): Buffer { return Buffer.from(this.buf.buffer, 0, this.len); }
}

/** RFC 1071 one's-complement sum over one or more byte ranges, as if concatenated. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    let i = 0;
    if (odd !== undefined && p.length > 0) { sum += (odd << 8) | p[0]!; odd = undefined; i = 1; }
    for (; i + 1 < p.length; i += 2) sum += (p[i]! << 8) | p[i + 1]!;
    if (i < p.length) odd = p[i]!;
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Same length, same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hex(b: Uint8Array): string { return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'); }
export function fromHex(s: string): Buffer { return Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex'); }
