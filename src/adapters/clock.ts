// The real clock: performance.now() (monotonic) and setTimeout. Timers are ordinary (ref'd); the
// daemon ends with process.exit after a graceful stop, so none can hold it up.
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../ports/clock.js';

// setTimeout has millisecond granularity and fires up to a millisecond late; a precise timer
// sleeps until 2 ms before its deadline and then polls with setImmediate (which lets I/O run).
const SPIN_MS = 2;

export class MonotonicClock implements Clock {
  private seq = 0;
  private timers = new Map<number, NodeJS.Timeout | NodeJS.Immediate>();

  now(): number { return performance.now(); }

  setTimer(ms: number, fn: () => void, precise = false): TimerHandle {
    const id = ++this.seq;
    // The common case (a master's advert timer, 100 times a second at 0.01 s) allocates no
    // closure: setTimeout passes the id and the callback to one shared function.
    if (!precise) { this.timers.set(id, setTimeout(this.fireOnce, Math.max(0, ms), id, fn)); return { id }; }
    const due = performance.now() + Math.max(0, ms);
    const poll = (): void => {
      if (performance.now() >= due) this.fireOnce(id, fn);
      else this.timers.set(id, setImmediate(poll));
    };
    this.timers.set(id, setTimeout(poll, Math.max(0, Math.floor(ms - SPIN_MS))));
    return { id };
  }

  private readonly fireOnce = (id: number, fn: () => void): void => { this.timers.delete(id); fn(); };

  clearTimer(h: TimerHandle): void {
    const t = this.timers.get(h.id);
    if (t) { clearTimeout(t as NodeJS.Timeout); clearImmediate(t as NodeJS.Immediate); }
    this.timers.delete(h.id);
  }
}
