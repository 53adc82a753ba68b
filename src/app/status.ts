// What a running director looks like from outside: the JSON object `vipkeeper status --json`,
// GET /status and SIGUSR1 print, built on demand from the VRRP daemon and the director. It only
// reads; the one thing it keeps is each instance's last transition (and counts per from/to),
// which the daemon announces but does not store.
import { formatIP } from '../lib/ip.js';
import type { AnnouncementStatus } from '../announce/engine.js';
import type { CheckStatus as DirectorCheckStatus } from './director-state.js';
import type { Transition } from '../vrrp/instance.js';
import type { VrrpState } from '../vrrp/machine.js';
import { DROP_REASONS, type DropReason } from '../vrrp/validate.js';
import { isoTime } from '../lib/iso-time.js';
import { monotonicMs } from '../lib/monotonic.js';

/** The parts of a VRRP Instance (src/vrrp/instance.ts) the status reads. */
export interface InstanceView {
  readonly state: VrrpState;
  /** Effective priority (base plus tracking weights). */
  readonly priority: number;
  readonly spec: { readonly name: string; readonly interface: string; readonly vrid: number; readonly priority: number };
  readonly counters: Readonly<Record<DropReason | 'own' | 'send-error' | 'received' | 'sent', number>>;
  readonly machine: { readonly masterAddr: Uint8Array | undefined; readonly masterPriority: number | undefined };
  /** Drops a kernel filter made before user space saw the packet (added to the counters). */
  kernelDrops?(): Readonly<Record<string, number>>;
}

/** The parts of the VRRP Daemon (src/app/daemon.ts) the status reads. */
export interface VrrpView {
  readonly instanceNames: string[];
  instance(name: string): InstanceView | undefined;
  onTransition(fn: (t: Transition) => void): void;
}

/** One checker of a real server as the director reports it. `at` is the director's monotonic clock (ms). */
export type CheckSnapshot = DirectorCheckStatus;

export interface RealServerSnapshot {
  address: string;
  port: number;
  up: boolean;
  /** The weight currently programmed (0 while down with inhibit_on_failure). */
  weight: number;
  checks: CheckSnapshot[];
}

export interface VirtualServerSnapshot {
  /** Display name, e.g. "10.0.0.10:80/tcp" or "fwmark 1". */
  name: string;
  quorumUp: boolean;
  sorryActive: boolean;
  /** ha_suspend: checks paused while this director is not master for the address. */
  suspended?: boolean;
  realServers: RealServerSnapshot[];
}

/** What the director gives (src/app/director-state.ts DirectorStatus has this shape): `runtime.status()`. */
export interface DirectorSnapshot {
  virtualServers: VirtualServerSnapshot[];
  ipvsAvailable?: boolean;
  /** Cumulative since start. */
  ipvsOps?: { op: string; result: string; count: number }[];
  checkFailures?: { vs: string; rs: string; type: string; code: string; count: number }[];
}

export interface InstanceStatus {
  name: string;
  state: VrrpState;
  vrid: number;
  interface: string;
  priority: number;
  effectivePriority: number;
  /** The master this instance last accepted adverts from (BACKUP), or null (none, or we are MASTER). */
  masterSeen: { address: string; priority: number | null } | null;
  lastTransition: { from: VrrpState; to: VrrpState; reason: string; at: string; ageS: number } | null;
  /** received includes `deduplicated`: copies of the master's advert a backup's kernel filter dropped (src/vrrp/advert-dedupe.ts). */
  counters: { received: number; sent: number; own: number; sendErrors: number; deduplicated: number; dropped: Record<DropReason, number> };
}

export interface CheckStatus {
  type: string;
  up: boolean;
  ok: boolean | null;
  reason: string | null;
  code: string | null;
  latencyMs: number | null;
  /** Wall-clock time of the result (ISO 8601) and its age; null before the first result. */
  at: string | null;
  ageS: number | null;
}

export interface RealServerStatus {
  address: string;
  port: number;
  up: boolean;
  weight: number;
  /** The most recent result of any of its checkers. */
  lastCheck: CheckStatus | null;
  checks: CheckStatus[];
}

export interface VirtualServerStatus { name: string; quorumUp: boolean; sorryActive: boolean; suspended: boolean; realServers: RealServerStatus[] }

/** The status JSON contract. */
export interface Status {
  pid: number;
  generatedAt: string;
  uptimeS: number;
  /** null when the configuration has no virtual servers (no director). */
  ipvsAvailable: boolean | null;
  instances: InstanceStatus[];
  virtualServers: VirtualServerStatus[];
  /** Announced prefixes (docs/scale-out.md); empty when the configuration has none. */
  announcements: AnnouncementStatus[];
}

export interface TransitionCount { instance: string; from: VrrpState; to: VrrpState; count: number }

export interface StatusSourceOptions {
  /** `() => runtime.status()`; absent or returning undefined: no virtual servers. */
  director?: () => DirectorSnapshot | undefined;
  /** `() => runtime.announcements()`: each announced prefix, its condition and state. */
  announcements?: () => AnnouncementStatus[] | undefined;
  /** Wall clock in ms (tests pass a fake). */
  now?: () => number;
  /** The monotonic clock the director stamps check results with (the platform clock). */
  monotonic?: () => number;
  pid?: number;
}

