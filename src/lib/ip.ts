// IP address parsing and formatting without the DNS: bytes <-> text for IPv4 and IPv6,
// prefixes and the comparisons VRRP needs (RFC 5798 §6.4.3 compares primary addresses as integers).
// node:net's isIP would load net (and streams) into the daemon for one check: our own syntax,
// node's exactly (src/lib/ipv6-text.ts).
import { isDottedQuad as isIPv4, isIPv6Text as isIPv6 } from './ipv6-text.js';

export type Family = 4 | 6;
export interface Prefix { addr: Uint8Array; family: Family; len: number }

export function ipFamily(text: string): Family | undefined {
  if (isIPv4(text)) return 4;
  if (isIPv6(text)) return 6;
  return undefined;
}

/** 4, 6 or 0 (not an address), as node:net's isIP answers. */
export function ipVersion(text: string): 0 | Family { return ipFamily(text) ?? 0; }

export function parseIPv4(text: string): Uint8Array {
  if (!isIPv4(text)) throw new Error(`not an IPv4 address: ${text}`);
  return Uint8Array.from(text.split('.').map(Number));
}

export function parseIPv6(text: string): Uint8Array {
  if (!isIPv6(text)) throw new Error(`not an IPv6 address: ${text}`);
  let s = text;
  const out = new Uint8Array(16);
  // An embedded dotted quad (::ffff:1.2.3.4) becomes two groups.
  const dot = s.lastIndexOf('.');
  if (dot >= 0) {
    const colon = s.lastIndexOf(':');
    const v4 = parseIPv4(s.slice(colon + 1));
    s = `${s.slice(0, colon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => { const v = parseInt(g, 16); out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
  return out;
}

export function parseIP(text: string): { addr: Uint8Array; family: Family } {
  const family = ipFamily(text);
  if (family === 4) return { addr: parseIPv4(text), family };
  if (family === 6) return { addr: parseIPv6(text), family };
  throw new Error(`not an IP address: ${text}`);
}

export function formatIPv4(b: Uint8Array): string { return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`; }
/** An IPv4 address held as a 32-bit number (first octet highest) as dotted text. */
export function quadText(n: number): string { return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`; }

/** RFC 5952 canonical text: lower case, longest run (>1) of zero groups as "::". */
export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${formatIPv4(b.subarray(12))}`;
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i; while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hx = g.map((x) => x.toString(16));
  if (best < 0) return hx.join(':');
  return `${hx.slice(0, best).join(':')}::${hx.slice(best + bestLen).join(':')}`;
}

export function formatIP(b: Uint8Array): string { return b.length === 4 ? formatIPv4(b) : formatIPv6(b); }

/** "10.0.0.1/24" or "fe80::1" (default length: full). Throws with a readable message. */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const ipText = slash >= 0 ? text.slice(0, slash) : text;
  const { addr, family } = parseIP(ipText);
  const max = family === 4 ? 32 : 128;
  if (slash < 0) return { addr, family, len: max };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) throw new Error(`prefix length must be 0-${max}: ${text}`);
  return { addr, family, len: Number(lenText) };
}

/** Unsigned big-endian comparison of two addresses of one family. */
export function compareAddr(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function addrEqual(a: Uint8Array, b: Uint8Array): boolean { return a.length === b.length && compareAddr(a, b) === 0; }

export function isMulticast(addr: Uint8Array): boolean {
  return addr.length === 4 ? (addr[0]! & 0xf0) === 0xe0 : addr[0] === 0xff;
}

export function isLinkLocal6(addr: Uint8Array): boolean { return addr.length === 16 && addr[0] === 0xfe && (addr[1]! & 0xc0) === 0x80; }

export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`not a MAC address: ${text}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}
export function formatMac(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'); }
