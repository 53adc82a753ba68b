// The IPVS table rendered the way `ipvsadm -Ln` (and --stats, --rate, --thresholds,
// --persistent-conn, --exact) and `ipvsadm -Sn` print it, column for column, so that operators and
// scripts can read vipkeeper's listing like the one they know. Pure: data in, text out.
import { schedFlagsOf, SVC_F, flagsToBits, hostPort, type DestEntry, type IpvsInfo, type ServiceEntry } from './model.js';
import { parseIP, quadText } from '../lib/ip.js';

export interface ListFormat {
  stats?: boolean;
  rate?: boolean;
  thresholds?: boolean;
  persistentConn?: boolean;
  /** Exact counters instead of K/M/G/T abbreviations. */
  exact?: boolean;
}

const PROTO_NAME: Record<string, string> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
const PROTO_SWITCH: Record<string, string> = { tcp: '-t', udp: '-u', sctp: '--sctp-service' };

/**
 * `ipvsadm -Ln [--stats|--rate|...]`: header, column titles, then services and real servers in
 * ipvsadm's order. Built as one string, a piece at a time: a listing of 11,000 lines cost half a
 * second of emulated CPU in the kernel VM with an array of per-line template strings.
 */
export function formatList(info: IpvsInfo, services: readonly ServiceEntry[], f: ListFormat = {}): string {
  let out = listHeader(info, f);
  const plain = !f.stats && !f.rate && !f.thresholds && !f.persistentConn;
  for (const s of sortServices(services)) {
    out += `${serviceLine(s, f)}\n`;
    if (plain) { out += plainDestLines(s, s.dests); continue; }
    for (const d of s.dests.length > 1 ? sortDests(s.dests) : s.dests) out += `${destLine(s, d, f)}\n`;
  }
  return out;
}

/** The version line and the column titles. */
export function listHeader(info: IpvsInfo, f: ListFormat): string {
  const v = info.version;
  return `IP Virtual Server version ${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff} (size=${info.connTabSize})\n${title(f).join('\n')}\n`;
}

/** One service's real servers in the plain view, sorted, each line ending in a newline. */
export function plainDestLines(s: ServiceEntry, list: readonly DestEntry[]): string {
  const dests = list.length > 1 ? sortDests(list) : list;
  // The columns after the address repeat from one real server to the next (Masq, weight, no
  // connections): the previous one's text is reused while they do.
  let out = '', fwd = '', weight = NaN, active = NaN, inact = NaN, tail = '';
  for (const d of dests) {
    if (d.forward !== fwd || d.weight !== weight || d.activeConns !== active || d.inactConns !== inact) {
      fwd = d.forward; weight = d.weight; active = d.activeConns; inact = d.inactConns;
      tail = plainTail(FWD_COL[fwd] ?? '(null) ', weight, active, inact);
    }
    out += destColumn(s, d) + tail;
  }
  return out;
}

/** A plain real-server line after its address column: method, weight, active and inactive connections. */
export function plainTail(fwdCol: string, weight: number, active: number, inact: number): string {
  return ` ${fwdCol} ${padEnd(String(weight), 6)} ${padEnd(String(active), 10)} ${padEnd(String(inact), 10)}\n`;
}

/** The forwarding method's column, padded as ipvsadm's %-7s does. */
export const FWD_COL: Record<string, string> = { masq: 'Masq   ', local: 'Local  ', tunnel: 'Tunnel ', route: 'Route  ' };
/** Runs of spaces by length, for padding without padEnd's intermediate strings. */
export const SPACES: readonly string[] = Array.from({ length: 41 }, (_, i) => ' '.repeat(i));
const padEnd = (s: string, w: number): string => (s.length >= w ? s : s + SPACES[w - s.length]);

