// The Prometheus metrics of a running director (names and labels are a contract). Values that the
// daemon already keeps (states, priorities, advert and drop counters, real server health) are read
// from the StatusSource in collect() callbacks, so nothing runs between scrapes (the director's
// IPVS operation and check failure counts too); events nobody else keeps (check durations, GARPs,
// notify runs) are reported to this object through MetricsEvents as they happen.
import { registerAnnounceMetrics } from '../announce/metrics.js';
import type { AnnouncementStatus } from '../announce/engine.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { realServerLabel, type DirectorSnapshot, type InstanceStatus, type TransitionCount, type VirtualServerStatus } from '../app/status.js';
import type { VrrpState } from '../vrrp/machine.js';

export type NotifyResult = 'ok' | 'failed' | 'timeout';

/** What the director and the VRRP daemon report while running (wired in by the composition root). */
export interface MetricsEvents {
  /** One health check finished after `seconds` (type: the checker, TCP_CHECK, HTTP_GET, ...). */
  observeCheck(type: string, seconds: number): void;
  /** Gratuitous ARPs / unsolicited NAs sent for an instance. */
  garpSent(instance: string, count?: number): void;
  notifyRun(result: NotifyResult): void;
}

/** The reading side the collect() callbacks need (StatusSource implements it). */
export interface MetricsSource {
  instances(): InstanceStatus[];
  virtualServers(): VirtualServerStatus[];
  transitionCounts(): TransitionCount[];
  directorCounters(): Required<Pick<DirectorSnapshot, 'ipvsOps' | 'checkFailures'>>;
  /** Announced prefixes (optional: absent = none). */
  announcements?(): AnnouncementStatus[];
}

export const STATE_VALUE: Record<VrrpState, number> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOPPED: 4 };

/** Seconds; health checks time out after a few seconds at most, connects take well under one. */
const CHECK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /** Process and event-loop metrics (default true). */
  defaultMetrics?: boolean;
}

export class Metrics implements MetricsEvents {
  readonly registry = new Registry();
  private checkDuration: Histogram<'type'>;
  private garp: Counter<'instance'>;
  private notify: Counter<'result'>;

  constructor(src: MetricsSource, opts: MetricsOptions = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    // Read at scrape time: reset, then set every present series, so stopped instances vanish.
    const perInstance = <L extends string>(name: string, help: string, labelNames: L[], fill: (i: InstanceStatus, set: (labels: Record<L, string>, v: number) => void) => void, kind: 'gauge' | 'counter'): void => {
      const collect = function (this: Gauge<L> | Counter<L>): void {
        this.reset();
        const set = kind === 'gauge' ? (l: Record<L, string>, v: number) => (this as Gauge<L>).set(l, v) : (l: Record<L, string>, v: number) => (this as Counter<L>).inc(l, v);
        for (const i of src.instances()) fill(i, set);
      };
      if (kind === 'gauge') new Gauge<L>({ name, help, labelNames, registers, collect });
      else new Counter<L>({ name, help, labelNames, registers, collect });
    };
    perInstance('vipkeeper_vrrp_state', 'VRRP state: 0 init, 1 backup, 2 master, 3 fault, 4 stopped', ['instance', 'vrid', 'interface'],
      (i, set) => set({ instance: i.name, vrid: String(i.vrid), interface: i.interface }, STATE_VALUE[i.state]), 'gauge');
    perInstance('vipkeeper_vrrp_effective_priority', 'Priority after tracking weights (1..254, 255 owner)', ['instance'],
      (i, set) => set({ instance: i.name }, i.effectivePriority), 'gauge');
    perInstance('vipkeeper_vrrp_adverts_sent_total', 'VRRP advertisements sent', ['instance'],
      (i, set) => set({ instance: i.name }, i.counters.sent), 'counter');
    perInstance('vipkeeper_vrrp_adverts_received_total', 'VRRP packets received (before validation)', ['instance'],
      (i, set) => set({ instance: i.name }, i.counters.received), 'counter');
    perInstance('vipkeeper_vrrp_packets_dropped_total', 'VRRP packets dropped by validation, by reason', ['instance', 'reason'],
      (i, set) => { for (const [reason, n] of Object.entries(i.counters.dropped)) set({ instance: i.name, reason }, n); }, 'counter');

    new Counter<'instance' | 'from' | 'to'>({
      name: 'vipkeeper_vrrp_transitions_total', help: 'VRRP state transitions since start', labelNames: ['instance', 'from', 'to'], registers,
      collect() { this.reset(); for (const c of src.transitionCounts()) this.inc({ instance: c.instance, from: c.from, to: c.to }, c.count); },
    });

    const perRealServer = (name: string, help: string, value: (rs: VirtualServerStatus['realServers'][number]) => number): void => {
      new Gauge<'vs' | 'rs'>({
        name, help, labelNames: ['vs', 'rs'], registers,
        collect() {
          this.reset();
          for (const vs of src.virtualServers()) for (const rs of vs.realServers) this.set({ vs: vs.name, rs: realServerLabel(rs) }, value(rs));
        },
      });
    };
    perRealServer('vipkeeper_realserver_up', 'Real server health: 1 up, 0 down', (rs) => (rs.up ? 1 : 0));
    perRealServer('vipkeeper_realserver_weight', 'Real server weight programmed in IPVS', (rs) => rs.weight);

    new Counter<'vs' | 'rs' | 'type' | 'reason'>({
      name: 'vipkeeper_check_failures_total', help: 'Failed health checks by reason code', labelNames: ['vs', 'rs', 'type', 'reason'], registers,
      collect() { this.reset(); for (const f of src.directorCounters().checkFailures) this.inc({ vs: f.vs, rs: f.rs, type: f.type, reason: f.code }, f.count); },
    });
    new Counter<'op' | 'result'>({
      name: 'vipkeeper_ipvs_operations_total', help: 'IPVS changes by operation and result', labelNames: ['op', 'result'], registers,
      collect() { this.reset(); for (const o of src.directorCounters().ipvsOps) this.inc({ op: o.op, result: o.result }, o.count); },
    });
    registerAnnounceMetrics(this.registry, () => src.announcements?.() ?? []);
    this.checkDuration = new Histogram({ name: 'vipkeeper_check_duration_seconds', help: 'Health check duration', labelNames: ['type'], buckets: CHECK_BUCKETS, registers });
    this.garp = new Counter({ name: 'vipkeeper_garp_sent_total', help: 'Gratuitous ARPs and unsolicited neighbour advertisements sent', labelNames: ['instance'], registers });
    this.notify = new Counter({ name: 'vipkeeper_notify_runs_total', help: 'Notify script runs by result', labelNames: ['result'], registers });
  }

  observeCheck(type: string, seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.checkDuration.observe({ type }, seconds);
  }
  garpSent(instance: string, count = 1): void { if (count > 0) this.garp.inc({ instance }, count); }
  notifyRun(result: NotifyResult): void { this.notify.inc({ result }); }

  get contentType(): string { return this.registry.contentType; }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> { return this.registry.metrics(); }

  /** The event counters as plain numbers (the SIGUSR2 stats file). */
  async eventCounts(): Promise<Record<string, { labels: Record<string, string | number>; value: number }[]>> {
    const out: Record<string, { labels: Record<string, string | number>; value: number }[]> = {};
    for (const m of [this.garp, this.notify]) {
      const got = await m.get();
      out[got.name] = got.values.map((v) => ({ labels: { ...v.labels } as Record<string, string | number>, value: v.value }));
    }
    return out;
  }
}
