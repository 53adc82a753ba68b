// A counter of events nobody else keeps (GARPs per instance, notify runs per result), by one label,
// as plain numbers: the stats file (SIGUSR2) reads it without prom-client, and the Prometheus
// counter of the same name reports it at scrape time.
export interface CounterSample<L extends string> { labels: Record<L, string>; value: number }

export class EventCounter<L extends string> {
  private readonly values = new Map<string, number>();

  constructor(readonly name: string, readonly label: L) {}

  inc(value: string, by = 1): void { this.values.set(value, (this.values.get(value) ?? 0) + by); }

  /** One sample per label value, in the order the values were first counted. */
  samples(): CounterSample<L>[] {
    return [...this.values].map(([v, n]) => ({ labels: { [this.label]: v } as Record<L, string>, value: n }));
  }
}
