// The listing as vipkeeper formatted it before the one-string rewrite (src/ipvs/format.ts): an
// array of per-line strings, the plain view's real-server lines written one by one, every sort
// through the general comparators. Kept only as the reference that format-random.test.ts compares
// the faster code with, on random tables.
import { hostPort, type DestEntry, type IpvsInfo, type ServiceEntry } from '../../../src/ipvs/model.js';
// The lines themselves and the comparators did not change: shared, so that what is compared is the
// one-string listing (with its own plain real-server lines) and the index sort that replaced
// Array.sort over these comparators.
import { compareDests, compareServices, destLine, serviceLine, title, type ListFormat } from '../../../src/ipvs/format.js';

/** `ipvsadm -Ln [--stats|--rate|...]`: header, column titles, then services and real servers in ipvsadm's order. */
export function formatList(info: IpvsInfo, services: readonly ServiceEntry[], f: ListFormat = {}): string {
  const v = info.version;
  const plain = !f.stats && !f.rate && !f.thresholds && !f.persistentConn;
  const lines = [`IP Virtual Server version ${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff} (size=${info.connTabSize})`, ...title(f)];
  for (const s of sortServices(services)) {
    lines.push(serviceLine(s, f));
    for (const d of sortDests(s.dests)) lines.push(plain ? plainDestLine(s, d) : destLine(s, d, f));
  }
  return `${lines.join('\n')}\n`;
}

const FWD_NAME: Record<string, string> = { masq: 'Masq', local: 'Local', tunnel: 'Tunnel', route: 'Route' };

/** A real server's line in the plain view, as destLine wrote it before formatList took it over. */
function plainDestLine(s: ServiceEntry, d: DestEntry): string {
  let name = hostPort(d.family, d.address, d.port);
  if (s.family !== 6) name = name.slice(0, 28);
  return `  -> ${name.padEnd(28)} ${(FWD_NAME[d.forward] ?? '(null)').padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}`;
}

export function sortServices(list: readonly ServiceEntry[]): ServiceEntry[] { return [...list].sort(compareServices); }
function sortDests(list: readonly DestEntry[]): DestEntry[] { return [...list].sort(compareDests); }
