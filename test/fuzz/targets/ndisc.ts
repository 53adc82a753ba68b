// Fuzz target: IPv6 header, neighbour advertisement and NA frame decode (src/codec/ndisc.ts).
// Byte 0 says whether the rest is a whole frame or an ICMPv6 message (with fixed addresses).
import { decodeIPv6Header, decodeNaFrame, decodeNeighborAdvert, icmpv6Checksum, ALL_NODES } from '../../../src/codec/ndisc.js';
import { check, checkDecoded, control } from '../support.js';

const SRC = Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);

export function fuzz(data: Buffer): void {
  const { c, rest } = control(data);
  if (c & 1) {
    const f = decodeNaFrame(rest);
    checkDecoded(f, 'decodeNaFrame');
    if (f.ok) check(f.value.target.length === 16 && (!f.value.targetMac || f.value.targetMac.length === 6), 'NA fields have the wrong size');
    const h = decodeIPv6Header(rest);
    checkDecoded(h, 'decodeIPv6Header');
    if (h.ok) check(h.value.payload.length === h.value.payloadLength, 'payload length differs from the header');
    return;
  }
  const na = decodeNeighborAdvert(rest, SRC, ALL_NODES);
  checkDecoded(na, 'decodeNeighborAdvert');
  if (na.ok) check(icmpv6Checksum(SRC, ALL_NODES, rest) === 0, 'accepted a bad ICMPv6 checksum');
}
