// Fuzz target: DNS reply parser (src/codec/dns.ts). Never throws, never loops (compression
// pointers), names stay within 255 octets on the wire.
import { decodeMessage, decodeHeader } from '../../../src/codec/dns.js';
import { check, checkDecoded } from '../support.js';

export function fuzz(data: Buffer): void {
  const h = decodeHeader(data);
  checkDecoded(h, 'decodeHeader');
  const r = decodeMessage(data);
  checkDecoded(r, 'decodeMessage');
  if (!r.ok) return;
  const m = r.value;
  check(m.questions.length === m.header.qdcount && m.answers.length === m.header.ancount, 'section sizes differ from the header counts');
  check(m.authorities.length === m.header.nscount && m.additionals.length === m.header.arcount, 'section sizes differ from the header counts');
  for (const rec of [...m.answers, ...m.authorities, ...m.additionals]) {
    check(typeof rec.name === 'string' && rec.name.length <= 4 * 255, 'record name too long');
    check(rec.data.length <= data.length, 'record data longer than the message');
  }
}
