// The IPVS generic netlink family (linux/ip_vs.h) as attribute tables for the shared encoder, plus
// the mapping between those attributes and the model in src/ipvs/model.ts. Pure: values in, bytes out.
// Oddities the wire demands: addresses are always 16 bytes (union nf_inet_addr), ports are network
// order inside a "u16", an IPv4 persistence netmask is a network-order mask while an IPv6 one is a
// host-order prefix length, and flags travel as struct ip_vs_flags { flags, mask }.
import { HOST_LE } from './message.js';
import { encodeAttrs, decodeAttrs, NLA_F_NESTED, type AttrTable, type AttrValues } from './attrs.js';
import { encodeGenl, decodeGenl } from './genl.js';
import { ByteReader, ByteWriter } from '../../lib/bytes.js';
import { formatIP, parseIP } from '../../lib/ip.js';
import {
  bitsToFlags, flagsToBits, FORWARD_NUMBER, PROTOCOL_NUMBER, SVC_F_USER, TUNNEL_CSUM_NUMBER, TUNNEL_NUMBER,
  type DestEntry, type DestSpec, type Family, type ForwardMethod, type IpvsInfo, type Protocol, type ServiceEntry,
  type ServiceKey, type ServiceSpec, type Stats, type Timeouts, type TunnelChecksum, type TunnelType,
} from '../../ipvs/model.js';
import type { SyncDaemonSpec, SyncRole } from '../../ipvs/sync-daemon.js';

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

export const IPVS_CMD = {
  NEW_SERVICE: 1, SET_SERVICE: 2, DEL_SERVICE: 3, GET_SERVICE: 4,
  NEW_DEST: 5, SET_DEST: 6, DEL_DEST: 7, GET_DEST: 8,
  NEW_DAEMON: 9, DEL_DAEMON: 10, GET_DAEMON: 11,
  SET_CONFIG: 12, GET_CONFIG: 13, SET_INFO: 14, GET_INFO: 15, ZERO: 16, FLUSH: 17,
} as const;

export const AF_INET = 2;
export const AF_INET6 = 10;

/** struct ip_vs_flags: two host-order u32. */
const flagsSpec = {
  id: 7, type: 'custom' as const,
  encode(v: { flags: number; mask: number }): Uint8Array { return new ByteWriter(8).u32(v.flags, HOST_LE).u32(v.mask, HOST_LE).finish(); },
  decode(b: Uint8Array): { flags: number; mask: number } { const r = new ByteReader(b); return { flags: r.u32(HOST_LE), mask: r.u32(HOST_LE) }; },
};

export const STATS_ATTRS: AttrTable = {
  conns: { id: 1, type: 'u32' }, inPkts: { id: 2, type: 'u32' }, outPkts: { id: 3, type: 'u32' },
  inBytes: { id: 4, type: 'u64' }, outBytes: { id: 5, type: 'u64' },
  cps: { id: 6, type: 'u32' }, inPps: { id: 7, type: 'u32' }, outPps: { id: 8, type: 'u32' },
  inBps: { id: 9, type: 'u32' }, outBps: { id: 10, type: 'u32' },
};
export const STATS64_ATTRS: AttrTable = Object.fromEntries(
  Object.entries(STATS_ATTRS).map(([k, s]) => [k, { id: s.id, type: 'u64' as const }]),
);

/**
 * The 32-bit statistics are kept as raw bytes and decoded only when the 64-bit set is missing
 * (kernels before 4.1): listing 10,000 real servers then decodes one block each, not two.
 */
function lazyStats(id: number) {
  return {
    // Without NLA_F_NESTED in the id: the decoder looks attributes up by their bare type.
    id, type: 'custom' as const,
    encode: (v: AttrValues | Uint8Array): Uint8Array => (v instanceof Uint8Array ? v : encodeAttrs(STATS_ATTRS, v)),
    decode: (b: Uint8Array): Uint8Array => b,
  };
}

