// rtnetlink (rtnetlink(7)): link and address messages. ifinfomsg/ifaddrmsg headers followed by
// IFLA_/IFA_ attributes described as tables. Pure: messages in, values out, and back.
import { ByteReader, ByteWriter } from '../../lib/bytes.js';
import { VipError } from '../../lib/errors.js';
import { formatIP } from '../../lib/ip.js';
import { decodeAttrs, encodeAttrs, type AttrTable } from './attrs.js';
import { HOST_LE, type NetlinkMessage } from './message.js';

export const RTM = { NEWLINK: 16, DELLINK: 17, GETLINK: 18, NEWADDR: 20, DELADDR: 21, GETADDR: 22 } as const;
export const RTNLGRP = { LINK: 1, IPV4_IFADDR: 5, IPV6_IFADDR: 9 } as const;
export const AF = { UNSPEC: 0, INET: 2, INET6: 10 } as const;
export const IFF = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, POINTOPOINT: 0x10, RUNNING: 0x40, NOARP: 0x80, PROMISC: 0x100, MULTICAST: 0x1000, LOWER_UP: 0x10000, DORMANT: 0x20000 } as const;
export const IFA_F = { SECONDARY: 0x01, NODAD: 0x02, OPTIMISTIC: 0x04, DADFAILED: 0x08, HOMEADDRESS: 0x10, DEPRECATED: 0x20, TENTATIVE: 0x40, PERMANENT: 0x80, MANAGETEMPADDR: 0x100, NOPREFIXROUTE: 0x200 } as const;
export const RT_SCOPE = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;
export type ScopeName = keyof typeof RT_SCOPE;

/** IF_OPER_* (RFC 2863 ifOperStatus as the kernel numbers it). */
export const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;
export type OperState = (typeof OPERSTATES)[number];

export const IFLA: AttrTable = {
  address: { id: 1, type: 'bytes' },
  broadcast: { id: 2, type: 'bytes' },
  ifname: { id: 3, type: 'string' },
  mtu: { id: 4, type: 'u32' },
  link: { id: 5, type: 'u32' },
  master: { id: 10, type: 'u32' },
  operstate: { id: 16, type: 'u8' },
  linkmode: { id: 17, type: 'u8' },
  ifalias: { id: 20, type: 'string' },
  carrier: { id: 33, type: 'u8' },
  extMask: { id: 29, type: 'u32' },
};

export const IFA: AttrTable = {
  address: { id: 1, type: 'bytes' },
  local: { id: 2, type: 'bytes' },
  label: { id: 3, type: 'string' },
  broadcast: { id: 4, type: 'bytes' },
  flags: { id: 8, type: 'u32' },
};

export interface Link {
  index: number;
  name: string;
  /** Hardware address ("aa:bb:.."), absent for links without one. */
  mac?: Uint8Array;
  /** IFF_* flags. */
  flags: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Carrier present (IFF_LOWER_UP). */
  lowerUp: boolean;
  operstate: OperState;
  mtu: number;
  /** ARPHRD_* type (1 = Ethernet, 772 = loopback). */
  type: number;
  master?: number;
}

export interface Address {
  family: 4 | 6;
  ifindex: number;
  addr: Uint8Array;
  /** Text form, e.g. "10.0.0.1". */
  address: string;
  prefixLen: number;
  scope: number;
  /** IFA_F_* (the 32-bit IFA_FLAGS when the kernel sends it). */
  flags: number;
  label?: string;
}

export interface AddressRequest {
  ifindex: number;
  addr: Uint8Array;
  prefixLen: number;
  scope?: number;
  flags?: number;
  label?: string;
  broadcast?: Uint8Array;
}

const familyOf = (addr: Uint8Array): number => (addr.length === 4 ? AF.INET : AF.INET6);

/** struct ifinfomsg + attributes: GETLINK for one link by index or name, or a dump (all zero). */
export function encodeLinkRequest(q: { index?: number; name?: string } = {}): Buffer {
  const w = new ByteWriter(32);
  w.u8(AF.UNSPEC).u8(0).u16(0, HOST_LE).u32(q.index ?? 0, HOST_LE).u32(0, HOST_LE).u32(0, HOST_LE);
  return Buffer.concat([w.finish(), encodeAttrs(IFLA, { ifname: q.name })]);
}

