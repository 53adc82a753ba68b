// The real-server messages of IPVS written and read straight from bytes, without the generic
// attribute tables. Programming or listing 10,000 real servers spends most of its user-space time
// here, and the table-driven path builds several objects and buffers per attribute (under the
// kernel VM's emulated CPU that was seconds). The bytes are exactly those of the table encoder
// (encodeIpvs with destAttrs / destKeyAttrs) and the values exactly those of decodeDest; the unit
// tests compare both ways. Pure: values in, bytes out.
import { formatIPv6, parseIP } from '../../lib/ip.js';
import {
  FORWARD_BY_NUMBER, FORWARD_NUMBER, TUNNEL_CSUM_NUMBER, TUNNEL_NUMBER, type DestEntry, type DestSpec, type Family, type Stats,
  type TunnelChecksum, type TunnelType,
} from '../../ipvs/model.js';
import { NLA_F_NESTED } from './attrs.js';
import { GENL_HDRLEN } from './genl.js';
import { HOST_LE } from './message.js';
import { viewOf } from '../../lib/bytes.js';

const IPVS_GENL_VERSION = 1;
const CMD_ATTR_SERVICE = 1, CMD_ATTR_DEST = 2;
const AF_INET = 2, AF_INET6 = 10;
const A = { addr: 1, port: 2, fwdMethod: 3, weight: 4, uThresh: 5, lThresh: 6, activeConns: 7, inactConns: 8, persistConns: 9, stats: 10, addrFamily: 11, stats64: 12, tunType: 13, tunPort: 14, tunFlags: 15 } as const;

/** Dotted quad without node:net's validator and array: "10.0.0.1" into out[0..3]; false if not one. */
function ipv4Into(text: string, out: Uint8Array): boolean {
  let part = 0, value = 0, digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return false;
      out[part++] = value; value = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros (node:net refuses "010.0.0.1" too), at most 255.
      if (digits > 0 && value === 0) return false;
      value = value * 10 + c - 48; digits++;
      if (value > 255) return false;
    } else return false;
  }
  if (part !== 3 || digits === 0) return false;
  out[3] = value;
  return true;
}

/** An address as union nf_inet_addr (16 bytes) at `at` (also the service key, ipvs-service.ts). */
export function writeAddr(buf: Buffer, at: number, address: string): void {
  const v = buf.subarray(at, at + 16);
  if (!ipv4Into(address, v)) { v.fill(0); v.set(parseIP(address).addr); }
}