export const SERVICE_ATTRS: AttrTable = {
  af: { id: 1, type: 'u16' },
  protocol: { id: 2, type: 'u16' },
  addr: { id: 3, type: 'bytes' },
  port: { id: 4, type: 'be16' },
  fwmark: { id: 5, type: 'u32' },
  schedName: { id: 6, type: 'string' },
  flags: flagsSpec,
  timeout: { id: 8, type: 'u32' },
  netmask: { id: 9, type: 'bytes' },
  stats: lazyStats(10),
  peName: { id: 11, type: 'string' },
  stats64: { id: 12, type: 'nested', table: STATS64_ATTRS },
};

export const DEST_ATTRS: AttrTable = {
  addr: { id: 1, type: 'bytes' },
  port: { id: 2, type: 'be16' },
  fwdMethod: { id: 3, type: 'u32' },
  weight: { id: 4, type: 's32' },
  uThresh: { id: 5, type: 'u32' },
  lThresh: { id: 6, type: 'u32' },
  activeConns: { id: 7, type: 'u32' },
  inactConns: { id: 8, type: 'u32' },
  persistConns: { id: 9, type: 'u32' },
  stats: lazyStats(10),
  addrFamily: { id: 11, type: 'u16' },
  stats64: { id: 12, type: 'nested', table: STATS64_ATTRS },
  tunType: { id: 13, type: 'u8' },
  tunPort: { id: 14, type: 'be16' },
  tunFlags: { id: 15, type: 'u16' },
};

/** IPVS_DAEMON_ATTR_*: the port and maxlen are host-order u16, the groups raw in_addr / in6_addr. */
export const DAEMON_ATTRS: AttrTable = {
  state: { id: 1, type: 'u32' }, mcastIfn: { id: 2, type: 'string' }, syncId: { id: 3, type: 'u32' },
  syncMaxLen: { id: 4, type: 'u16' }, mcastGroup: { id: 5, type: 'bytes' }, mcastGroup6: { id: 6, type: 'bytes' },
  mcastPort: { id: 7, type: 'u16' }, mcastTtl: { id: 8, type: 'u8' },
};

/** IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP: which sync thread a daemon command is about. */
export const SYNC_STATE: Record<SyncRole, number> = { master: 1, backup: 2 };

/** Top-level attributes of IPVS commands. */
export const CMD_ATTRS: AttrTable = {
  service: { id: 1, type: 'nested', table: SERVICE_ATTRS },
  dest: { id: 2, type: 'nested', table: DEST_ATTRS },
  daemon: { id: 3, type: 'nested', table: DAEMON_ATTRS },
  timeoutTcp: { id: 4, type: 'u32' },
  timeoutTcpFin: { id: 5, type: 'u32' },
  timeoutUdp: { id: 6, type: 'u32' },
};

/** Top-level attributes of the GET_INFO reply (they reuse ids 1 and 2). */
export const INFO_ATTRS: AttrTable = {
  version: { id: 1, type: 'u32' },
  connTabSize: { id: 2, type: 'u32' },
};

const familyToAf = (f: Family): number => (f === 6 ? AF_INET6 : AF_INET);
const afToFamily = (af: number): Family => (af === AF_INET6 ? 6 : 4);
const protoByNumber = new Map(Object.entries(PROTOCOL_NUMBER).map(([k, v]) => [v, k as Protocol]));
const fwdByNumber = new Map(Object.entries(FORWARD_NUMBER).map(([k, v]) => [v, k as ForwardMethod]));
const tunByNumber = new Map(Object.entries(TUNNEL_NUMBER).map(([k, v]) => [v, k as TunnelType]));
const csumByNumber = new Map(Object.entries(TUNNEL_CSUM_NUMBER).map(([k, v]) => [v, k as TunnelChecksum]));

