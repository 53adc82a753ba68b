// The Prometheus registry of a running director, built by Metrics (registry.ts) only when something
// will read it (--metrics-listen): prom-client and its dependencies are ~12 MiB of RSS and a 10 ms
// event-loop monitor. Values the daemon keeps are read at scrape time (collect callbacks).
import { registerAnnounceMetrics } from '../announce/metrics.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { realServerLabel, type InstanceStatus, type VirtualServerStatus } from '../app/status.js';
import type { EventCounter } from './event-counter.js';
import { STATE_VALUE, type MetricsSource } from './registry.js';

/** Seconds; health checks time out after a few seconds at most, connects take well under one. */
const CHECK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface PrometheusMetrics {
  registry: Registry;
  observeCheck(type: string, seconds: number): void;
}

export interface PrometheusInputs {
  src: MetricsSource;
  garp: EventCounter<'instance'>;
  notify: EventCounter<'result'>;
  /** Process and event-loop metrics. */
  defaultMetrics: boolean;
}

export function prometheusMetrics({ src, garp, notify, defaultMetrics }: PrometheusInputs): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (defaultMetrics) collectDefaultMetrics({ register: registry });

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
  registerAnnounceMetrics(registry, () => src.announcements?.() ?? []);
  const checkDuration = new Histogram({ name: 'vipkeeper_check_duration_seconds', help: 'Health check duration', labelNames: ['type'], buckets: CHECK_BUCKETS, registers });
  // The event counts live in plain counters (the stats file reads them too).
  const fromEvents = <L extends string>(c: EventCounter<L>, help: string): void => {
    new Counter<L>({
      name: c.name, help, labelNames: [c.label], registers,
      collect() { this.reset(); for (const s of c.samples()) this.inc(s.labels as Parameters<Counter<L>['inc']>[0] & object, s.value); },
    });
  };
  fromEvents(garp, 'Gratuitous ARPs and unsolicited neighbour advertisements sent');
  fromEvents(notify, 'Notify script runs by result');
  return { registry, observeCheck: (type, seconds) => checkDuration.observe({ type }, seconds) };
}
