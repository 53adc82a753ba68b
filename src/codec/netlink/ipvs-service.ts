// A reply of the IPVS services dump read straight from bytes, without the generic attribute
// tables: the values are exactly those of decodeIpvs + decodeService (the unit tests compare
// them), for a fraction of the objects. Listing 1,000 services the table-driven way cost over half
// a second in the kernel VM's emulated CPU. Pure: bytes in, values out.
import { formatIPv6 } from '../../lib/ip.js';
import { bitsToFlags, PROTOCOL_NUMBER, zeroStats, type Family, type Protocol, type ServiceEntry, type ServiceKey, type Stats } from '../../ipvs/model.js';
import { NLA_F_NESTED } from './attrs.js';
import { GENL_HDRLEN } from './genl.js';
import { readStats, writeAddr } from './ipvs-dest.js';
import { HOST_LE } from './message.js';
import { viewOf } from '../../lib/bytes.js';

const CMD_ATTR_SERVICE = 1;
const AF_INET6 = 10;
const A = { af: 1, protocol: 2, addr: 3, port: 4, fwmark: 5, schedName: 6, flags: 7, timeout: 8, netmask: 9, stats: 10, peName: 11, stats64: 12 } as const;
const PROTO = new Map(Object.entries(PROTOCOL_NUMBER).map(([k, v]) => [v, k as Protocol]));

/** A u16 in host order, byte by byte (no Buffer method call per field: 1,000 requests per listing). */
function h16(b: Buffer, at: number, v: number): void {
  if (HOST_LE) { b[at] = v & 0xff; b[at + 1] = v >>> 8; } else { b[at] = v >>> 8; b[at + 1] = v & 0xff; }
}

/** A u32 in network order (first byte highest), byte by byte. */
function be32(b: Buffer, at: number, v: number): void {
  b[at] = v >>> 24; b[at + 1] = (v >>> 16) & 0xff; b[at + 2] = (v >>> 8) & 0xff; b[at + 3] = v & 0xff;
}

/** A u32 in host order. */
function h32(b: Buffer, at: number, v: number): void {
  if (HOST_LE) { b[at] = v & 0xff; b[at + 1] = (v >>> 8) & 0xff; b[at + 2] = (v >>> 16) & 0xff; b[at + 3] = v >>> 24; } else be32(b, at, v);
}

/** The two request layouts with their attribute headers written and every value zero; copied per request. */
function template(fw: boolean): Buffer {
  // af 8, then fwmark 8 or protocol 8 + addr 20 + port 8.
  const inner = 8 + (fw ? 8 : 36);
  const b = Buffer.alloc(GENL_HDRLEN + 4 + inner);
  b[1] = 1;
  const attr = (at: number, len: number, type: number) => { h16(b, at, len); h16(b, at + 2, type); };
  attr(GENL_HDRLEN, 4 + inner, CMD_ATTR_SERVICE | NLA_F_NESTED);
  attr(GENL_HDRLEN + 4, 6, A.af);
  if (fw) attr(GENL_HDRLEN + 12, 8, A.fwmark);
  else { attr(GENL_HDRLEN + 12, 6, A.protocol); attr(GENL_HDRLEN + 20, 20, A.addr); attr(GENL_HDRLEN + 40, 6, A.port); }
  return b;
}
const KEY_ADDR = template(false), KEY_FWMARK = template(true);

/**
 * The genl payload of a command that only names a service (GET_DEST of a listing: one per service),
 * byte for byte what encodeIpvs(cmd, { service: serviceKeyAttrs(k) }) writes.
 */
export function encodeServiceKeyCommand(cmd: number, k: ServiceKey): Buffer {
  const b = Buffer.allocUnsafe((k.fwmark > 0 ? KEY_FWMARK : KEY_ADDR).length);
  writeServiceKeyCommand(b, 0, cmd, k, -1);
  return b;
}