/** `ipvsadm -Sn`: the rules that would recreate the table. */
export function formatRules(services: readonly ServiceEntry[]): string {
  const lines: string[] = [];
  for (const s of sortServices(services)) {
    const name = ruleName(s);
    let line = `-A ${name} -s ${s.scheduler}`;
    const bits = flagsToBits(s.flags);
    if (bits & SVC_F.PERSISTENT) {
      line += ` -p ${s.timeout}`;
      const m = maskText(s);
      if (m) line += ` -M ${m}`;
      if (s.pe) line += ` --pe ${s.pe}`;
    }
    if (bits & SVC_F.ONEPACKET) line += ' -o';
    const sf = schedFlagsText(s);
    if (sf) line += ` -b ${sf}`;
    lines.push(line);
    for (const d of sortDests(s.dests)) lines.push(ruleDest(name, d));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function title(f: ListFormat): string[] {
  const rs = '  -> RemoteAddress:Port';
  const head = 'Prot LocalAddress:Port';
  if (f.stats) return [`${head.padEnd(33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((x) => x.padStart(8)).join(' ')}`, rs];
  if (f.rate) return [`${head.padEnd(33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((x) => x.padStart(8)).join(' ')}`, rs];
  if (f.thresholds) return [`${head.padEnd(33)} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((x) => x.padEnd(10)).join(' ')}`, rs];
  if (f.persistentConn) return [`${head.padEnd(33)} ${'Weight'.padEnd(9)} ${'PersistConn'.padEnd(11)} ${'ActiveConn'.padEnd(10)} ${'InActConn'.padEnd(10)}`, rs];
  return ['Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
}

// ipvsadm prints the mark with %d, so marks above 2^31 show as negative numbers.
function listName(s: ServiceEntry): string {
  if (s.fwmark > 0) return `FWM  ${s.fwmark | 0}${s.family === 6 ? ' IPv6' : ''}`;
  const name = `${(PROTO_NAME[s.protocol] ?? 'XXX').padEnd(4)} ${hostPort(s.family, s.address, s.port)}`;
  // ipvsadm cuts IPv4 names at 33 characters (its buffer); IPv6 ones run on.
  return s.family === 6 ? name : name.slice(0, 33);
}

function ruleName(s: ServiceEntry): string {
  if (s.fwmark > 0) return `-f ${s.fwmark | 0}${s.family === 6 ? ' -6' : ''}`;
  return `${PROTO_SWITCH[s.protocol] ?? '--xxx-service'} ${hostPort(s.family, s.address, s.port)}`;
}

export function serviceLine(s: ServiceEntry, f: ListFormat): string {
  const name = listName(s);
  if (f.stats) return name.padEnd(33) + [s.stats.conns, s.stats.inPkts, s.stats.outPkts, s.stats.inBytes, s.stats.outBytes].map((n) => largeNum(n, f.exact)).join('');
  if (f.rate) return name.padEnd(33) + [s.stats.cps, s.stats.inPps, s.stats.outPps, s.stats.inBps, s.stats.outBps].map((n) => largeNum(n, f.exact)).join('');
  let line = `${name} ${s.scheduler}`;
  const sf = schedFlagsText(s);
  if (sf) line += ` (${sf})`;
  const bits = flagsToBits(s.flags);
  if (bits & SVC_F.PERSISTENT) {
    line += ` persistent ${s.timeout}`;
    const m = maskText(s);
    if (m) line += ` mask ${m}`;
    if (s.pe) line += ` pe ${s.pe}`;
  }
  if (bits & SVC_F.ONEPACKET) line += ' ops';
  return line;
}

/** "  -> ADDR:PORT" in ipvsadm's 28 columns; an IPv4 service's is cut at 28, as its buffer does. */
function destColumn(s: ServiceEntry, d: DestEntry): string {
  const name = hostPort(d.family, d.address, d.port);
  return `  -> ${padEnd(s.family !== 6 && name.length > 28 ? name.slice(0, 28) : name, 28)}`;
}

/** One real server's line in the --stats, --rate, --thresholds and --persistent-conn views (formatList writes the plain view's). */
export function destLine(s: ServiceEntry, d: DestEntry, f: ListFormat): string {
  const col = destColumn(s, d);
  const st = d.stats;
  if (f.stats) return col + [st.conns, st.inPkts, st.outPkts, st.inBytes, st.outBytes].map((n) => largeNum(n, f.exact)).join('');
  if (f.rate) return `${col} ${[st.cps, st.inPps, st.outPps].map((n) => String(n).padStart(8)).join(' ')}${largeNum(st.inBps, f.exact)}${largeNum(st.outBps, f.exact)}`;
  if (f.thresholds) return `${col} ${[d.upperThreshold, d.lowerThreshold, d.activeConns, d.inactConns].map((n) => String(n).padEnd(10)).join(' ')}`;
  return `${col} ${String(d.weight).padEnd(9)} ${String(d.persistConns).padEnd(11)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}`;
}

function ruleDest(svcName: string, d: DestEntry): string {
  const sw = d.forward === 'masq' ? '-m' : d.forward === 'tunnel' ? '-i' : '-g';
  let line = `-a ${svcName} -r ${hostPort(d.family, d.address, d.port)} ${sw} -w ${d.weight}`;
  if (d.forward === 'tunnel' && d.tunnelType) {
    line += ` --tun-type ${d.tunnelType}`;
    if (d.tunnelType === 'gue') line += ` --tun-port ${d.tunnelPort ?? 0}`;
    if (d.tunnelType !== 'ipip') line += ` --tun-${d.tunnelChecksum ?? 'nocsum'}`;
  }
  return line;
}

/** "sh-fallback,sh-port", "flag-3", or '' for a service without scheduler flags. */
function schedFlagsText(s: ServiceEntry): string { return schedFlagsOf(flagsToBits(s.flags), s.scheduler).join(','); }

/** The persistence mask when it is narrower than a single address, as ipvsadm prints it. */
function maskText(s: ServiceEntry): string {
  if (s.family === 6) return s.netmask !== 128 ? String(s.netmask) : '';
  if (s.netmask >= 32) return '';
  const m = s.netmask === 0 ? 0 : (0xffffffff << (32 - s.netmask)) >>> 0;
  return quadText(m);
}

/** ipvsadm's print_largenum: 9 columns, abbreviated with K/M/G/T past 100 million. */
export function largeNum(n: bigint, exact = false): string {
  const s = n.toString();
  if (exact) return s.padStart(s.length <= 8 ? 9 : s.length + 1);
  if (n < 100000000n) return s.padStart(9);
  if (n < 1000000000n) return `${(n / 1000n).toString().padStart(8)}K`;
  if (n < 100000000000n) return `${(n / 1000000n).toString().padStart(8)}M`;
  if (n < 100000000000000n) return `${(n / 1000000000n).toString().padStart(8)}G`;
  return `${(n / 1000000000000n).toString().padStart(8)}T`;
}

// ipvsadm sorts with C comparators that subtract unsigned values into an int, so a difference of
// 2^31 or more wraps; `| 0` reproduces that so the order matches theirs exactly.
const AF = (f: number): number => (f === 6 ? 10 : 2);
const PROTO = (p: string): number => (p === 'udp' ? 17 : p === 'sctp' ? 132 : 6);

/** An address as 32-bit big-endian words, parsed once per sort rather than once per comparison. */
const wordCache = new Map<string, number[]>();
function words(a: string): number[] {
  let w = wordCache.get(a);
  if (!w) {
    const v4 = dottedQuad(a);
    if (v4 >= 0) {
      w = [v4];
      if (wordCache.size > 100_000) wordCache.clear();
      wordCache.set(a, w);
      return w;
    }
    const b = parseIP(a).addr;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    w = Array.from({ length: b.length / 4 }, (_, i) => v.getUint32(i * 4));
    if (wordCache.size > 100_000) wordCache.clear();
    wordCache.set(a, w);
  }
  return w;
}

/** A canonical dotted quad as a 32-bit number, -1 for anything else (parsed the general way). */
function dottedQuad(a: string): number {
  let v = 0, part = 0, parts = 0, digits = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || parts === 3) return -1;
      v = v * 256 + part; part = 0; digits = 0; parts++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + c - 48; digits++;
      if (part > 255) return -1;
    } else return -1;
  }
  return parts === 3 && digits > 0 ? v * 256 + part : -1;
}