/** union nf_inet_addr: 16 bytes whatever the family. */
function addr16(text: string): Uint8Array {
  const out = new Uint8Array(16);
  out.set(parseIP(text).addr);
  return out;
}
function addrText(b: Uint8Array | undefined, family: Family): string {
  // union nf_inet_addr is 16 bytes; a shorter attribute (never sent by the kernel) is zero-padded,
  // so the text is always of the family the message claims (found by fuzzing).
  const bytes = new Uint8Array(16);
  if (b) bytes.set(b.subarray(0, 16));
  return formatIP(family === 6 ? bytes : bytes.subarray(0, 4));
}

function encodeNetmask(prefix: number, family: Family): Uint8Array {
  if (family === 6) return new ByteWriter(4).u32(prefix, HOST_LE).finish();
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return new ByteWriter(4).u32(mask).finish();
}
function decodeNetmask(b: Uint8Array | undefined, family: Family): number {
  if (!b || b.length < 4) return family === 6 ? 128 : 32;
  const r = new ByteReader(b);
  if (family === 6) return r.u32(HOST_LE);
  let mask = r.u32(), n = 0;
  while (n < 32 && mask & 0x80000000) { n++; mask = (mask << 1) >>> 0; }
  return n;
}

/** The attributes that name a service (for delete, dest commands, per-service dumps and zero). */
export function serviceKeyAttrs(k: ServiceKey): AttrValues {
  if (k.fwmark > 0) return { af: familyToAf(k.family), fwmark: k.fwmark };
  return { af: familyToAf(k.family), protocol: PROTOCOL_NUMBER[k.protocol], addr: addr16(k.address), port: k.port };
}

/** A full service entry (new/set need scheduler, flags, timeout and netmask together). */
export function serviceAttrs(s: ServiceSpec): AttrValues {
  return {
    ...serviceKeyAttrs(s),
    schedName: s.scheduler,
    flags: { flags: flagsToBits(s.flags), mask: SVC_F_USER },
    timeout: s.timeout,
    netmask: encodeNetmask(s.netmask, s.family),
    peName: s.pe || undefined,
  };
}

/**
 * The attributes that name a real server (delete). The family goes too: without it the kernel
 * assumes the service's, and an IPv6 tunnel server in an IPv4 service would not be found.
 */
export function destKeyAttrs(d: Pick<DestSpec, 'family' | 'address' | 'port'>): AttrValues {
  return { addr: addr16(d.address), port: d.port, addrFamily: familyToAf(d.family) };
}

export function destAttrs(d: DestSpec, withTunnel = true): AttrValues {
  const v: AttrValues = {
    addr: addr16(d.address), port: d.port, fwdMethod: FORWARD_NUMBER[d.forward], weight: d.weight,
    uThresh: d.upperThreshold, lThresh: d.lowerThreshold, addrFamily: familyToAf(d.family),
  };
  if (withTunnel && d.forward === 'tunnel' && d.tunnelType !== undefined) {
    v.tunType = TUNNEL_NUMBER[d.tunnelType];
    if (d.tunnelPort !== undefined) v.tunPort = d.tunnelPort;
    if (d.tunnelChecksum !== undefined) v.tunFlags = TUNNEL_CSUM_NUMBER[d.tunnelChecksum];
  }
  return v;
}

function decodeStats(v: AttrValues): Stats {
  const raw32 = v.stats instanceof Uint8Array ? decodeAttrs(STATS_ATTRS, v.stats) : v.stats;
  const s64 = (v.stats64 ?? raw32 ?? {}) as AttrValues;
  const n = (k: string): bigint => BigInt((s64[k] as number | bigint | undefined) ?? 0);
  return {
    conns: n('conns'), inPkts: n('inPkts'), outPkts: n('outPkts'), inBytes: n('inBytes'), outBytes: n('outBytes'),
    cps: n('cps'), inPps: n('inPps'), outPps: n('outPps'), inBps: n('inBps'), outBps: n('outBps'),
  };
}

