// One reply of a GET_DEST dump read straight into a row of the plain listing (src/ipvs/dest-rows.ts):
// address, port, forwarding method, weight, active and inactive connections, with no object or
// string per real server. Reads the attributes exactly as decodeDestIn does (same last-wins walk,
// same length checks, same defaults); whatever it would not give identically is left to it.
import type { DestRows } from '../../ipvs/dest-rows.js';
import type { Family } from '../../ipvs/model.js';
import { GENL_HDRLEN } from './genl.js';
import { HOST_LE } from './message.js';
import { viewOf } from '../../lib/bytes.js';

const CMD_ATTR_DEST = 2, AF_INET6 = 10;
const A_ADDR = 1, A_PORT = 2, A_FWD = 3, A_WEIGHT = 4, A_ACTIVE = 7, A_INACT = 8, A_FAMILY = 11;


/**
 * Reads the reply in buf[start, end) (a genl payload) into `rows`: 1 when a row was added, 0 when
 * the message carries no real server (decodeDestIn gives undefined), -1 when it must be decoded as
 * an entry (an IPv6 real server, or an address attribute shorter than 4 bytes).
 */
export function readDestRow(buf: Uint8Array, start: number, end: number, serviceFamily: Family, rows: DestRows): number {
  const v = viewOf(buf);
  let dStart = -1, dEnd = -1;
  for (let at = start + GENL_HDRLEN; at + 4 <= end;) {
    const len = v.getUint16(at, HOST_LE), type = v.getUint16(at + 2, HOST_LE) & 0x3fff;
    if (len < 4 || at + len > end) break;
    if (type === CMD_ATTR_DEST) { dStart = at + 4; dEnd = at + len; }
    at += (len + 3) & ~3;
  }
  if (dStart < 0) return 0;
  let addr = -1, addrLen = 0, af = -1, port = 0, fwd = 0, weight = 0, act = 0, inact = 0;
  for (let at = dStart; at + 4 <= dEnd;) {
    const len = v.getUint16(at, HOST_LE), type = v.getUint16(at + 2, HOST_LE) & 0x3fff, p = at + 4, n = len - 4;
    if (len < 4 || at + len > dEnd) break;
    switch (type) {
      case A_ADDR: addr = p; addrLen = n; break;
      case A_PORT: if (n >= 2) port = v.getUint16(p); break;
      case A_FWD: if (n >= 4) fwd = v.getUint32(p, HOST_LE); break;
      case A_WEIGHT: if (n >= 4) weight = v.getInt32(p, HOST_LE); break;
      case A_ACTIVE: if (n >= 4) act = v.getUint32(p, HOST_LE); break;
      case A_INACT: if (n >= 4) inact = v.getUint32(p, HOST_LE); break;
      case A_FAMILY: if (n >= 2) af = v.getUint16(p, HOST_LE); break;
    }
    at += (len + 3) & ~3;
  }
  if ((af < 0 ? serviceFamily === 6 : af === AF_INET6) || (addr >= 0 && addrLen < 4)) return -1;
  const i = rows.add();
  rows.addr[i] = addr < 0 ? 0 : v.getUint32(addr); rows.port[i] = port; rows.fwd[i] = fwd & 7;
  rows.weight[i] = weight; rows.active[i] = act; rows.inact[i] = inact;
  return 1;
}
