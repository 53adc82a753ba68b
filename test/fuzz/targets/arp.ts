// Fuzz target: ARP decode, bare and in an Ethernet frame (src/codec/arp.ts). Never throws; an
// accepted packet re-encodes to the same 28 bytes and its fields are copies, not views.
import { decodeArp, decodeArpFrame, encodeArp, ARP_LEN } from '../../../src/codec/arp.js';
import { check, checkDecoded } from '../support.js';

export function fuzz(data: Buffer): void {
  const r = decodeArp(data);
  checkDecoded(r, 'decodeArp');
  if (r.ok) {
    check(encodeArp(r.value).equals(data.subarray(0, ARP_LEN)), 're-encoded ARP differs');
    check(!Buffer.isBuffer(r.value.senderMac) && r.value.senderMac.buffer !== data.buffer, 'decoded MAC aliases the input');
  }
  const f = decodeArpFrame(data);
  checkDecoded(f, 'decodeArpFrame');
  if (f.ok) check(f.value.ethSrc.length === 6 && f.value.ethDst.length === 6 && f.value.senderIp.length === 4, 'frame fields have the wrong size');
}
