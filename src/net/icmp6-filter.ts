// ICMP6_FILTER on a raw ICMPv6 socket (RFC 3542 §3.2): the kernel then drops every ICMPv6 type we
// do not pass (neighbour discovery, router adverts ...) before it is queued for us. Linux keeps
// the filter as eight host-order 32-bit words, a set bit meaning "block" (linux/icmpv6.h).
import { K, native, sys } from './native.js';
import type { RawSocket } from './raw-socket.js';

/** The 32-byte struct icmp6_filter that passes exactly `types` (0..255). */
export function icmp6FilterPassing(types: readonly number[]): Buffer {
  const words = new Uint32Array(8).fill(0xffffffff);
  for (const t of types) {
    if (!Number.isInteger(t) || t < 0 || t > 255) throw new RangeError(`ICMPv6 type ${t} is not 0..255`);
    words[t >> 5] = (words[t >> 5]! & ~(1 << (t & 31))) >>> 0;
  }
  // A Uint32Array is in host order already.
  return Buffer.from(words.buffer, words.byteOffset, 32);
}

/** Lets only `types` through `sock` (an IPv6 raw socket of protocol 58). */
export function setIcmp6Filter(sock: RawSocket, types: readonly number[]): void {
  if (sock.family !== 6 || sock.protocol !== 58) throw new Error('ICMP6_FILTER applies to raw ICMPv6 sockets only');
  sys('setsockopt ICMP6_FILTER', () => native().setsockopt(sock.fd, K('IPPROTO_ICMPV6'), K('ICMP6_FILTER'), icmp6FilterPassing(types)));
}