export function decodeLink(m: NetlinkMessage): Link {
  const r = new ByteReader(m.payload);
  r.u8(); r.u8();
  const type = r.u16(HOST_LE);
  const index = r.u32(HOST_LE) | 0;
  const flags = r.u32(HOST_LE);
  r.u32(HOST_LE);
  const a = decodeAttrs(IFLA, m.payload.subarray(16));
  const link: Link = {
    index, name: (a.ifname as string | undefined) ?? `if${index}`, flags,
    up: (flags & IFF.UP) !== 0, lowerUp: (flags & IFF.LOWER_UP) !== 0,
    operstate: OPERSTATES[a.operstate as number] ?? 'unknown', mtu: (a.mtu as number | undefined) ?? 0, type,
  };
  if (a.address instanceof Uint8Array && a.address.length > 0) link.mac = a.address;
  if (typeof a.master === 'number') link.master = a.master;
  return link;
}

/** struct ifaddrmsg for a dump filtered by family (0 = both). */
export function encodeAddrDump(family: 0 | 4 | 6 = 0): Buffer {
  const af = family === 4 ? AF.INET : family === 6 ? AF.INET6 : AF.UNSPEC;
  return new ByteWriter(8).u8(af).u8(0).u8(0).u8(0).u32(0, HOST_LE).finish();
}

/** NEWADDR/DELADDR payload. IFA_LOCAL and IFA_ADDRESS both carry the address, as iproute2 does. */
export function encodeAddrRequest(q: AddressRequest): Buffer {
  const flags = q.flags ?? 0;
  const hdr = new ByteWriter(8).u8(familyOf(q.addr)).u8(q.prefixLen).u8(flags & 0xff).u8(q.scope ?? 0).u32(q.ifindex, HOST_LE).finish();
  const attrs = encodeAttrs(IFA, {
    local: q.addr, address: q.addr, label: q.addr.length === 4 ? q.label : undefined,
    broadcast: q.broadcast, flags: flags > 0xff ? flags : undefined,
  });
  return Buffer.concat([hdr, attrs]);
}

export function decodeAddress(m: NetlinkMessage): Address {
  const r = new ByteReader(m.payload);
  const af = r.u8(), prefixLen = r.u8(), flags8 = r.u8(), scope = r.u8();
  const ifindex = r.u32(HOST_LE);
  const a = decodeAttrs(IFA, m.payload.subarray(8));
  // For IPv4 IFA_LOCAL is the address and IFA_ADDRESS the peer; IPv6 sends IFA_ADDRESS only.
  // An attribute of the wrong size for the family is ignored (found by fuzzing: it gave "1.2.3.undefined").
  const size = af === AF.INET6 ? 16 : 4;
  const sized = (b: unknown): Uint8Array | undefined => (b instanceof Uint8Array && b.length === size ? b : undefined);
  const addr = sized(a.local) ?? sized(a.address) ?? new Uint8Array(size);
  const out: Address = {
    family: af === AF.INET6 ? 6 : 4, ifindex, addr, address: formatIP(addr), prefixLen, scope,
    flags: typeof a.flags === 'number' ? a.flags : flags8,
  };
  if (typeof a.label === 'string') out.label = a.label;
  return out;
}

/** A scope name or number as the one byte ifa_scope holds; anything else is a VipError('bad-scope'). */
export function scopeValue(s: number | ScopeName | undefined): number | undefined {
  if (s === undefined) return s;
  if (typeof s === 'number') {
    if (Number.isInteger(s) && s >= 0 && s <= 255) return s;
    throw new VipError('bad-scope', `address scope must be 0-255: ${s}`);
  }
  const v = Object.hasOwn(RT_SCOPE, s) ? RT_SCOPE[s] : undefined;
  if (v === undefined) throw new VipError('bad-scope', `unknown address scope: ${s} (one of ${Object.keys(RT_SCOPE).join(', ')})`);
  return v;
}