/** One service attribute block from a dump or get (no destinations yet). */
export function decodeService(v: AttrValues): ServiceEntry {
  const family = afToFamily(Number(v.af ?? AF_INET));
  const fwmark = Number(v.fwmark ?? 0);
  const scheduler = String(v.schedName ?? '');
  const bits = (v.flags as { flags: number } | undefined)?.flags ?? 0;
  const s: ServiceEntry = {
    family,
    protocol: protoByNumber.get(Number(v.protocol ?? 6)) ?? 'tcp',
    address: addrText(v.addr as Uint8Array | undefined, family),
    port: Number(v.port ?? 0),
    fwmark,
    scheduler,
    flags: bitsToFlags(bits, scheduler),
    timeout: Number(v.timeout ?? 0),
    netmask: decodeNetmask(v.netmask as Uint8Array | undefined, family),
    stats: decodeStats(v),
    dests: [],
  };
  if (typeof v.peName === 'string' && v.peName) s.pe = v.peName;
  return s;
}

export function decodeDest(v: AttrValues, serviceFamily: Family): DestEntry {
  const family = v.addrFamily !== undefined ? afToFamily(Number(v.addrFamily)) : serviceFamily;
  const forward = fwdByNumber.get(Number(v.fwdMethod ?? 0) & 0x7) ?? 'masq';
  const d: DestEntry = {
    family,
    address: addrText(v.addr as Uint8Array | undefined, family),
    port: Number(v.port ?? 0),
    forward,
    weight: Number(v.weight ?? 0),
    upperThreshold: Number(v.uThresh ?? 0),
    lowerThreshold: Number(v.lThresh ?? 0),
    activeConns: Number(v.activeConns ?? 0),
    inactConns: Number(v.inactConns ?? 0),
    persistConns: Number(v.persistConns ?? 0),
    stats: decodeStats(v),
  };
  if (forward === 'tunnel' && v.tunType !== undefined) {
    d.tunnelType = tunByNumber.get(Number(v.tunType)) ?? 'ipip';
    if (d.tunnelType === 'gue') d.tunnelPort = Number(v.tunPort ?? 0);
    if (d.tunnelType !== 'ipip') d.tunnelChecksum = csumByNumber.get(Number(v.tunFlags ?? 0)) ?? 'nocsum';
  }
  return d;
}

export interface IpvsCommandAttrs {
  /** The service's attributes, or its block already encoded (encodeServiceBlock) to reuse it. */
  service?: AttrValues | Uint8Array;
  dest?: AttrValues;
  daemon?: AttrValues;
  timeouts?: Partial<Timeouts>;
}

/** A pre-encoded nested block goes out as it is (same id and NLA_F_NESTED as the table's). */
const rawNested = (id: number) => ({ id: id | NLA_F_NESTED, type: 'custom' as const, encode: (b: Uint8Array) => b, decode: (b: Uint8Array) => b });
const CMD_ATTRS_PREENCODED: AttrTable = { ...CMD_ATTRS, service: rawNested(1) };

/** The service block of a command, encoded once and reusable for every real server of the service. */
export function encodeServiceBlock(service: AttrValues): Uint8Array {
  return encodeAttrs(SERVICE_ATTRS, service);
}

/** The genl payload of one IPVS command. */
export function encodeIpvs(cmd: number, a: IpvsCommandAttrs = {}): Buffer {
  const t = a.timeouts;
  return encodeGenl(cmd, IPVS_GENL_VERSION, encodeAttrs(a.service instanceof Uint8Array ? CMD_ATTRS_PREENCODED : CMD_ATTRS, {
    service: a.service, dest: a.dest, daemon: a.daemon, timeoutTcp: t?.tcp, timeoutTcpFin: t?.tcpFin, timeoutUdp: t?.udp,
  }));
}

export interface DecodedIpvs { cmd: number; attrs: AttrValues }

