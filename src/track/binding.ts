// How one tracked source affects one instance (keepalived semantics):
// - weight 0: a failure puts the instance in Fault;
// - weight > 0: added to the priority while the source is good; weight < 0: added while it fails;
//   `reverse` swaps good and failed;
// - track_file: value * weight is added (weight 0: any non-zero value is a fault), and a total at
//   or below -254 is a fault.
import type { TrackSource, TrackStatus } from './source.js';

export interface TrackBinding {
  source: TrackSource;
  weight: number;
  reverse?: boolean;
}

export interface Contribution { fault: boolean; delta: number }

export function contribution(b: TrackBinding, s: TrackStatus = b.source.status()): Contribution {
  if (b.source.kind === 'file') {
    const v = s.value ?? 0;
    if (b.weight === 0) return { fault: v !== 0, delta: 0 };
    const delta = v * b.weight * (b.reverse ? -1 : 1);
    return { fault: delta <= -254, delta };
  }
  const good = b.reverse ? !s.ok : s.ok;
  if (b.weight === 0) return { fault: !good, delta: 0 };
  if (b.weight > 0) return { fault: false, delta: good ? b.weight : 0 };
  return { fault: false, delta: good ? 0 : b.weight };
}

/** The combined effect of all of an instance's trackers, with the names of those in fault. */
export function combine(bs: readonly TrackBinding[]): { fault: boolean; delta: number; faulty: string[] } {
  let delta = 0;
  const faulty: string[] = [];
  for (const b of bs) {
    const c = contribution(b);
    delta += c.delta;
    if (c.fault) faulty.push(`${b.source.kind}:${b.source.name}`);
  }
  return { fault: faulty.length > 0, delta, faulty };
}
