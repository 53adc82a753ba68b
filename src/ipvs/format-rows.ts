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
  let out = '';
  formatRowsTo(info, t, (text) => { out += text; });
  return out;
}

/** Text of a listing's pieces, each handed on once it is at least this long (the last may be shorter). */
export const PIECE_CHARS = 32 << 10;

/**
 * formatRows' text handed to `emit` in pieces of about PIECE_CHARS, each whole lines: a listing of
 * 11,000 lines then never holds its ~0.7 MB as one string to flatten and encode at the end, and
 * each piece is written while the next is made (bench/README.md, IPVS, tenth pass).
 */
export function formatRowsTo(info: IpvsInfo, t: RowTable, emit: (text: string) => void): void {
  // The pieces' strings are kept in an array and joined once per piece: no string per line, nor a
  // chain of concatenations for the garbage collector to copy (bench/README.md, IPVS, tenth pass).
  const parts: string[] = [listHeader(info, {})];
  let chars = parts[0]!.length;
  const services = t.services;
  for (const i of sortServiceOrder(services, t.v4)) {
    const s = services[i]!;
    const line = `${serviceLine(s, {})}\n`;
    parts.push(line);
    chars += line.length;
    const objects = t.objects[i];
    if (objects) {
      const text = plainDestLines(s, objects);
      parts.push(text);
      chars += text.length;
    } else if (t.from[i]! >= 0) chars += rowLines(t.rows, t.from[i]!, t.to[i]!, parts);
    if (chars >= PIECE_CHARS) { emit(parts.join('')); parts.length = 0; chars = 0; }
  }
  if (parts.length) emit(parts.join(''));
}

/**
 * Rows [from, to) as plain lines in ipvsadm's order (sortDests' comparison, wrap-around included),
 * their strings pushed to `parts`; returns their length.
 */
function rowLines(r: DestRows, from: number, to: number, parts: string[]): number {
  const { addr, port, fwd, weight, active, inact } = r;
  const order = rowOrder(r, from, to), n = to - from;
  let chars = 0, col = -1, w = NaN, act = NaN, ina = NaN, tail = '';
  // A service's real servers mostly share an address (ports differ): "  -> ADDR:" is reused while it repeats.
  let last = -1, head = '';
  for (let k = 0; k < n; k++) {
    const i = from + (order === UP ? k : order === DOWN ? n - 1 - k : order[k]!);
    if (COL[fwd[i]!] !== COL[col] || weight[i] !== w || active[i] !== act || inact[i] !== ina) {
      col = fwd[i]!; w = weight[i]!; act = active[i]!; ina = inact[i]!;
      tail = plainTail(COL[col]!, w, act, ina);
    }
    const a = addr[i]!;
    if (a !== last) { last = a; head = `  -> ${quadText(a)}:`; }
    const p = String(port[i]);
    // The address column is 28 wide after the 5 of "  -> " (an IPv4 one never needs cutting).
    const pad = 33 - head.length - p.length;
    if (pad > 0) { parts.push(head, p, SPACES[pad]!, tail); chars += 33 + tail.length; } else { parts.push(head, p, tail); chars += head.length + p.length + tail.length; }
  }
  return chars;
}

/** rowOrder's answers for rows already in order: as they are, or the other way round. */
const UP = 1, DOWN = -1;

/**
 * The order of rows [from, to) as offsets from `from`: sorted by sortedIndices with sortDests'
 * comparison, as sortDests does, so the sort makes the same moves; but rows already in ascending
 * or descending order (the kernel lists a service's real servers newest first) skip the sort and
 * its 20-45 comparator calls per service, and are answered UP or DOWN (no array of offsets).
 * That gives the sort's own result: within a service (address, port) is unique, and while the
 * addresses span less than 2^31 the wrap-around comparison orders them as plain numbers, a total
 * order with one sorted arrangement.
 */
function rowOrder(r: DestRows, from: number, to: number): number[] | typeof UP | typeof DOWN {
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
    if (hi - lo < 2 ** 31 && (up || down)) return up ? UP : DOWN;
  }
  if (n <= 1) return UP;
  return sortedIndices(n, (a, b) => ((addr[from + a]! - addr[from + b]!) | 0) || port[from + a]! - port[from + b]!);
}