const put16 = (b: Buffer, at: number, v: number) => (HOST_LE ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
const put32 = (b: Buffer, at: number, v: number) => (HOST_LE ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
/** One attribute header; returns where its payload starts. */
const hdr = (b: Buffer, at: number, len: number, type: number) => { put16(b, at, len); put16(b, at + 2, type); return at + 4; };

/**
 * The genl payload of NEW_DEST / SET_DEST (full entry) or DEL_DEST (`keyOnly`: address, port,
 * family) for one real server of the service whose block is already encoded (encodeServiceBlock).
 */
export function encodeDestCommand(cmd: number, serviceBlock: Uint8Array, d: DestSpec, keyOnly = false): Buffer {
  const tunnel = !keyOnly && d.forward === 'tunnel' && d.tunnelType !== undefined;
  const tunPort = tunnel && d.tunnelPort !== undefined, tunFlags = tunnel && d.tunnelChecksum !== undefined;
  // Attributes in the table's order: addr 20, port 8, [fwd, weight, u, l: 4 x 8], family 8, [tunnel 8 each].
  const destLen = 4 + 20 + 8 + (keyOnly ? 0 : 32) + 8 + (tunnel ? 8 : 0) + (tunPort ? 8 : 0) + (tunFlags ? 8 : 0);
  const svcLen = 4 + serviceBlock.length;
  const b = Buffer.alloc(GENL_HDRLEN + ((svcLen + 3) & ~3) + destLen);
  b[0] = cmd; b[1] = IPVS_GENL_VERSION;
  let at = hdr(b, GENL_HDRLEN, svcLen, CMD_ATTR_SERVICE | NLA_F_NESTED);
  b.set(serviceBlock, at);
  at = GENL_HDRLEN + ((svcLen + 3) & ~3);
  at = hdr(b, at, destLen, CMD_ATTR_DEST | NLA_F_NESTED);
  at = hdr(b, at, 20, A.addr); writeAddr(b, at, d.address); at += 16;
  at = hdr(b, at, 6, A.port); b.writeUInt16BE(d.port, at); at += 4;
  if (!keyOnly) {
    at = hdr(b, at, 8, A.fwdMethod); put32(b, at, FORWARD_NUMBER[d.forward]); at += 4;
    at = hdr(b, at, 8, A.weight); put32(b, at, d.weight); at += 4;
    at = hdr(b, at, 8, A.uThresh); put32(b, at, d.upperThreshold); at += 4;
    at = hdr(b, at, 8, A.lThresh); put32(b, at, d.lowerThreshold); at += 4;
  }
  at = hdr(b, at, 6, A.addrFamily); put16(b, at, d.family === 6 ? AF_INET6 : AF_INET); at += 4;
  if (tunnel) { at = hdr(b, at, 5, A.tunType); b[at] = TUNNEL_NUMBER[d.tunnelType!]; at += 4; }
  if (tunPort) { at = hdr(b, at, 6, A.tunPort); b.writeUInt16BE(d.tunnelPort!, at); at += 4; }
  if (tunFlags) { at = hdr(b, at, 6, A.tunFlags); put16(b, at, TUNNEL_CSUM_NUMBER[d.tunnelChecksum!]); }
  return b;
}

const TUN = new Map(Object.entries(TUNNEL_NUMBER).map(([k, v]) => [v, k as TunnelType]));
const CSUM = new Map(Object.entries(TUNNEL_CSUM_NUMBER).map(([k, v]) => [v, k as TunnelChecksum]));
const STATS_KEYS = ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes', 'cps', 'inPps', 'outPps', 'inBps', 'outBps'] as const;

const u16 = (v: DataView, at: number) => v.getUint16(at, HOST_LE);
const u32 = (v: DataView, at: number) => v.getUint32(at, HOST_LE);
/** Most counters are 0 or fit 32 bits: no BigInt arithmetic for those. */
function u64(v: DataView, at: number): bigint {
  const lo = v.getUint32(at + (HOST_LE ? 0 : 4), HOST_LE), hi = v.getUint32(at + (HOST_LE ? 4 : 0), HOST_LE);
  return hi === 0 ? (lo === 0 ? 0n : BigInt(lo)) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** A statistics block (also for services, ipvs-service.ts): u64 (stats64) or u32 (the old block, kernels before 4.1) counters by id. */
export function readStats(v: DataView, start: number, end: number, wide: boolean): Stats {
  const s: Stats = { conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };
  for (let at = start; at + 4 <= end;) {
    const len = u16(v, at), type = u16(v, at + 2) & 0x3fff;
    if (len < 4 || at + len > end) break;
    const key = STATS_KEYS[type - 1];
    // In the old block bytes (ids 4, 5) are u64 and the rest u32.
    const w = wide || type === 4 || type === 5 ? 8 : 4;
    if (key && len >= 4 + w) s[key] = w === 8 ? u64(v, at + 4) : BigInt(u32(v, at + 4));
    at += (len + 3) & ~3;
  }
  return s;
}

/**
 * One reply of a GET_DEST dump into a DestEntry, as decodeIpvs + decodeDest would give it;
 * undefined when the message carries no real server.
 */
export function decodeDestReply(payload: Uint8Array, serviceFamily: Family): DestEntry | undefined {
  return decodeDestIn(payload, 0, payload.length, serviceFamily);
}

/** The same from payload = buf[start, end), read in place (NetlinkSocket.dumpEach hands it so). */
export function decodeDestIn(buf: Uint8Array, start: number, end: number, serviceFamily: Family): DestEntry | undefined {
  const v = viewOf(buf), payload = buf;
  let dStart = -1, dEnd = -1;
  for (let at = start + GENL_HDRLEN; at + 4 <= end;) {
    const len = u16(v, at), type = u16(v, at + 2) & 0x3fff;
    if (len < 4 || at + len > end) break;
    if (type === CMD_ATTR_DEST) { dStart = at + 4; dEnd = at + len; }
    at += (len + 3) & ~3;
  }
  if (dStart < 0) return undefined;
  let addr = -1, af = -1, port = 0, fwd = 0, weight = 0, uT = 0, lT = 0, act = 0, inact = 0, pers = 0;
  let tunType = -1, tunPort = 0, tunFlags = 0;
  let stats: Stats | undefined, stats32: [number, number] | undefined;
  for (let at = dStart; at + 4 <= dEnd;) {
    const len = u16(v, at), type = u16(v, at + 2) & 0x3fff, p = at + 4, n = len - 4;
    if (len < 4 || at + len > dEnd) break;
    switch (type) {
      case A.addr: addr = p; break;
      case A.port: if (n >= 2) port = v.getUint16(p); break;
      case A.fwdMethod: if (n >= 4) fwd = u32(v, p); break;
      case A.weight: if (n >= 4) weight = v.getInt32(p, HOST_LE); break;
      case A.uThresh: if (n >= 4) uT = u32(v, p); break;
      case A.lThresh: if (n >= 4) lT = u32(v, p); break;
      case A.activeConns: if (n >= 4) act = u32(v, p); break;
      case A.inactConns: if (n >= 4) inact = u32(v, p); break;
      case A.persistConns: if (n >= 4) pers = u32(v, p); break;
      case A.stats: stats32 = [p, at + len]; break;
      case A.addrFamily: if (n >= 2) af = u16(v, p); break;
      case A.stats64: stats = readStats(v, p, at + len, true); break;
      case A.tunType: if (n >= 1) tunType = payload[p]!; break;
      case A.tunPort: if (n >= 2) tunPort = v.getUint16(p); break;
      case A.tunFlags: if (n >= 2) tunFlags = u16(v, p); break;
    }
    at += (len + 3) & ~3;
  }
  const family: Family = af < 0 ? serviceFamily : af === AF_INET6 ? 6 : 4;
  let address: string;
  if (family === 4) address = addr < 0 ? '0.0.0.0' : `${payload[addr]}.${payload[addr + 1]}.${payload[addr + 2]}.${payload[addr + 3]}`;
  else address = formatIPv6(addr < 0 ? new Uint8Array(16) : payload.subarray(addr, addr + 16));
  const forward = FORWARD_BY_NUMBER[fwd & 0x7]!;
  const d: DestEntry = {
    family, address, port, forward, weight, upperThreshold: uT, lowerThreshold: lT, activeConns: act, inactConns: inact, persistConns: pers,
    stats: stats ?? (stats32 ? readStats(v, stats32[0], stats32[1], false) : readStats(v, 0, 0, true)),
  };
  if (forward === 'tunnel' && tunType >= 0) {
    d.tunnelType = TUN.get(tunType) ?? 'ipip';
    if (d.tunnelType === 'gue') d.tunnelPort = tunPort;
    if (d.tunnelType !== 'ipip') d.tunnelChecksum = CSUM.get(tunFlags) ?? 'nocsum';
  }
  return d;
}
