// ICMP (RFC 792) and ICMPv6 (RFC 4443) as PING_CHECK needs them: echo request/reply, and the
// destination-unreachable error with the start of the packet that caused it quoted inside. Pure.
// IPv4 ICMP carries a plain RFC 1071 checksum; ICMPv6 also covers the IPv6 pseudo-header
// (RFC 4443 §2.3), which a raw ICMPv6 socket fills in itself on send (RFC 3542 §3.1).
import { internetChecksum } from '../lib/bytes.js';
import type { Decoded } from './ethernet.js';
import { icmpv6Checksum } from './ndisc.js';

export const ICMP4 = { ECHO_REPLY: 0, DEST_UNREACH: 3, ECHO_REQUEST: 8, TIME_EXCEEDED: 11 } as const;
export const ICMP6 = { DEST_UNREACH: 1, PACKET_TOO_BIG: 2, TIME_EXCEEDED: 3, ECHO_REQUEST: 128, ECHO_REPLY: 129 } as const;
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;
const ECHO_HEADER = 8;

export interface Echo {
  reply: boolean;
  id: number;
  seq: number;
  data: Uint8Array;
}

/** What a destination-unreachable says about the echo it quotes (RFC 792 p.4, RFC 4443 §3.1). */
export interface Unreachable {
  code: number;
  /** Destination of the quoted packet. */
  dst: Uint8Array;
  /** Present when the quoted packet is one of our echo requests. */
  echo?: { id: number; seq: number };
}

export type IcmpMessage =
  | ({ kind: 'echo' } & Echo)
  | ({ kind: 'unreachable' } & Unreachable)
  | { kind: 'other'; type: number; code: number };

/** Addresses for the ICMPv6 pseudo-header; without them the checksum is left 0 (the kernel fills it). */
export interface V6Addresses { src: Uint8Array; dst: Uint8Array }

export function encodeEcho(family: 4 | 6, e: Echo, v6?: V6Addresses): Buffer {
  if (!Number.isInteger(e.id) || e.id < 0 || e.id > 0xffff) throw new RangeError(`ICMP echo identifier ${e.id} is not 0..65535`);
  if (!Number.isInteger(e.seq) || e.seq < 0 || e.seq > 0xffff) throw new RangeError(`ICMP echo sequence ${e.seq} is not 0..65535`);
  const b = Buffer.alloc(ECHO_HEADER + e.data.length);
  b[0] = family === 4 ? (e.reply ? ICMP4.ECHO_REPLY : ICMP4.ECHO_REQUEST) : (e.reply ? ICMP6.ECHO_REPLY : ICMP6.ECHO_REQUEST);
  b.writeUInt16BE(e.id, 4);
  b.writeUInt16BE(e.seq, 6);
  b.set(e.data, ECHO_HEADER);
  if (family === 4) b.writeUInt16BE(internetChecksum(b), 2);
  else if (v6) b.writeUInt16BE(icmpv6Checksum(v6.src, v6.dst, b), 2);
  return b;
}

/**
 * Decodes one ICMP (family 4, the IP payload) or ICMPv6 message. The checksum is verified for
 * IPv4 always, for IPv6 when both addresses are known. Never throws.
 */
export function decodeIcmp(family: 4 | 6, msg: Uint8Array, v6?: V6Addresses): Decoded<IcmpMessage> {
  if (msg.length < ECHO_HEADER) return { ok: false, reason: 'short-icmp' };
  if (family === 4 && internetChecksum(msg) !== 0) return { ok: false, reason: 'bad-checksum' };
  if (family === 6 && v6 && icmpv6Checksum(v6.src, v6.dst, msg) !== 0) return { ok: false, reason: 'bad-checksum' };
  const type = msg[0]!;
  const code = msg[1]!;
  const T = family === 4 ? ICMP4 : ICMP6;
  if (type === T.ECHO_REPLY || type === T.ECHO_REQUEST) {
    if (code !== 0) return { ok: false, reason: 'bad-echo-code' };
    return { ok: true, value: { kind: 'echo', reply: type === T.ECHO_REPLY, ...idSeq(msg, 0), data: msg.subarray(ECHO_HEADER) } };
  }
  if (type === T.DEST_UNREACH) {
    const quoted = msg.subarray(ECHO_HEADER);
    const q = family === 4 ? quoted4(quoted) : quoted6(quoted);
    if (!q.ok) return q;
    return { ok: true, value: { kind: 'unreachable', code, ...q.value } };
  }
  return { ok: true, value: { kind: 'other', type, code } };
}

function idSeq(b: Uint8Array, at: number): { id: number; seq: number } {
  return { id: (b[at + 4]! << 8) | b[at + 5]!, seq: (b[at + 6]! << 8) | b[at + 7]! };
}

// RFC 792: the quoted datagram is its IP header plus at least 64 bits of its payload, which
// is exactly the echo header (type, code, checksum, identifier, sequence).
function quoted4(q: Uint8Array): Decoded<Omit<Unreachable, 'code'>> {
  if (q.length < 20 || q[0]! >> 4 !== 4) return { ok: false, reason: 'bad-quoted-ip' };
  const ihl = (q[0]! & 0x0f) * 4;
  if (ihl < 20 || q.length < ihl) return { ok: false, reason: 'bad-quoted-ip' };
  const dst = Uint8Array.from(q.subarray(16, 20));
  const inner = q.subarray(ihl);
  if (q[9] !== IPPROTO_ICMP || inner.length < ECHO_HEADER || inner[0] !== ICMP4.ECHO_REQUEST) return { ok: true, value: { dst } };
  return { ok: true, value: { dst, echo: idSeq(inner, 0) } };
}

// RFC 4443 §3.1: as much of the invoking packet as fits. Our echoes carry no extension headers,
// so anything but next header 58 right after the fixed header is not ours.
function quoted6(q: Uint8Array): Decoded<Omit<Unreachable, 'code'>> {
  if (q.length < 40 || q[0]! >> 4 !== 6) return { ok: false, reason: 'bad-quoted-ip' };
  const dst = Uint8Array.from(q.subarray(24, 40));
  const inner = q.subarray(40);
  if (q[6] !== IPPROTO_ICMPV6 || inner.length < ECHO_HEADER || inner[0] !== ICMP6.ECHO_REQUEST) return { ok: true, value: { dst } };
  return { ok: true, value: { dst, echo: idSeq(inner, 0) } };
}

const UNREACH4: Record<number, string> = {
  0: 'network unreachable', 1: 'host unreachable', 2: 'protocol unreachable', 3: 'port unreachable',
  4: 'fragmentation needed', 5: 'source route failed', 6: 'destination network unknown', 7: 'destination host unknown',
  9: 'network administratively prohibited', 10: 'host administratively prohibited', 13: 'communication administratively prohibited',
};
const UNREACH6: Record<number, string> = {
  0: 'no route to destination', 1: 'communication administratively prohibited', 2: 'beyond scope of source address',
  3: 'address unreachable', 4: 'port unreachable', 5: 'source address failed ingress/egress policy', 6: 'reject route to destination',
};

/** "host unreachable", "address unreachable" ... for an unreachable code; unknown codes by number. */
export function unreachableText(family: 4 | 6, code: number): string {
  return (family === 4 ? UNREACH4 : UNREACH6)[code] ?? `destination unreachable (code ${code})`;
}
