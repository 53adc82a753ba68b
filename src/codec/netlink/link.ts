// rtnetlink link changes (rtnetlink(7), linux/if_link.h): create a macvlan (a VRRP virtual MAC
// interface), bring a link up, delete one. Pure: values in, bytes out. Built attribute by
// attribute as `ip link add link BASE name N address MAC type macvlan mode private`, `ip link set
// N up` and `ip link del N` send them (iproute2 6.x, strace): nests without NLA_F_NESTED and the
// kind without its NUL, so the bytes can be compared with the tool's.
import { ByteWriter } from '../../lib/bytes.js';
import { decodeAttrs, writeAttr, type AttrTable } from './attrs.js';
import { HOST_LE, type NetlinkMessage } from './message.js';
import { AF, IFF } from './rtnl.js';

export const IFLA_ID = { ADDRESS: 1, IFNAME: 3, LINK: 5, LINKINFO: 18 } as const;
const IFLA_INFO = { KIND: 1, DATA: 2 } as const;
const IFLA_MACVLAN_MODE = 1;

/** enum macvlan_mode: private = frames between macvlans of one parent are not delivered. */
export const MACVLAN_MODE = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;
export type MacvlanMode = keyof typeof MACVLAN_MODE;

/** struct ifinfomsg: family, pad, type, index, flags, change. */
function ifinfo(index: number, flags: number, change: number): ByteWriter {
  return new ByteWriter(64).u8(AF.UNSPEC).u8(0).u16(0, HOST_LE).u32(index, HOST_LE).u32(flags, HOST_LE).u32(change, HOST_LE);
}

const u32 = (v: number): Uint8Array => new ByteWriter(4).u32(v, HOST_LE).finish();

export interface MacvlanRequest {
  name: string;
  /** ifindex of the parent (the instance's interface). */
  parent: number;
  mac: Uint8Array;
  mode: MacvlanMode;
}

/** NEWLINK payload creating a macvlan (sent with CREATE | EXCL: an existing name is EEXIST). */
export function encodeMacvlanCreate(q: MacvlanRequest): Buffer {
  const data = new ByteWriter(16);
  writeAttr(data, IFLA_MACVLAN_MODE, u32(MACVLAN_MODE[q.mode]));
  const info = new ByteWriter(32);
  writeAttr(info, IFLA_INFO.KIND, Buffer.from('macvlan'));
  writeAttr(info, IFLA_INFO.DATA, data.finish());
  const w = ifinfo(0, 0, 0);
  writeAttr(w, IFLA_ID.ADDRESS, q.mac);
  writeAttr(w, IFLA_ID.LINK, u32(q.parent));
  writeAttr(w, IFLA_ID.IFNAME, Buffer.from(`${q.name}\0`));
  writeAttr(w, IFLA_ID.LINKINFO, info.finish());
  return w.finish();
}

/** NEWLINK payload setting IFF_UP on or off, nothing else. */
export function encodeLinkSetUp(index: number, up: boolean): Buffer {
  return ifinfo(index, up ? IFF.UP : 0, IFF.UP).finish();
}

/** DELLINK payload for one link by index. */
export function encodeLinkDelete(index: number): Buffer {
  return ifinfo(index, 0, 0).finish();
}

/** The VRRP virtual MAC (RFC 5798 §7.3): 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6. */
export function vrrpMac(vrid: number, family: 4 | 6): Uint8Array {
  return Uint8Array.from([0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid & 0xff]);
}

const LINK_DETAIL: AttrTable = {
  parent: { id: IFLA_ID.LINK, type: 'u32' },
  info: { id: IFLA_ID.LINKINFO, type: 'nested', table: { kind: { id: IFLA_INFO.KIND, type: 'string' } } },
};

/** What decodeLink leaves out: the parent ifindex (IFLA_LINK) and the link kind ("macvlan", "veth"). */
export function decodeLinkDetail(m: Pick<NetlinkMessage, 'payload'>): { parent?: number; kind?: string } {
  const a = decodeAttrs(LINK_DETAIL, m.payload.subarray(16));
  const out: { parent?: number; kind?: string } = {};
  if (typeof a.parent === 'number') out.parent = a.parent;
  const kind = (a.info as { kind?: unknown } | undefined)?.kind;
  if (typeof kind === 'string') out.kind = kind.replace(/\0+$/, '');
  return out;
}
