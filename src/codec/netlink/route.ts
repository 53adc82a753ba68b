// rtnetlink routes (rtnetlink(7), linux/rtnetlink.h): RTM_NEWROUTE / DELROUTE / GETROUTE. A
// struct rtmsg header followed by RTA_* attributes described as a table for the shared codec.
// Pure: values in, bytes out, and back. Only the attributes an announcement route needs are
// named; the decoder ignores the rest (a kernel dump carries RTA_CACHEINFO, RTA_PREF, ...).
import { ByteReader, ByteWriter } from '../../lib/bytes.js';
import { formatIP } from '../../lib/ip.js';
import { decodeAttrs, encodeAttrs, type AttrTable } from './attrs.js';
import { HOST_LE, type NetlinkMessage } from './message.js';
import { AF, RT_SCOPE } from './rtnl.js';

export const RTM_ROUTE = { NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26 } as const;
export const RTNLGRP_ROUTE = { IPV4: 7, IPV6: 11 } as const;

/** rtm_type values (enum in linux/rtnetlink.h, RTN_*). */
export const RTN = {
  unspec: 0, unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5,
  blackhole: 6, unreachable: 7, prohibit: 8, throw: 9, nat: 10, xresolve: 11,
} as const;
export type RouteType = keyof typeof RTN;
const RTN_NAMES = Object.fromEntries(Object.entries(RTN).map(([k, v]) => [v, k])) as Record<number, RouteType>;

