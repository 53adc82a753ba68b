// The IPVS table as data: what a virtual service and its real servers are (desired state), and what
// the kernel reports about them (actual state, with counters). Addresses are canonical text so that
// states compare with === and print without conversion.
import { formatIP, parseIP, type Family } from '../lib/ip.js';

export type { Family };
export type Protocol = 'tcp' | 'udp' | 'sctp';
export type ForwardMethod = 'masq' | 'local' | 'tunnel' | 'route' | 'bypass';
export type TunnelType = 'ipip' | 'gue' | 'gre';
export type TunnelChecksum = 'nocsum' | 'csum' | 'remcsum';
/** Scheduler flags 1..3 are named after the scheduler that reads them (sh-*, mh-*), else flag-N. */
export type ServiceFlag = 'persistent' | 'one-packet' | 'sh-fallback' | 'sh-port' | 'mh-fallback' | 'mh-port' | 'flag-1' | 'flag-2' | 'flag-3';

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;

/** A service is either protocol + address + port, or a firewall mark (fwmark > 0) in one family. */
export interface ServiceKey {
  family: Family;
  protocol: Protocol;
  address: string;
  port: number;
  fwmark: number;
}

export interface ServiceSpec extends ServiceKey {
  scheduler: string;
  flags: ServiceFlag[];
  /** Persistence timeout in seconds (meaningful with the persistent flag). */
  timeout: number;
  /** Persistence granularity as a prefix length (IPv4 masks are contiguous in practice). */
  netmask: number;
  /** Persistence engine ("sip"), when one is set. */
  pe?: string;
}

export interface DestSpec {
  family: Family;
  address: string;
  port: number;
  forward: ForwardMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  tunnelType?: TunnelType;
  tunnelPort?: number;
  tunnelChecksum?: TunnelChecksum;
}

/** One virtual service as vipkeeper wants it. */
export interface DesiredService extends ServiceSpec { dests: DestSpec[] }

export interface Stats {
  conns: bigint; inPkts: bigint; outPkts: bigint; inBytes: bigint; outBytes: bigint;
  cps: bigint; inPps: bigint; outPps: bigint; inBps: bigint; outBps: bigint;
}

export interface DestEntry extends DestSpec {
  activeConns: number;
  inactConns: number;
  persistConns: number;
  stats: Stats;
}

/** One virtual service as the kernel reports it. */
export interface ServiceEntry extends ServiceSpec {
  stats: Stats;
  dests: DestEntry[];
}

export interface IpvsInfo { version: number; connTabSize: number }
export interface Timeouts { tcp: number; tcpFin: number; udp: number }

export const PROTOCOL_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17, sctp: 132 };
export const FORWARD_NUMBER: Record<ForwardMethod, number> = { masq: 0, local: 1, tunnel: 2, route: 3, bypass: 4 };
/** The forwarding method by the kernel's number & 7 (its mask); numbers without a name read as masq. */
export const FORWARD_BY_NUMBER: readonly ForwardMethod[] = Array.from({ length: 8 }, (_, n) =>
  (Object.entries(FORWARD_NUMBER).find(([, v]) => v === n)?.[0] as ForwardMethod | undefined) ?? 'masq');
export const TUNNEL_NUMBER: Record<TunnelType, number> = { ipip: 0, gue: 1, gre: 2 };
export const TUNNEL_CSUM_NUMBER: Record<TunnelChecksum, number> = { nocsum: 0, csum: 1, remcsum: 2 };

/** IP_VS_SVC_F_* bits; HASHED (0x2) is kernel bookkeeping and never part of a spec. */
export const SVC_F = { PERSISTENT: 0x1, HASHED: 0x2, ONEPACKET: 0x4, SCHED1: 0x8, SCHED2: 0x10, SCHED3: 0x20 } as const;
export const SVC_F_USER = SVC_F.PERSISTENT | SVC_F.ONEPACKET | SVC_F.SCHED1 | SVC_F.SCHED2 | SVC_F.SCHED3;