function addrCmp(family: number, a: string, b: string): number {
  const x = words(a), y = words(b);
  const n = Math.min(family === 6 ? 4 : 1, x.length, y.length);
  for (let i = 0; i < n; i++) {
    const r = (x[i]! - y[i]!) | 0;
    if (r !== 0) return r;
  }
  return 0;
}

export function compareServices(a: ServiceEntry, b: ServiceEntry): number {
  return ((a.fwmark - b.fwmark) | 0) || AF(a.family) - AF(b.family) || PROTO(a.protocol) - PROTO(b.protocol)
    || (a.fwmark > 0 ? 0 : addrCmp(a.family, a.address, b.address)) || a.port - b.port;
}

export function compareDests(a: DestEntry, b: DestEntry): number {
  return addrCmp(a.family, a.address, b.address) || a.port - b.port;
}

/**
 * The services in ipvsadm's order. When every one is an IPv4 address (the usual table), their keys
 * are read once into arrays and indices sorted by the same comparison, which decides every pair as
 * compareServices does, so the sort makes the same moves and gives the same order.
 */
export function sortServices(list: readonly ServiceEntry[]): ServiceEntry[] {
  return pick(list, sortServiceOrder(list));
}

/**
 * sortServices as indices into `list`. `v4`: each one's address as a number already (-1 for IPv6),
 * as decodeServiceReply gives it, so none is parsed back from its text. When a service is not an
 * IPv4 address, indices are sorted by compareServices on their entries (the same comparisons and
 * moves as sorting the entries).
 *
 * The kernel holds one service per (protocol, address, port); while the addresses span less than
 * 2^31 the wrap-around comparison orders them as plain numbers, a total order with one sorted
 * arrangement, so the keys are packed into numbers and sorted natively (no comparator call per
 * pair: 10,000 of them for 1,000 services, ~0.1 s of a listing under the kernel VM's emulated CPU).
 */
