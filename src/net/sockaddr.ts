// Socket address structures as the kernel lays them out (sockaddr_in, sockaddr_in6, sockaddr_ll,
// sockaddr_nl, sockaddr_un) and the multicast request structs: pure byte builders and parsers.
import { ByteReader, ByteWriter } from '../lib/bytes.js';
import { HOST_LE } from '../codec/netlink/message.js';

export const AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17;
/** sun_path's size in struct sockaddr_un (unix(7)): the longest path is one byte less, for its NUL. */
export const SUN_PATH_MAX = 108;

export function sockaddrIn(addr: Uint8Array, port = 0): Buffer {
  return new ByteWriter(16).u16(AF_INET, HOST_LE).u16(port).bytes(addr).zeros(8).finish();
}

export function sockaddrIn6(addr: Uint8Array, port = 0, scopeId = 0): Buffer {
  return new ByteWriter(28).u16(AF_INET6, HOST_LE).u16(port).u32(0).bytes(addr).u32(scopeId, HOST_LE).finish();
}

/** sockaddr_ll for sending: ifindex, ethertype, destination MAC. */
export function sockaddrLl(ifindex: number, protocol: number, mac: Uint8Array = new Uint8Array(6)): Buffer {
  return new ByteWriter(20).u16(AF_PACKET, HOST_LE).u16(protocol).u32(ifindex, HOST_LE)
    .u16(1, HOST_LE).u8(0).u8(mac.length).bytes(mac).zeros(8 - mac.length).finish();
}

export function sockaddrNl(pid = 0, groups = 0): Buffer {
  return new ByteWriter(12).u16(AF_NETLINK, HOST_LE).u16(0).u32(pid, HOST_LE).u32(groups, HOST_LE).finish();
}

/** sockaddr_un for a path; the path's bytes and a NUL must fit in sun_path. */
export function sockaddrUn(path: string): Buffer {
  const p = Buffer.from(path, 'utf8');
  if (p.length === 0 || p.length >= SUN_PATH_MAX || p.includes(0)) throw new RangeError(`a Unix socket path must be 1-${SUN_PATH_MAX - 1} bytes without NUL: ${path}`);
  return new ByteWriter(2 + p.length + 1).u16(AF_UNIX, HOST_LE).bytes(p).u8(0).finish();
}

export interface DecodedSockaddr {
  family: number;
  addr?: Uint8Array;
  port?: number;
  scopeId?: number;
  ifindex?: number;
  protocol?: number;
  /** netlink sender port id (0 = the kernel) */
  pid?: number;
  groups?: number;
}

export function decodeSockaddr(b: Uint8Array): DecodedSockaddr {
  if (b.length < 2) return { family: 0 };
  const r = new ByteReader(b);
  const family = r.u16(HOST_LE);
  try {
    switch (family) {
      case AF_INET: { const port = r.u16(); return { family, port, addr: Uint8Array.from(r.bytes(4)) }; }
      case AF_INET6: {
        const port = r.u16(); r.skip(4);
        const addr = Uint8Array.from(r.bytes(16));
        return { family, port, addr, scopeId: r.u32(HOST_LE) };
      }
      case AF_PACKET: {
        const protocol = r.u16(), ifindex = r.u32(HOST_LE); r.skip(3);
        const len = r.u8();
        return { family, protocol, ifindex, addr: Uint8Array.from(r.bytes(Math.min(len, 8))) };
      }
      case AF_NETLINK: { r.skip(2); return { family, pid: r.u32(HOST_LE), groups: r.u32(HOST_LE) }; }
      default: return { family };
    }
  } catch {
    return { family };
  }
}

/** struct ip_mreqn: group, local address (any), ifindex. Used for joins and IP_MULTICAST_IF. */
export function ipMreqn(group: Uint8Array, ifindex: number, local: Uint8Array = new Uint8Array(4)): Buffer {
  return new ByteWriter(12).bytes(group).bytes(local).u32(ifindex, HOST_LE).finish();
}

/** struct ipv6_mreq: group, ifindex. */
export function ipv6Mreq(group: Uint8Array, ifindex: number): Buffer {
  return new ByteWriter(20).bytes(group).u32(ifindex, HOST_LE).finish();
}
