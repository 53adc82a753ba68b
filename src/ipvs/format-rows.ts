// `ipvsadm -Ln`'s plain view written from a RowTable (src/ipvs/dest-rows.ts): each IPv4 real server's
// line straight from its row, sorted by an index over the rows with the comparison sortDests uses,
// so the text is formatList's byte for byte (test/unit/ipvs/format-rows-random.test.ts). Services
// holding other real servers go through formatList's own code. Pure: data in, text out.
import { quadText } from '../lib/ip.js';
import type { DestRows, RowTable } from './dest-rows.js';
import { FWD_COL, listHeader, plainDestLines, plainTail, serviceLine, sortedIndices, sortServiceOrder, SPACES } from './format.js';
import { FORWARD_BY_NUMBER, type IpvsInfo } from './model.js';

/** The forwarding column by method number, as formatList prints each name. */
const COL = FORWARD_BY_NUMBER.map((m) => FWD_COL[m] ?? '(null) ');

export function formatRows(info: IpvsInfo, t: RowTable): string {
  let out = listHeader(info, {});
  const services = t.services;
  for (const i of sortServiceOrder(services, t.v4)) {
    const s = services[i]!;
    out += `${serviceLine(s, {})}\n`;
    const objects = t.objects[i];
    if (objects) out += plainDestLines(s, objects);
    else if (t.from[i]! >= 0) out += rowLines(t.rows, t.from[i]!, t.to[i]!);
  }
  return out;
}

/** Rows [from, to) as plain lines in ipvsadm's order (sortDests' comparison, wrap-around included). */
function rowLines(r: DestRows, from: number, to: number): string {
  const { addr, port, fwd, weight, active, inact } = r;
  const idx = rowOrder(r, from, to);
  let out = '', col = -1, w = NaN, act = NaN, ina = NaN, tail = '';
  // A service's real servers mostly share an address (ports differ): "  -> ADDR:" is reused while it repeats.
  let last = -1, head = '';
  for (let k = 0; k < idx.length; k++) {
    const i = from + idx[k]!;
    if (COL[fwd[i]!] !== COL[col] || weight[i] !== w || active[i] !== act || inact[i] !== ina) {
      col = fwd[i]!; w = weight[i]!; act = active[i]!; ina = inact[i]!;
      tail = plainTail(COL[col]!, w, act, ina);
    }
    const a = addr[i]!;
    if (a !== last) { last = a; head = `  -> ${quadText(a)}:`; }
    const p = String(port[i]);
    // The address column is 28 wide after the 5 of "  -> " (an IPv4 one never needs cutting).
    const pad = 33 - head.length - p.length;
    out += pad > 0 ? head + p + SPACES[pad] + tail : head + p + tail;
  }
  return out;
}

/**
 * The order of rows [from, to) as offsets from `from`: sorted by sortedIndices with sortDests'
 * comparison, as sortDests does, so the sort makes the same moves; but rows already in ascending
 * or descending order (the kernel lists a service's real servers newest first) skip the sort and
 * its 20-45 comparator calls per service. That gives the sort's own result: within a service
 * (address, port) is unique, and while the addresses span less than 2^31 the wrap-around
 * comparison orders them as plain numbers, a total order with one sorted arrangement.
 */
function rowOrder(r: DestRows, from: number, to: number): number[] {
  const { addr, port } = r;
  const n = to - from;
  if (n > 1) {
    let lo = addr[from]!, hi = lo, up = true, down = true;
    for (let i = from + 1; i < to; i++) {
      const a = addr[i]!, b = addr[i - 1]!;
      if (a < lo) lo = a; else if (a > hi) hi = a;
      if (b > a || (b === a && port[i - 1]! >= port[i]!)) up = false;
      if (b < a || (b === a && port[i - 1]! <= port[i]!)) down = false;
    }
    if (hi - lo < 2 ** 31 && (up || down)) {
      const idx: number[] = [];
      for (let k = 0; k < n; k++) idx.push(up ? k : n - 1 - k);
      return idx;
    }
  }
  return sortedIndices(n, (a, b) => ((addr[from + a]! - addr[from + b]!) | 0) || port[from + a]! - port[from + b]!);
}
