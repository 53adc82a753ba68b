// The listing as vipkeeper formatted it before the one-string rewrite (src/ipvs/format.ts): an
// array of per-line strings, every sort through the general comparators. Kept only as the
// reference that format-random.test.ts compares the faster code with, on random tables.
import type { DestEntry, IpvsInfo, ServiceEntry } from '../../../src/ipvs/model.js';
// The lines themselves and the comparators did not change: shared, so that what is compared is the
// one-string listing (with its own plain real-server lines) and the index sort that replaced
// Array.sort over these comparators.
import { compareDests, compareServices, destLine, serviceLine, title, type ListFormat } from '../../../src/ipvs/format.js';

/** `ipvsadm -Ln [--stats|--rate|...]`: header, column titles, then services and real servers in ipvsadm's order. */
export function formatList(info: IpvsInfo, services: readonly ServiceEntry[], f: ListFormat = {}): string {
  const v = info.version;
  const lines = [`IP Virtual Server version ${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff} (size=${info.connTabSize})`, ...title(f)];
  for (const s of sortServices(services)) {
    lines.push(serviceLine(s, f));
    for (const d of sortDests(s.dests)) lines.push(destLine(s, d, f));
  }
  return `${lines.join('\n')}\n`;
}

export function sortServices(list: readonly ServiceEntry[]): ServiceEntry[] { return [...list].sort(compareServices); }
function sortDests(list: readonly DestEntry[]): DestEntry[] { return [...list].sort(compareDests); }