export function sortServiceOrder(list: readonly ServiceEntry[], v4?: readonly number[]): number[] {
  const n = list.length, addr: number[] = new Array(n), proto: number[] = new Array(n), port: number[] = new Array(n);
  let lo = Infinity, hi = -1;
  for (let i = 0; i < n; i++) {
    const s = list[i]!;
    const a = s.fwmark === 0 && s.family === 4 ? (v4 ? v4[i]! : dottedQuad(s.address)) : -1;
    if (a < 0) return sortedIndices(n, (x, y) => compareServices(list[x]!, list[y]!));
    addr[i] = a; proto[i] = PROTO(s.protocol); port[i] = s.port;
    if (a < lo) lo = a;
    if (a > hi) hi = a;
  }
  if (n > 1 && hi - lo < 2 ** 31) {
    // (protocol rank, address - lowest, port) in 2 + 31 + 16 bits: exact in a double.
    const keys = new Float64Array(n), at = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const rank = proto[i] === 6 ? 0 : proto[i] === 17 ? 1 : 2;
      keys[i] = (rank * 2 ** 31 + (addr[i]! - lo)) * 65536 + port[i]!;
      at.set(keys[i]!, i);
    }
    // A repeated key (never from the kernel) leaves the order to the comparison below.
    if (at.size === n) {
      keys.sort();
      return Array.from(keys, (k) => at.get(k)!);
    }
  }
  return sortedIndices(n, (a, b) => proto[a]! - proto[b]! || ((addr[a]! - addr[b]!) | 0) || port[a]! - port[b]!);
}

/** A service's real servers in ipvsadm's order; all IPv4 ones sorted by index as sortServices does. */
export function sortDests(list: readonly DestEntry[]): DestEntry[] {
  const n = list.length, addr: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const d = list[i]!;
    addr[i] = d.family === 4 ? dottedQuad(d.address) : -1;
    if (addr[i]! < 0) return [...list].sort(compareDests);
  }
  return pick(list, sortedIndices(n, (a, b) => ((addr[a]! - addr[b]!) | 0) || list[a]!.port - list[b]!.port));
}

/**
 * 0 .. n - 1 sorted by cmp over indices: every index sort of these listings is built and sorted
 * this one way, so sorts by the same comparison make the same moves (ipvsadm's wrap-around order).
 */
export function sortedIndices(n: number, cmp: (a: number, b: number) => number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < n; i++) idx.push(i);
  return idx.sort(cmp);
}

/** list's entries in the order of `idx`. */
function pick<T>(list: readonly T[], idx: readonly number[]): T[] {
  const out: T[] = new Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = list[idx[i]!]!;
  return out;
}