/** Any IPVS message (request or reply) into its command and top-level attributes. */
export function decodeIpvs(payload: Uint8Array): DecodedIpvs {
  const g = decodeGenl(payload);
  return { cmd: g.cmd, attrs: decodeAttrs(CMD_ATTRS, g.attrs) };
}

export function decodeInfo(payload: Uint8Array): IpvsInfo {
  const a = decodeAttrs(INFO_ATTRS, decodeGenl(payload).attrs);
  return { version: Number(a.version ?? 0), connTabSize: Number(a.connTabSize ?? 0) };
}

export function decodeTimeouts(payload: Uint8Array): Timeouts {
  const a = decodeIpvs(payload).attrs;
  return { tcp: Number(a.timeoutTcp ?? 0), tcpFin: Number(a.timeoutTcpFin ?? 0), udp: Number(a.timeoutUdp ?? 0) };
}

export function encodeInfoReply(info: IpvsInfo): Buffer {
  return encodeGenl(IPVS_CMD.SET_INFO, IPVS_GENL_VERSION, encodeAttrs(INFO_ATTRS, info as unknown as AttrValues));
}

/** A service or dest as the kernel puts it in a reply (the fake kernel in tests uses these). */
export function serviceReplyAttrs(s: ServiceEntry, hashedBits = 0x2): AttrValues {
  const v = serviceAttrs(s);
  const stats = statsValues(s.stats);
  return { ...v, addr: addr16(s.address), port: s.port, fwmark: s.fwmark, protocol: PROTOCOL_NUMBER[s.protocol],
    flags: { flags: flagsToBits(s.flags) | hashedBits, mask: 0xffffffff }, stats: stats.s32, stats64: stats.s64 };
}

export function destReplyAttrs(d: DestEntry): AttrValues {
  const stats = statsValues(d.stats);
  return { ...destAttrs(d), activeConns: d.activeConns, inactConns: d.inactConns, persistConns: d.persistConns, stats: stats.s32, stats64: stats.s64 };
}

function statsValues(s: Stats): { s32: AttrValues; s64: AttrValues } {
  const s32: AttrValues = {};
  for (const [k, spec] of Object.entries(STATS_ATTRS)) {
    const v = s[k as keyof Stats];
    s32[k] = spec.type === 'u64' ? v : Number(v & 0xffffffffn);
  }
  return { s32, s64: { ...s } };
}

/** NEW_DAEMON attributes: state, interface and sync id are required; the rest only when set. */
export function daemonAttrs(d: SyncDaemonSpec): AttrValues {
  const v: AttrValues = { state: SYNC_STATE[d.role], mcastIfn: d.iface, syncId: d.syncId };
  if (d.maxLen !== undefined) v.syncMaxLen = d.maxLen;
  if (d.group !== undefined) {
    const g = parseIP(d.group).addr;
    if (g.length === 4) v.mcastGroup = g; else v.mcastGroup6 = g;
  }
  if (d.port !== undefined) v.mcastPort = d.port;
  if (d.ttl !== undefined) v.mcastTtl = d.ttl;
  return v;
}

/** One daemon of a GET_DAEMON dump (the kernel reports the defaults it filled in). */
export function decodeDaemon(v: AttrValues): SyncDaemonSpec {
  const role: SyncRole = Number(v.state) === SYNC_STATE.backup ? 'backup' : 'master';
  const d: SyncDaemonSpec = { role, iface: String(v.mcastIfn ?? ''), syncId: Number(v.syncId ?? 0) };
  if (v.syncMaxLen !== undefined) d.maxLen = Number(v.syncMaxLen);
  const g = (v.mcastGroup ?? v.mcastGroup6) as Uint8Array | undefined;
  if (g && (g.length === 4 || g.length === 16)) d.group = formatIP(g);
  if (v.mcastPort !== undefined) d.port = Number(v.mcastPort);
  if (v.mcastTtl !== undefined) d.ttl = Number(v.mcastTtl);
  return d;
}
