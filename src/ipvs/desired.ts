// The one place where the configuration model becomes desired IPVS state: virtual servers (and the
// members of virtual_server_group) with their real servers, given which real servers are alive.
import { VipError } from '../lib/errors.js';
import { formatIP, parseIP } from '../lib/ip.js';
import type { Config, RealServer, VirtualServer, VirtualServerGroupEntry } from '../config/model.js';
import { evaluatePool, initialPoolState } from '../check/pool.js';
import type { DesiredService, DestSpec, Family, Protocol, ServiceFlag } from './model.js';

export interface DesiredOptions {
  /** Whether a real server is up; default: every real server is alive (`vipkeeper ipvs apply`). */
  alive?: (vs: VirtualServer, rs: RealServer) => boolean;
  /** The pool's destinations as the checkers see them (the daemon); overrides `alive`. */
  dests?: (vs: VirtualServer) => DestSpec[];
}

/** A group address range larger than this is almost certainly a typo, not 65,536 services. */
const MAX_GROUP_ADDRESSES = 1024;

export function desiredFromConfig(cfg: Config, opts: DesiredOptions = {}): DesiredService[] {
  const alive = opts.alive ?? (() => true);
  const out: DesiredService[] = [];
  for (const vs of cfg.virtualServers) {
    const base = serviceBase(vs);
    const dests = opts.dests ? opts.dests(vs) : destsOf(vs, alive);
    for (const key of keysOf(vs, cfg)) out.push({ ...key, ...base, dests: dests.map((d) => ({ ...d })) });
  }
  return out;
}

type Key = Pick<DesiredService, 'family' | 'protocol' | 'address' | 'port' | 'fwmark'>;

function serviceBase(vs: VirtualServer): Omit<DesiredService, keyof Key | 'dests'> {
  const flags: ServiceFlag[] = [];
  const persistent = vs.persistenceTimeoutS !== undefined;
  if (persistent) flags.push('persistent');
  if (vs.ops) flags.push('one-packet');
  flags.push(...(vs.schedFlags as ServiceFlag[]));
  return {
    scheduler: vs.lbAlgo,
    flags,
    timeout: vs.persistenceTimeoutS ?? 0,
    netmask: granularity(vs.persistenceGranularity, vs.family),
  };
}

/** persistence_granularity: an IPv4 netmask ("255.255.255.0") or an IPv6 prefix length ("64"). */
function granularity(text: string | undefined, family: Family): number {
  if (text === undefined || text === '') return family === 6 ? 128 : 32;
  if (/^\d+$/.test(text)) return Number(text);
  const b = parseIP(text).addr;
  let n = 0;
  for (const byte of b) for (let bit = 7; bit >= 0; bit--) { if (byte & (1 << bit)) n++; else return n; }
  return n;
}

function keysOf(vs: VirtualServer, cfg: Config): Key[] {
  const protocol = vs.protocol.toLowerCase() as Protocol;
  const zero = vs.family === 6 ? '::' : '0.0.0.0';
  if (vs.kind === 'fwmark') return [{ family: vs.family, protocol: 'tcp', address: zero, port: 0, fwmark: vs.fwmark ?? 0 }];
  if (vs.kind === 'addr') return [{ family: vs.family, protocol, address: vs.address!, port: vs.port ?? 0, fwmark: 0 }];
  const group = cfg.virtualServerGroups.find((g) => g.name === vs.group);
  if (!group) throw new VipError('ipvs-unknown-group', `virtual server ${vs.name}: no virtual_server_group ${vs.group}`);
  return group.entries.flatMap((e) => groupKeys(e, protocol, vs));
}

function groupKeys(e: VirtualServerGroupEntry, protocol: Protocol, vs: VirtualServer): Key[] {
  if (e.fwmark !== undefined) return [{ family: e.family, protocol: 'tcp', address: e.family === 6 ? '::' : '0.0.0.0', port: 0, fwmark: e.fwmark }];
  return expandRange(e.address ?? '', vs.name).map((address) => ({ family: e.family, protocol, address, port: e.port ?? 0, fwmark: 0 }));
}

/** "10.0.0.1", "10.0.0.1-10" (last byte, or last group for IPv6) or "10.0.0.8/29". */
export function expandRange(text: string, where: string): string[] {
  const fail = (why: string): never => { throw new VipError('ipvs-bad-group-range', `virtual server ${where}: ${why}: ${text}`); };
  const slash = text.indexOf('/'), dash = text.lastIndexOf('-');
  if (slash < 0 && dash < 0) return [text];
  if (slash >= 0) {
    const { addr } = parseIP(text.slice(0, slash));
    const len = Number(text.slice(slash + 1));
    const bits = addr.length * 8;
    if (!(len >= 0 && len <= bits) || bits - len > 10) fail('prefix too short or invalid');
    return spread(addr, 2 ** (bits - len), true);
  }
  const { addr } = parseIP(text.slice(0, dash));
  const v6 = addr.length === 16;
  const last = v6 ? (addr[14]! << 8) | addr[15]! : addr[3]!;
  const end = parseInt(text.slice(dash + 1), v6 ? 16 : 10);
  if (!(end >= last) || end > (v6 ? 0xffff : 255) || end - last >= MAX_GROUP_ADDRESSES) fail('bad range');
  return spread(addr, end - last + 1, false);
}

function spread(start: Uint8Array, count: number, alignDown: boolean): string[] {
  const out: string[] = [];
  const a = Uint8Array.from(start);
  if (alignDown) {
    // Clear the host bits: the block starts at the network address.
    let host = Math.log2(count);
    for (let i = a.length - 1; i >= 0 && host > 0; i--, host -= 8) a[i]! &= host >= 8 ? 0 : 0xff << host;
  }
  for (let n = 0; n < count; n++) {
    out.push(formatIP(a));
    for (let i = a.length - 1; i >= 0; i--) { a[i] = (a[i]! + 1) & 0xff; if (a[i] !== 0) break; }
  }
  return out;
}

function destsOf(vs: VirtualServer, alive: NonNullable<DesiredOptions['alive']>): DestSpec[] {
  const views = vs.realServers.map((rs) => ({ rs, up: alive(vs, rs), weight: rs.weight }));
  return evaluatePool(vs, views, initialPoolState()).dests;
}
