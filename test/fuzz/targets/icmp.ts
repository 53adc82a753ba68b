// Fuzz target: ICMP and ICMPv6 decode (src/codec/icmp.ts). Never throws; an accepted IPv4
// message has a good checksum; an echo re-encodes to the same bytes.
import { decodeIcmp, encodeEcho } from '../../../src/codec/icmp.js';
import { internetChecksum } from '../../../src/lib/bytes.js';
import { check, checkDecoded, control } from '../support.js';

const V6 = { src: Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), dst: Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2) };

export function fuzz(data: Buffer): void {
  const { c, rest } = control(data);
  const family = c & 1 ? 6 : 4;
  const v6 = c & 2 ? V6 : undefined;
  const r = decodeIcmp(family, rest, v6);
  checkDecoded(r, 'decodeIcmp');
  if (!r.ok) return;
  if (family === 4) check(internetChecksum(rest) === 0, 'accepted a bad ICMP checksum');
  const m = r.value;
  if (m.kind === 'echo') {
    check(m.id >= 0 && m.id <= 0xffff && m.seq >= 0 && m.seq <= 0xffff, 'echo id/seq out of range');
    // The checksum field aside: 0x0000 and 0xffff are both a valid one's complement zero, and
    // the encoder writes one of them (found by the fuzzer itself: corpus/icmp/checksum-negative-zero).
    const same = (a: Buffer) => a.length === rest.length && a.subarray(0, 2).equals(rest.subarray(0, 2)) && a.subarray(4).equals(rest.subarray(4));
    if (family === 4) check(same(encodeEcho(4, m)), 're-encoded echo differs');
    else if (v6) check(same(encodeEcho(6, m, v6)), 're-encoded ICMPv6 echo differs');
  } else if (m.kind === 'unreachable') {
    check(m.dst.length === (family === 4 ? 4 : 16), 'quoted destination has the wrong size');
  }
}
