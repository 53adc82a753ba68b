// The real clock: src/lib/monotonic.ts and setTimeout. Timers are ordinary (ref'd); the
// daemon ends with process.exit after a graceful stop, so none can hold it up.
import { monotonicMs } from '../lib/monotonic.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { QuietWatch } from '../net/quiet-watch.js';

// setTimeout has millisecond granularity and fires up to a millisecond late. A precise timer is
// the addon timer thread's timerfd (src/native/repeat.c), which wakes the loop at the deadline to
// tens of microseconds. It used to poll the last 2 ms with setImmediate: thousands of calls of
// node's argument check per Master_Down, enough for V8 to optimize it, and the optimizing
// compiler's code then stays paged in (3.6 MB of the idle daemon's RSS; bench/README.md, "idle
// daemon", sixth pass). A coarse timer 1 ms behind keeps the loop alive (the thread's wake-up does
// not) and stands in should the addon not be there.
const BEHIND_MS = 1;

interface Pending { timeout: NodeJS.Timeout; watch?: QuietWatch }

export class MonotonicClock implements Clock {
  private seq = 0;
  private timers = new Map<number, Pending>();

  now(): number { return monotonicMs(); }

  setTimer(ms: number, fn: () => void, precise = false): TimerHandle {
    const id = ++this.seq;
    // The common case (a master's advert timer, 100 times a second at 0.01 s) allocates no
    // closure: setTimeout passes the id and the callback to one shared function.
    if (!precise) { this.timers.set(id, { timeout: setTimeout(this.fireOnce, Math.max(0, ms), id, fn) }); return { id }; }
    const p: Pending = { timeout: setTimeout(this.fireOnce, Math.ceil(Math.max(0, ms)) + BEHIND_MS, id, fn) };
    try { p.watch = QuietWatch.once(Math.max(0, ms), () => this.fireOnce(id, fn)); } catch { /* no addon: the coarse timer alone */ }
    this.timers.set(id, p);
    return { id };
  }

  /** Runs fn unless the timer was cleared or has run (a precise timer has two ways to come due). */
  private readonly fireOnce = (id: number, fn: () => void): void => {
    if (!this.clear(id)) return;
    fn();
  };

  clearTimer(h: TimerHandle): void { this.clear(h.id); }

  private clear(id: number): boolean {
    const p = this.timers.get(id);
    if (!p) return false;
    this.timers.delete(id);
    clearTimeout(p.timeout);
    p.watch?.stop();
    return true;
  }
}