const FLAG_BITS: Record<ServiceFlag, number> = {
  'persistent': SVC_F.PERSISTENT, 'one-packet': SVC_F.ONEPACKET,
  'sh-fallback': SVC_F.SCHED1, 'sh-port': SVC_F.SCHED2, 'mh-fallback': SVC_F.SCHED1, 'mh-port': SVC_F.SCHED2,
  'flag-1': SVC_F.SCHED1, 'flag-2': SVC_F.SCHED2, 'flag-3': SVC_F.SCHED3,
};
export const SERVICE_FLAGS = Object.keys(FLAG_BITS) as ServiceFlag[];

export function flagsToBits(flags: readonly ServiceFlag[]): number {
  let bits = 0;
  for (const f of flags) {
    const b = FLAG_BITS[f];
    if (b === undefined) throw new Error(`unknown service flag '${f}' (one of ${SERVICE_FLAGS.join(', ')})`);
    bits |= b;
  }
  return bits;
}

/** The names of the scheduler flag bits, the way ipvsadm prints them for this scheduler. */
export function schedFlagNames(scheduler: string): [string, string, string] {
  if (scheduler === 'sh') return ['sh-fallback', 'sh-port', 'flag-3'];
  if (scheduler === 'mh') return ['mh-fallback', 'mh-port', 'flag-3'];
  return ['flag-1', 'flag-2', 'flag-3'];
}

/** The names of the scheduler flag bits set in `bits`, in bit order ([] for none: the usual service). */
export function schedFlagsOf(bits: number, scheduler: string): string[] {
  if (!(bits & (SVC_F.SCHED1 | SVC_F.SCHED2 | SVC_F.SCHED3))) return [];
  const names = schedFlagNames(scheduler);
  return [SVC_F.SCHED1, SVC_F.SCHED2, SVC_F.SCHED3].flatMap((b, i) => (bits & b ? [names[i]!] : []));
}

/** Canonical flag names, in bit order, for the bits of one service. */
export function bitsToFlags(bits: number, scheduler: string): ServiceFlag[] {
  const out: ServiceFlag[] = [];
  if (bits & SVC_F.PERSISTENT) out.push('persistent');
  if (bits & SVC_F.ONEPACKET) out.push('one-packet');
  // Without an iterator: a listing decodes 1,000 services, each mostly with no scheduler flag.
  if (bits & (SVC_F.SCHED1 | SVC_F.SCHED2 | SVC_F.SCHED3)) {
    const names = schedFlagNames(scheduler) as ServiceFlag[];
    if (bits & SVC_F.SCHED1) out.push(names[0]!);
    if (bits & SVC_F.SCHED2) out.push(names[1]!);
    if (bits & SVC_F.SCHED3) out.push(names[2]!);
  }
  return out;
}

export function canonicalAddress(text: string): string { return isCanonicalIPv4(text) ? text : formatIP(parseIP(text).addr); }

/**
 * A dotted quad already in canonical form (no leading zeros, each part 0-255) is its own canonical
 * form: reconciling 10,000 real servers then parses no address twice (seconds in the kernel VM).
 */
function isCanonicalIPv4(text: string): boolean {
  let parts = 0, value = 0, digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++parts > 3) return false;
      value = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false;
      value = value * 10 + c - 48;
      if (++digits > 3 || value > 255) return false;
    } else return false;
  }
  return parts === 3 && digits > 0;
}

export function isFwmark(k: Pick<ServiceKey, 'fwmark'>): boolean { return k.fwmark > 0; }

/** "tcp 10.0.0.1:80", "udp [2001:db8::1]:53", "fwmark 7" or "fwmark 7 ipv6": stable and readable. */
export function serviceKeyString(k: ServiceKey): string {
  if (isFwmark(k)) return `fwmark ${k.fwmark}${k.family === 6 ? ' ipv6' : ''}`;
  return `${k.protocol} ${hostPort(k.family, k.address, k.port)}`;
}

export function destKeyString(d: Pick<DestSpec, 'family' | 'address' | 'port'>): string {
  return hostPort(d.family, d.address, d.port);
}

export function hostPort(family: Family, address: string, port: number): string {
  return family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

export function keyOf(s: ServiceKey): ServiceKey {
  return { family: s.family, protocol: s.protocol, address: s.address, port: s.port, fwmark: s.fwmark };
}

export function zeroStats(): Stats {
  return { conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };
}