/** Reserved table ids: 0 is "unspecified", 252 "compat" (rtm_table when the id is >= 256), 253-255 the kernel's own. */
export const RT_TABLE = { UNSPEC: 0, COMPAT: 252, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;

/** A few rtm_protocol values from linux/rtnetlink.h (RTPROT_*), for display and tests. */
export const RTPROT = { unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4, zebra: 11, bird: 12, keepalived: 18 } as const;

/** rtm_flags: RTM_F_CLONED etc. are never ours; kept as a number. */
export const RTA: AttrTable = {
  dst: { id: 1, type: 'bytes' },
  src: { id: 2, type: 'bytes' },
  oif: { id: 4, type: 'u32' },
  gateway: { id: 5, type: 'bytes' },
  priority: { id: 6, type: 'u32' },
  prefsrc: { id: 7, type: 'bytes' },
  table: { id: 15, type: 'u32' },
};

export interface Route {
  family: 4 | 6;
  /** Destination network bytes (all zero for a default route). */
  dst: Uint8Array;
  dstLen: number;
  /** Full table id: RTA_TABLE when the kernel sends it, else rtm_table. */
  table: number;
  /** rtm_protocol: who installed the route. */
  protocol: number;
  scope: number;
  type: RouteType;
  /** RTA_PRIORITY, the route's metric (0 when absent). */
  priority: number;
  oif?: number;
  gateway?: Uint8Array;
  /** RTA_PREFSRC: the source address chosen for traffic that takes the route. */
  prefsrc?: Uint8Array;
  flags: number;
}

export interface RouteRequest {
  dst: Uint8Array;
  dstLen: number;
  table: number;
  protocol: number;
  type: RouteType;
  /** Default: host for `local`, link for a unicast route with an interface and no gateway, else universe. */
  scope?: number;
  priority?: number;
  oif?: number;
  gateway?: Uint8Array;
  /** RTA_PREFSRC (ip route's `src`). */
  prefsrc?: Uint8Array;
}

const familyOf = (addr: Uint8Array): number => (addr.length === 4 ? AF.INET : AF.INET6);

/** The scope the kernel and ip(8) expect for a route of this shape. */
export function defaultScope(q: Pick<RouteRequest, 'type' | 'oif' | 'gateway'>): number {
  if (q.type === 'local') return RT_SCOPE.host;
  if (q.type === 'unicast' && q.oif !== undefined && q.gateway === undefined) return RT_SCOPE.link;
  return RT_SCOPE.universe;
}

function header(family: number, dstLen: number, table: number, protocol: number, scope: number, type: number): Buffer {
  // Table ids above 255 do not fit rtm_table: iproute2 sends UNSPEC there and the id in RTA_TABLE.
  return new ByteWriter(12).u8(family).u8(dstLen).u8(0).u8(0).u8(table < 256 ? table : RT_TABLE.UNSPEC)
    .u8(protocol).u8(scope).u8(type).u32(0, HOST_LE).finish();
}

/** NEWROUTE payload, attribute for attribute what `ip route add TYPE DST metric M table T proto P` sends. */
export function encodeRouteRequest(q: RouteRequest): Buffer {
  const attrs = encodeAttrs(RTA, {
    dst: q.dst, oif: q.oif, gateway: q.gateway, priority: q.priority, prefsrc: q.prefsrc,
    table: q.table >= 256 ? q.table : undefined,
  });
  return Buffer.concat([header(familyOf(q.dst), q.dstLen, q.table, q.protocol, q.scope ?? defaultScope(q), RTN[q.type]), attrs]);
}

/**
 * DELROUTE payload that also names the interface, gateway and source (when given), so that of
 * several routes to one prefix (another gateway, another device) only this one goes.
 */
export function encodeRouteDeleteExact(q: RouteRequest): Buffer {
  const attrs = encodeAttrs(RTA, {
    dst: q.dst, oif: q.oif, gateway: q.gateway, priority: q.priority, prefsrc: q.prefsrc,
    table: q.table >= 256 ? q.table : undefined,
  });
  return Buffer.concat([header(familyOf(q.dst), q.dstLen, q.table, q.protocol, RT_SCOPE.nowhere, RTN[q.type]), attrs]);
}

/**
 * DELROUTE payload. Scope NOWHERE is the kernel's "any scope" for a delete (as ip(8) sends it);
 * protocol, type and metric must match, so a route someone else installed at the same prefix in
 * the same table is left alone.
 */
export function encodeRouteDelete(q: Omit<RouteRequest, 'scope' | 'oif' | 'gateway'>): Buffer {
  const attrs = encodeAttrs(RTA, { dst: q.dst, priority: q.priority, table: q.table >= 256 ? q.table : undefined });
  return Buffer.concat([header(familyOf(q.dst), q.dstLen, q.table, q.protocol, RT_SCOPE.nowhere, RTN[q.type]), attrs]);
}

/**
 * GETROUTE dump request for one family (0 = both). The kernel filters a dump by table only when
 * strict checking is on, so callers filter the answer themselves (decodeRoute gives the table).
 */
export function encodeRouteDump(family: 0 | 4 | 6 = 0): Buffer {
  const af = family === 4 ? AF.INET : family === 6 ? AF.INET6 : AF.UNSPEC;
  return header(af, 0, 0, 0, 0, 0);
}

export function decodeRoute(m: Pick<NetlinkMessage, 'payload'>): Route {
  const r = new ByteReader(m.payload);
  const af = r.u8(), dstLen = r.u8();
  r.u8(); r.u8();
  const table8 = r.u8(), protocol = r.u8(), scope = r.u8(), type = r.u8();
  const flags = r.u32(HOST_LE);
  const a = decodeAttrs(RTA, m.payload.subarray(12));
  const family = af === AF.INET6 ? 6 : 4;
  const route: Route = {
    family, dst: (a.dst as Uint8Array | undefined) ?? new Uint8Array(family === 4 ? 4 : 16), dstLen,
    table: typeof a.table === 'number' ? a.table : table8, protocol, scope,
    type: RTN_NAMES[type] ?? 'unspec', priority: typeof a.priority === 'number' ? a.priority : 0, flags,
  };
  if (typeof a.oif === 'number') route.oif = a.oif;
  if (a.gateway instanceof Uint8Array) route.gateway = a.gateway;
  if (a.prefsrc instanceof Uint8Array) route.prefsrc = a.prefsrc;
  return route;
}

/** "10.20.0.1/32" for logs and keys. */
export function routePrefix(r: Pick<Route, 'dst' | 'dstLen'>): string {
  return `${formatIP(r.dst)}/${r.dstLen}`;
}