const ageS = (now: number, at: number): number => Math.max(0, Math.round((now - at) / 100) / 10);

export class StatusSource {
  private last = new Map<string, { t: Transition; at: number }>();
  private counts = new Map<string, TransitionCount>();
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(private vrrp: VrrpView, private opts: StatusSourceOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    vrrp.onTransition((t) => this.record(t));
  }

  private record(t: Transition): void {
    this.last.set(t.instance, { t, at: this.now() });
    const key = `${t.instance}\0${t.from}\0${t.to}`;
    const c = this.counts.get(key) ?? { instance: t.instance, from: t.from, to: t.to, count: 0 };
    c.count++;
    this.counts.set(key, c);
  }

  /** Transitions seen since start, per instance and from/to (monotonic: a reload keeps them). */
  transitionCounts(): TransitionCount[] { return [...this.counts.values()].map((c) => ({ ...c })); }

  instances(): InstanceStatus[] {
    const now = this.now();
    const out: InstanceStatus[] = [];
    for (const name of this.vrrp.instanceNames) {
      const inst = this.vrrp.instance(name);
      if (inst) out.push(this.instanceStatus(inst, now));
    }
    return out;
  }

  private instanceStatus(inst: InstanceView, now: number): InstanceStatus {
    const { spec, machine: m, counters: c } = inst;
    const last = this.last.get(spec.name);
    const k = inst.kernelDrops?.() ?? {};
    const kernelTotal = Object.values(k).reduce((n, x) => n + x, 0);
    const seen = inst.state !== 'MASTER' && m.masterAddr ? { address: formatIP(m.masterAddr), priority: m.masterPriority ?? null } : null;
    return {
      name: spec.name, state: inst.state, vrid: spec.vrid, interface: spec.interface,
      priority: spec.priority, effectivePriority: inst.priority,
      masterSeen: seen,
      lastTransition: last ? { from: last.t.from, to: last.t.to, reason: last.t.reason, at: isoTime(last.at), ageS: ageS(now, last.at) } : null,
      counters: {
        received: c.received + kernelTotal, sent: c.sent, own: c.own, sendErrors: c['send-error'], deduplicated: k['duplicate'] ?? 0,
        dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, (c[r] ?? 0) + (k[r] ?? 0)])) as Record<DropReason, number>,
      },
    };
  }

  virtualServers(): VirtualServerStatus[] { return this.directorView(this.opts.director?.()); }

  /** Cumulative IPVS operation and check failure counts (metrics). */
  directorCounters(): Required<Pick<DirectorSnapshot, 'ipvsOps' | 'checkFailures'>> {
    const d = this.opts.director?.();
    return { ipvsOps: d?.ipvsOps ?? [], checkFailures: d?.checkFailures ?? [] };
  }

  private directorView(snap: DirectorSnapshot | undefined): VirtualServerStatus[] {
    const wall = this.now();
    const mono = (this.opts.monotonic ?? monotonicMs)();
    const check = (c: CheckSnapshot): CheckStatus => {
      // Results are stamped on the monotonic clock; shown as wall time by their age.
      const age = c.at === undefined ? null : ageS(mono, c.at);
      return {
        type: c.type, up: c.up, ok: c.ok ?? null, reason: c.reason ?? null, code: c.code ?? null, latencyMs: c.latencyMs ?? null,
        at: age === null ? null : isoTime(wall - age * 1000), ageS: age,
      };
    };
    return (snap?.virtualServers ?? []).map((vs) => ({
      name: vs.name, quorumUp: vs.quorumUp, sorryActive: vs.sorryActive, suspended: vs.suspended ?? false,
      realServers: vs.realServers.map((rs) => {
        const checks = rs.checks.map(check);
        const latest = rs.checks.reduce<number>((best, c, i) => (c.at !== undefined && (best < 0 || c.at > rs.checks[best]!.at!) ? i : best), -1);
        return { address: rs.address, port: rs.port, up: rs.up, weight: rs.weight, lastCheck: latest < 0 ? null : checks[latest]!, checks };
      }),
    }));
  }

  snapshot(): Status {
    const now = this.now();
    const d = this.opts.director?.();
    return {
      pid: this.opts.pid ?? process.pid,
      generatedAt: isoTime(now),
      uptimeS: ageS(now, this.startedAt),
      ipvsAvailable: d ? d.ipvsAvailable ?? null : null,
      instances: this.instances(),
      virtualServers: this.directorView(d),
      announcements: this.announcements(),
    };
  }

  announcements(): AnnouncementStatus[] { return this.opts.announcements?.() ?? []; }
}

/** The label a real server goes by in metrics and tables: "10.0.0.1:80", "[2001:db8::1]:80". */
export function realServerLabel(rs: { address: string; port: number }): string {
  return rs.address.includes(':') ? `[${rs.address}]:${rs.port}` : `${rs.address}:${rs.port}`;
}
