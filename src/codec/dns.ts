// DNS messages as DNS_CHECK needs them (RFC 1035 §4.1): a one-question query, and a reply parsed
// whole (header, question, every resource record) so that a malformed reply is told apart from a
// good one. Pure. Compressed names (§4.1.4) may only point backwards, so hostile pointers (loops,
// out of bounds) end the parse with a reason instead of spinning; the counts in the header are
// checked against the bytes actually there before anything is read.
import type { DNS_TYPES } from '../config/model.js';
import type { Decoded } from './ethernet.js';

export type DnsTypeName = typeof DNS_TYPES[number];

/** IANA RR type numbers of the types keepalived's DNS_CHECK accepts. */
export const DNS_TYPE: Record<DnsTypeName, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, RRSIG: 46, DNSKEY: 48 };
export const DNS_CLASS_IN = 1;
const HEADER = 12;
const MAX_NAME = 255; // wire octets, RFC 1035 §2.3.4
const MAX_LABEL = 63;
// A name has at most 127 labels; a longer chain of pointers can only be a pointer-to-pointer
// ladder built to make each name cost O(message) to read.
const MAX_JUMPS = 127;

// RFC 1035 §4.1.1 and RFC 6895 §2.3 (the 4-bit header values).
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** "SERVFAIL" for 2; unknown codes as "RCODE 12". */
export function rcodeName(rcode: number): string { return RCODES[rcode] ?? `RCODE ${rcode}`; }

export interface DnsHeader {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface DnsQuestion { name: string; type: number; class: number }
export interface DnsRecord { name: string; type: number; class: number; ttl: number; data: Uint8Array }

export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/**
 * A name in wire form: "example.com", "example.com." and "." (the root) as keepalived writes them.
 * Throws RangeError for an empty label, a label over 63 octets or a name over 255.
 */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'utf8');
    if (b.length === 0) throw new RangeError(`DNS name "${name}" has an empty label`);
    if (b.length > MAX_LABEL) throw new RangeError(`DNS name "${name}" has a label longer than ${MAX_LABEL} octets`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > MAX_NAME) throw new RangeError(`DNS name "${name}" is longer than ${MAX_NAME} octets`);
  return out;
}

export interface Query { id: number; name: string; type: number; recursionDesired?: boolean }

/** A standard query with one IN question; RD set unless told otherwise (keepalived sets it). */
export function encodeQuery(q: Query): Buffer {
  if (!Number.isInteger(q.id) || q.id < 0 || q.id > 0xffff) throw new RangeError(`DNS id ${q.id} is not 0..65535`);
  if (!Number.isInteger(q.type) || q.type < 0 || q.type > 0xffff) throw new RangeError(`DNS type ${q.type} is not 0..65535`);
  const name = encodeName(q.name);
  const b = Buffer.alloc(HEADER + name.length + 4);
  b.writeUInt16BE(q.id, 0);
  b.writeUInt16BE(q.recursionDesired === false ? 0 : 0x0100, 2);
  b.writeUInt16BE(1, 4); // QDCOUNT
  name.copy(b, HEADER);
  b.writeUInt16BE(q.type, HEADER + name.length);
  b.writeUInt16BE(DNS_CLASS_IN, HEADER + name.length + 2);
  return b;
}

export function decodeHeader(b: Uint8Array): Decoded<DnsHeader> {
  if (b.length < HEADER) return { ok: false, reason: 'short-header' };
  const u16 = (at: number): number => (b[at]! << 8) | b[at + 1]!;
  const flags = u16(2);
  return {
    ok: true,
    value: {
      id: u16(0), qr: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 0xf, aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0,
      rd: (flags & 0x0100) !== 0, ra: (flags & 0x0080) !== 0, rcode: flags & 0xf,
      qdcount: u16(4), ancount: u16(6), nscount: u16(8), arcount: u16(10),
    },
  };
}

class DnsParseError extends Error {}

