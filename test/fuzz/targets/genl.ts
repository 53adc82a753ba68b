// Fuzz target: generic netlink header and controller (family) replies (src/codec/netlink/genl.ts).
// decodeFamily may throw only its named "genl: ... without a family id" or a short-buffer error.
import { decodeFamily, decodeGenl } from '../../../src/codec/netlink/genl.js';
import { check, namedOrValue } from '../support.js';

export function fuzz(data: Buffer): void {
  const g = namedOrValue(() => decodeGenl(data));
  if (g) check(g.attrs.length === data.length - 4, 'genl attributes do not follow the 4-byte header');
  const f = namedOrValue(() => decodeFamily(data));
  if (f) {
    check(Number.isInteger(f.id) && f.id >= 0 && f.id <= 0xffff, 'family id is not a u16');
    check(Array.isArray(f.mcastGroups) && f.mcastGroups.every((m) => typeof m.name === 'string' && Number.isFinite(m.id)), 'multicast groups malformed');
  }
}
