// Fuzz target: rtnetlink link, address and route messages (src/codec/netlink/rtnl.ts, route.ts).
// Each decoder may throw only a short-buffer error; what it returns is well formed.
import { decodeAddress, decodeLink } from '../../../src/codec/netlink/rtnl.js';
import { decodeRoute } from '../../../src/codec/netlink/route.js';
import { check, namedOrValue } from '../support.js';

export function fuzz(data: Buffer): void {
  const m = { type: 16, flags: 0, seq: 1, pid: 0, payload: data };
  const link = namedOrValue(() => decodeLink(m));
  if (link) {
    check(typeof link.name === 'string' && Number.isInteger(link.index) && Number.isInteger(link.mtu), 'link fields malformed');
    check(typeof link.operstate === 'string', 'operstate is not a name');
  }
  const addr = namedOrValue(() => decodeAddress(m));
  if (addr) {
    check(addr.family === 4 || addr.family === 6, 'address family');
    check(addr.addr.length === (addr.family === 4 ? 4 : 16), `IPv${addr.family} address of ${addr.addr.length} bytes`);
    check(!/undefined|NaN/.test(addr.address), `address text ${addr.address} is not an address`);
  }
  const route = namedOrValue(() => decodeRoute(m));
  if (route) check(Number.isInteger(route.dstLen), 'route prefix length');
}