/**
 * The same for every service of a listing, in one buffer (each payload a view of it). `v4`: each
 * one's IPv4 address as a number (decodeServiceReply's), written as bytes instead of parsed from
 * its text. 1,000 separate Buffers and parses cost a listing ~0.05 s under the kernel VM's
 * emulated CPU (bench/README.md, IPVS, eighth pass).
 */
export function encodeServiceKeyCommands(cmd: number, keys: readonly ServiceKey[], v4?: readonly number[]): Uint8Array[] {
  let size = 0;
  for (const k of keys) size += (k.fwmark > 0 ? KEY_FWMARK : KEY_ADDR).length;
  const b = Buffer.allocUnsafe(size);
  const out: Uint8Array[] = new Array(keys.length);
  for (let i = 0, at = 0; i < keys.length; i++) {
    const n = writeServiceKeyCommand(b, at, cmd, keys[i]!, v4 ? v4[i]! : -1);
    out[i] = new Uint8Array(b.buffer, b.byteOffset + at, n);
    at += n;
  }
  return out;
}

/** One key command at b[at...]: the template, then its values; v4 >= 0 is an IPv4 address's number. Returns its length. */
function writeServiceKeyCommand(b: Buffer, at: number, cmd: number, k: ServiceKey, v4: number): number {
  const fw = k.fwmark > 0;
  const t = fw ? KEY_FWMARK : KEY_ADDR;
  b.set(t, at);
  b[at] = cmd;
  h16(b, at + GENL_HDRLEN + 8, k.family === 6 ? AF_INET6 : 2);
  if (fw) {
    h32(b, at + GENL_HDRLEN + 16, k.fwmark >>> 0);
    return t.length;
  }
  h16(b, at + GENL_HDRLEN + 16, PROTOCOL_NUMBER[k.protocol]);
  const a = at + GENL_HDRLEN + 24;
  // The template's 16 address bytes are zero: an IPv4 number needs only its first four.
  if (v4 >= 0 && k.family === 4) be32(b, a, v4);
  else writeAddr(b, a, k.address);
  const port = at + GENL_HDRLEN + 44;
  b[port] = k.port >>> 8; b[port + 1] = k.port & 0xff;
  return t.length;
}

/**
 * A NUL-terminated string attribute, as the table decoder reads it (UTF-8, up to the first NUL).
 * Scheduler names are a few ASCII letters: built from the bytes, without a Buffer per service.
 */
function str(b: Uint8Array, start: number, end: number): string {
  // A table's services mostly share one scheduler: the last name is reused when the bytes match.
  const last = lastName, n = last.length;
  if (n > 0 && start + n <= end && (start + n === end || b[start + n] === 0)) {
    let i = 0;
    while (i < n && b[start + i] === last.charCodeAt(i)) i++;
    if (i === n) return last;
  }
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0) break;
    if (c >= 0x80) return utf8(b, start, end);
    s += String.fromCharCode(c);
  }
  // Only an ASCII name is kept: its characters are its bytes.
  return (lastName = s);
}
let lastName = '';

function utf8(b: Uint8Array, start: number, end: number): string {
  const z = b.subarray(start, end).indexOf(0);
  return Buffer.from(b.buffer, b.byteOffset + start, z < 0 ? end - start : z).toString('utf8');
}

/**
 * The counters of a service read without them (the plain listing prints none): one frozen zero
 * block for all. Reading ten 64-bit counters as BigInts was half the time of a 1,000-service
 * dump's decode under the kernel VM's emulated CPU (bench/README.md, IPVS, eighth pass).
 */
export const NO_STATS: Stats = Object.freeze(zeroStats());

/**
 * One reply of a GET_SERVICE dump or get into a ServiceEntry (no real servers); undefined without
 * a service. Without `withStats` its stats are NO_STATS, whatever the kernel counted. `v4`, when
 * given, gets the decoded service's IPv4 address as a number (first octet highest; -1 for IPv6):
 * the plain listing sorts by it without parsing the text back (sortServiceOrder).
 */