/** The whole message; never throws, never loops: every failure is a reason. */
export function decodeMessage(b: Uint8Array): Decoded<DnsMessage> {
  const h = decodeHeader(b);
  if (!h.ok) return h;
  const { qdcount, ancount, nscount, arcount } = h.value;
  // Smallest question: root name + type + class (5 octets); smallest record: 11 octets.
  if (HEADER + qdcount * 5 + (ancount + nscount + arcount) * 11 > b.length) return { ok: false, reason: 'counts-exceed-message' };
  const r = new Reader(b, HEADER);
  try {
    const questions: DnsQuestion[] = [];
    for (let i = 0; i < qdcount; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
    const records = (n: number): DnsRecord[] => {
      const out: DnsRecord[] = [];
      for (let i = 0; i < n; i++) {
        const name = r.name();
        const type = r.u16(), cls = r.u16(), ttl = r.u32(), len = r.u16();
        out.push({ name, type, class: cls, ttl, data: r.bytes(len) });
      }
      return out;
    };
    const answers = records(ancount), authorities = records(nscount), additionals = records(arcount);
    return { ok: true, value: { header: h.value, questions, answers, authorities, additionals } };
  } catch (e) {
    if (e instanceof DnsParseError) return { ok: false, reason: e.message };
    throw e;
  }
}

class Reader {
  constructor(private readonly b: Uint8Array, public pos: number) {}
  private need(n: number): void { if (this.pos + n > this.b.length) throw new DnsParseError('truncated'); }
  u16(): number { this.need(2); const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!; this.pos += 2; return v; }
  u32(): number { this.need(4); const v = ((this.b[this.pos]! << 24) >>> 0) + (this.b[this.pos + 1]! << 16) + (this.b[this.pos + 2]! << 8) + this.b[this.pos + 3]!; this.pos += 4; return v; }
  bytes(n: number): Uint8Array { this.need(n); const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }

  /**
   * A possibly compressed name, in text. A pointer must land before the start of the run of
   * labels it sits in: each jump then goes strictly backwards, so a loop is impossible.
   */
  name(): string {
    const labels: string[] = [];
    let at = this.pos;
    let runStart = at;
    let wire = 0;
    let jumped = false;
    let jumps = 0;
    for (;;) {
      if (at >= this.b.length) throw new DnsParseError('truncated-name');
      const len = this.b[at]!;
      if ((len & 0xc0) === 0xc0) {
        if (at + 1 >= this.b.length) throw new DnsParseError('truncated-name');
        const target = ((len & 0x3f) << 8) | this.b[at + 1]!;
        if (target >= runStart) throw new DnsParseError(target >= this.b.length ? 'pointer-out-of-bounds' : 'pointer-loop');
        if (++jumps > MAX_JUMPS) throw new DnsParseError('too-many-pointers');
        if (!jumped) { this.pos = at + 2; jumped = true; }
        at = runStart = target;
        continue;
      }
      if (len & 0xc0) throw new DnsParseError('bad-label-type'); // 0x40/0x80: extended/obsolete label types
      wire += len + 1;
      if (wire > MAX_NAME) throw new DnsParseError('name-too-long');
      if (len === 0) {
        if (!jumped) this.pos = at + 1;
        return labels.length ? labels.join('.') : '.';
      }
      if (at + 1 + len > this.b.length) throw new DnsParseError('truncated-name');
      labels.push(labelText(this.b.subarray(at + 1, at + 1 + len)));
      at += 1 + len;
    }
  }
}

// RFC 1035 §5.1 presentation form: "." and "\" escaped, anything unprintable as \DDD.
function labelText(l: Uint8Array): string {
  let s = '';
  for (const c of l) {
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${c.toString().padStart(3, '0')}`;
  }
  return s;
}

/** Names compare case-insensitively in ASCII only (RFC 4343 §3), trailing dot ignored. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string): string => {
    const t = s.length > 1 && s.endsWith('.') && !s.endsWith('\\.') ? s.slice(0, -1) : s;
    return (t === '' ? '.' : t).replace(/[A-Z]/g, (c) => c.toLowerCase());
  };
  return norm(a) === norm(b);
}
