// The director's per-virtual-server and per-real-server runtime records, and the pure helpers
// that name them and find the VRRP instance a virtual server's address belongs to (ha_suspend).
import type { Checker, Config, RealServer, VirtualServer } from '../config/model.js';
import type { CheckOutcome, Probe } from '../check/checker.js';
import type { CheckState } from '../check/policy.js';
import type { PoolState } from '../check/pool.js';
import { canonicalAddress, hostPort, type DestSpec } from '../ipvs/model.js';
import type { CheckTiming } from './director-timing.js';

export interface CheckRt {
  /** Scheduler task id: `<rs key>#<index>`. */
  id: string;
  check: Checker;
  /** When it runs and how many failures put it down (FILE_CHECK differs from its config). */
  readonly timing: CheckTiming;
  probe: Probe;
  state: CheckState;
  /** state.up and state.weight: what realServerUp / realServerWeight read. */
  readonly up: boolean;
  readonly weight?: number | undefined;
  /** Set when the checker was replaced or stopped: a late result is dropped. */
  closed: boolean;
  /** This checker's failure counters by code: the records of the director's table, found without building its key. */
  failures?: Map<string, FailureCount>;
}

export interface FailureCount { vs: string; rs: string; type: string; code: string; count: number }

export interface RsRt {
  key: string;
  /** The virtual server's name: a kept real server's results go to the current VsRt after a reload. */
  vsName: string;
  /** "10.0.0.2:80" as operators read it. */
  label: string;
  /** Its checkers' identity is worked out from this at a reload (checkersSig), not kept as text. */
  rs: RealServer;
  checks: CheckRt[];
  up: boolean;
  weight: number;
}

export interface VsRt {
  vs: VirtualServer;
  rss: RsRt[];
  pool: PoolState;
  dests: DestSpec[];
  sorryActive: boolean;
  /** The VRRP instance whose VIPs hold the address (ha_suspend), if any. */
  haInstance?: string;
  suspended: boolean;
}

export function rsLabel(rs: Pick<RealServer, 'family' | 'address' | 'port'>): string {
  return hostPort(rs.family, rs.address, rs.port);
}

export function rsKey(vs: Pick<VirtualServer, 'name'>, rs: Pick<RealServer, 'family' | 'address' | 'port'>): string {
  return `${vs.name} ${rsLabel(rs)}`;
}

/**
 * The same text as one flat string. A template literal leaves a tree of string pieces (a
 * "cons string": 32 bytes a node, 2-3 nodes for a key or task id) that V8 keeps as long as the
 * string; for names kept per real server (11,000 at scale) a flat copy is about half the size.
 * JSON round-trips any string exactly, lone surrogates included.
 */
export function flatString(s: string): string { return JSON.parse(JSON.stringify(s)) as string; }

/** Identity of the checkers: a reload keeps them (and their state) only when it is unchanged. */
export function checkersSig(rs: RealServer): string { return JSON.stringify(rs.checkers); }

/** ha_suspend: the instance with the virtual server's address among its VIPs (addr services only). */
export function haInstanceOf(vs: VirtualServer, cfg: Config): string | undefined {
  if (!vs.haSuspend || vs.kind !== 'addr' || !vs.address) return undefined;
  const want = safeCanonical(vs.address);
  return cfg.vrrpInstances.find((i) => [...i.virtualIps, ...i.excludedVips].some((v) => safeCanonical(v.address) === want))?.name;
}

function safeCanonical(a: string): string {
  try { return canonicalAddress(a); } catch { return a; }
}

/** A probe past this is stalled: its own bounds (connect and misc timeouts) broke. */
export function maxRunMs(c: Checker): number {
  const own = c.type === 'MISC_CHECK' ? Math.max(c.miscTimeoutMs, c.connectTimeoutMs) : c.connectTimeoutMs;
  return own * 2 + 5000;
}

export interface CheckStatus {
  type: string;
  up: boolean;
  ok?: boolean;
  reason?: string;
  code?: string;
  latencyMs?: number;
  /** Clock time (ms) of the last result. */
  at?: number;
}

export interface RsStatus { address: string; port: number; up: boolean; weight: number; checks: CheckStatus[] }
export interface VsStatus { name: string; quorumUp: boolean; sorryActive: boolean; suspended: boolean; realServers: RsStatus[] }

export interface DirectorStatus {
  ipvsAvailable: boolean;
  virtualServers: VsStatus[];
  ipvsOps: { op: string; result: string; count: number }[];
  checkFailures: { vs: string; rs: string; type: string; code: string; count: number }[];
  /** Largest scheduler lag seen in the last health period (ms). */
  schedulerLagMs: number;
}

export function checkStatus(c: CheckRt): CheckStatus {
  const last: CheckOutcome | undefined = c.state.last;
  const s: CheckStatus = { type: c.check.type, up: c.state.up };
  if (last) Object.assign(s, { ok: last.ok, reason: last.reason, code: last.code, latencyMs: last.latencyMs });
  if (c.state.lastAt !== undefined) s.at = c.state.lastAt;
  return s;
}

export function vsStatus(v: VsRt): VsStatus {
  const weightOf = (r: RsRt): number => v.dests.find((d) => d.address === r.rs.address && d.port === r.rs.port && d.family === r.rs.family)?.weight ?? 0;
  return {
    name: v.vs.name, quorumUp: v.pool.quorumUp, sorryActive: v.sorryActive, suspended: v.suspended,
    realServers: v.rss.map((r) => ({ address: r.rs.address, port: r.rs.port, up: r.up, weight: weightOf(r), checks: r.checks.map(checkStatus) })),
  };
}

/**
 * Counts a failed check in the director's table (status, metrics). The checker keeps its own
 * records by code, so a failing real server checked every second builds no key after its first.
 */
export function countFailure(table: Map<string, FailureCount>, v: VsRt, r: RsRt, c: CheckRt, code: string): void {
  const mine = (c.failures ??= new Map());
  const f = mine.get(code);
  if (f) { f.count++; return; }
  // The table's records outlive a reload (and the checker records) under this key.
  const k = JSON.stringify([v.vs.name, r.label, c.check.type, code]);
  let rec = table.get(k);
  if (rec) rec.count++;
  else table.set(k, rec = { vs: v.vs.name, rs: r.label, type: c.check.type, code, count: 1 });
  mine.set(code, rec);
}
