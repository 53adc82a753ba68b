// Fuzz target: Ethernet II decode (src/codec/ethernet.ts). Never throws; a frame it accepts
// re-encodes to the same bytes.
import { decodeEthernet, encodeEthernet } from '../../../src/codec/ethernet.js';
import { check, checkDecoded } from '../support.js';

export function fuzz(data: Buffer): void {
  const r = decodeEthernet(data);
  checkDecoded(r, 'decodeEthernet');
  if (!r.ok) return;
  check(r.value.ethertype >= 0x0600 && r.value.ethertype <= 0xffff, 'ethertype out of range');
  check(encodeEthernet(r.value).equals(data), 're-encoded frame differs');
}
