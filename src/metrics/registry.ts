// The Prometheus metrics of a running director (names and labels are a contract). Values that the
// daemon already keeps (states, priorities, advert and drop counters, real server health) are read
// from the StatusSource in collect() callbacks, so nothing runs between scrapes (the director's
// IPVS operation and check failure counts too); events nobody else keeps (check durations, GARPs,
// notify runs) are reported to this object through MetricsEvents as they happen. The registry
// itself (prometheus.ts: prom-client, ~12 MiB) is loaded only when something reads it.
import type { Registry } from 'prom-client';
import type { DirectorSnapshot, InstanceStatus, TransitionCount, VirtualServerStatus } from '../app/status.js';
import type { AnnouncementStatus } from '../announce/engine.js';
import type { VrrpState } from '../vrrp/machine.js';
import { EventCounter, type CounterSample } from './event-counter.js';
import type { PrometheusMetrics } from './prometheus.js';

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

/** Prometheus text exposition 0.0.4, prom-client's default (what `contentType` is before loading). */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
/** Check durations observed while the registry loads (its first tick); more are dropped. */
const MAX_PENDING = 10_000;

export interface MetricsOptions {
  /** Process and event-loop metrics (default true). */
  defaultMetrics?: boolean;
  /**
   * Start loading the Prometheus registry now (default true). false: only on the first
   * prometheus() / text() call, and check durations are not kept until then (`vipkeeper run`
   * without --metrics-listen: only the stats file reads the event counts).
   */
  prometheus?: boolean;
}

export class Metrics implements MetricsEvents {
  private readonly garp = new EventCounter('vipkeeper_garp_sent_total', 'instance');
  private readonly notify = new EventCounter('vipkeeper_notify_runs_total', 'result');
  private prom: PrometheusMetrics | undefined;
  private loading: Promise<PrometheusMetrics> | undefined;
  private pending: [string, number][] | undefined;

  constructor(private readonly src: MetricsSource, private readonly opts: MetricsOptions = {}) {
    if (opts.prometheus ?? true) {
      this.pending = [];
      // Errors surface on the first prometheus() / text() call, which returns this promise.
      this.load().catch(() => {});
    }
  }

  /** The Prometheus registry, built (and prom-client loaded) on the first call. */
  async prometheus(): Promise<Registry> { return (await this.load()).registry; }

  private load(): Promise<PrometheusMetrics> {
    this.loading ??= import('./prometheus.js').then(({ prometheusMetrics }) => {
      const prom = prometheusMetrics({ src: this.src, garp: this.garp, notify: this.notify, defaultMetrics: this.opts.defaultMetrics ?? true });
      for (const [type, seconds] of this.pending ?? []) prom.observeCheck(type, seconds);
      this.pending = undefined;
      this.prom = prom;
      return prom;
    });
    return this.loading;
  }

  observeCheck(type: string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    if (this.prom) this.prom.observeCheck(type, seconds);
    else if (this.pending && this.pending.length < MAX_PENDING) this.pending.push([type, seconds]);
  }
  garpSent(instance: string, count = 1): void { if (count > 0) this.garp.inc(instance, count); }
  notifyRun(result: NotifyResult): void { this.notify.inc(result); }

  get contentType(): string { return this.prom?.registry.contentType ?? PROMETHEUS_TEXT; }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> { return (await this.prometheus()).metrics(); }

  /** The event counters as plain numbers (the SIGUSR2 stats file). */
  async eventCounts(): Promise<Record<string, CounterSample<string>[]>> {
    return { [this.garp.name]: this.garp.samples(), [this.notify.name]: this.notify.samples() };
  }
}