export function decodeServiceReply(payload: Uint8Array, withStats = true, v4?: number[]): ServiceEntry | undefined {
  return decodeServiceIn(payload, 0, payload.length, withStats, v4);
}

/**
 * decodeServiceReply of the reply at buf[start, end), read in place: a listing's 1,000 services
 * then make no Buffer or DataView each (viewOf keeps one per answer buffer).
 */
export function decodeServiceIn(buf: Uint8Array, start: number, end: number, withStats = true, v4?: number[]): ServiceEntry | undefined {
  const v = viewOf(buf), payload = buf;
  let sStart = -1, sEnd = -1;
  for (let at = start + GENL_HDRLEN; at + 4 <= end;) {
    const len = v.getUint16(at, HOST_LE), type = v.getUint16(at + 2, HOST_LE) & 0x3fff;
    if (len < 4 || at + len > end) break;
    if (type === CMD_ATTR_SERVICE) { sStart = at + 4; sEnd = at + len; }
    at += (len + 3) & ~3;
  }
  if (sStart < 0) return undefined;
  let af = -1, proto = 6, addr = -1, port = 0, fwmark = 0, sched = '', bits = 0, timeout = 0, mask = -1, pe = '';
  let stats64: [number, number] | undefined, stats32: [number, number] | undefined;
  for (let at = sStart; at + 4 <= sEnd;) {
    const len = v.getUint16(at, HOST_LE), type = v.getUint16(at + 2, HOST_LE) & 0x3fff, p = at + 4, n = len - 4;
    if (len < 4 || at + len > sEnd) break;
    switch (type) {
      case A.af: if (n >= 2) af = v.getUint16(p, HOST_LE); break;
      case A.protocol: if (n >= 2) proto = v.getUint16(p, HOST_LE); break;
      case A.addr: addr = p; break;
      case A.port: if (n >= 2) port = v.getUint16(p); break;
      case A.fwmark: if (n >= 4) fwmark = v.getUint32(p, HOST_LE); break;
      case A.schedName: sched = str(payload, p, at + len); break;
      case A.flags: if (n >= 8) bits = v.getUint32(p, HOST_LE); break;
      case A.timeout: if (n >= 4) timeout = v.getUint32(p, HOST_LE); break;
      case A.netmask: if (n >= 4) mask = p; break;
      case A.stats: if (withStats) stats32 = [p, at + len]; break;
      case A.peName: pe = str(payload, p, at + len); break;
      case A.stats64: if (withStats) stats64 = [p, at + len]; break;
    }
    at += (len + 3) & ~3;
  }
  const family: Family = af === AF_INET6 ? 6 : 4;
  let address: string;
  if (family === 4) {
    address = addr < 0 ? '0.0.0.0' : `${payload[addr]}.${payload[addr + 1]}.${payload[addr + 2]}.${payload[addr + 3]}`;
    v4?.push(addr < 0 ? 0 : v.getUint32(addr));
  } else {
    address = formatIPv6(addr < 0 ? new Uint8Array(16) : payload.subarray(addr, Math.min(addr + 16, end)));
    v4?.push(-1);
  }
  const s: ServiceEntry = {
    family, protocol: PROTO.get(proto) ?? 'tcp', address, port, fwmark, scheduler: sched, flags: bitsToFlags(bits, sched), timeout,
    netmask: netmaskOf(v, mask, family),
    stats: !withStats ? NO_STATS : stats64 ? readStats(v, stats64[0], stats64[1], true) : stats32 ? readStats(v, stats32[0], stats32[1], false) : readStats(v, 0, 0, true),
    dests: [],
  };
  if (pe) s.pe = pe;
  return s;
}

/** IPv4: a network-order mask, as a prefix length; IPv6: a host-order prefix length already. */
function netmaskOf(v: DataView, at: number, family: Family): number {
  if (at < 0) return family === 6 ? 128 : 32;
  if (family === 6) return v.getUint32(at, HOST_LE);
  // The leading one bits, as a prefix length: the leading zeros of the complement.
  return Math.clz32(~v.getUint32(at));
}
