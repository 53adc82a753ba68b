// The real clock: performance.now() (monotonic) and setTimeout. Timers are unref'd so only the
// sockets and signals decide when the process may exit.
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../ports/clock.js';

export class MonotonicClock implements Clock {
  private seq = 0;
  private timers = new Map<number, NodeJS.Timeout>();

  now(): number { return performance.now(); }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    const t = setTimeout(() => { this.timers.delete(id); fn(); }, Math.max(0, ms));
    this.timers.set(id, t);
    return { id };
  }

  clearTimer(h: TimerHandle): void {
    const t = this.timers.get(h.id);
    if (t) clearTimeout(t);
    this.timers.delete(h.id);
  }
}
