// Probe timeouts without a timer per probe. Thousands of probes a second each arming and clearing
// a setTimeout cost a Timeout object, a closure and a list insert and removal apiece; probes of
// one checker type nearly always share one connect_timeout, so their deadlines arrive in the
// order they were set. One FIFO per timeout length, one timer for the earliest head: setting a
// deadline is a push, settling early is a flag the queue skips later.
//
// An expired deadline is acted on after the event loop's next poll phase (setImmediate), not in
// the timer phase: a loaded loop can reach an expired timer while the connect or response that
// beat it is still queued as I/O, and judging then would report a timeout that did not happen.
import { monotonicMs } from '../lib/monotonic.js';

/**
 * What a deadline ends: `expire()` is called once, unless `settled` was true by then. The queue
 * holds it until the deadline passes even when it settles early (unless it is released: see
 * `release`): once settled it should let go of what its run used (sockets, requests), which would
 * otherwise outlive the run.
 */
export interface Expirable {
  settled: boolean;
  expire(): void;
}

/**
 * Deadlines of one length, in the order set, as two parallel arrays (no object per deadline: at
 * 11,000 checks a second every per-check object lives a whole connect_timeout here, long enough to
 * be promoted to the old generation, and old-generation garbage is what grows the heap).
 */
class Fifo {
  ats: number[] = [];
  whos: (Expirable | undefined)[] = [];
  head = 0;
  /** Entries compacted away so far: a ticket minus base is the entry's index now. */
  base = 0;
  get empty(): boolean { return this.head >= this.ats.length; }
  push(at: number, who: Expirable): number { this.ats.push(at); this.whos.push(who); return this.base + this.whos.length - 1; }
  /** Drops the head and returns who it was for. */
  shift(): Expirable {
    const who = this.whos[this.head]!;
    this.whos[this.head++] = undefined;
    // Compacts once the dead prefix is large, so a queue that never empties does not grow.
    if (this.head > 1024 && this.head * 2 > this.ats.length) {
      this.ats = this.ats.slice(this.head); this.whos = this.whos.slice(this.head); this.base += this.head; this.head = 0;
    }
    return who;
  }
}

/** Stands in for a released deadline: settled, so the queue skips it. */
const RELEASED: Expirable = { settled: true, expire() { /* never called: settled */ } };

export class Deadlines {
  private queues = new Map<number, Fifo>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private expired: Expirable[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private pending = 0;

  /**
   * `who.expire()` runs about `ms` from now unless `who.settled` is set first. Returns a ticket
   * for `release`.
   */
  add(ms: number, who: Expirable): number {
    let q = this.queues.get(ms);
    if (!q) { q = new Fifo(); this.queues.set(ms, q); }
    const at = monotonicMs() + ms;
    const ticket = q.push(at, who);
    this.pending++;
    if (at < this.timerAt) this.arm(at);
    return ticket;
  }

  /**
   * `who` (settled, or no longer to be expired) lets go of its place at once instead of being
   * held until its deadline: at
   * 10,000 TCP checks a second each attempt record otherwise lived a whole connect_timeout here
   * and was promoted to the old generation, where it is garbage that grows the heap.
   */
  release(ms: number, ticket: number, who: Expirable): void {
    const q = this.queues.get(ms);
    if (!q) return;
    const i = ticket - q.base;
    if (i >= q.head && i < q.whos.length && q.whos[i] === who) q.whos[i] = RELEASED;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(1, Math.ceil(at - monotonicMs())));
    // The probe's socket keeps the process alive while it waits; the deadline alone need not.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = monotonicMs();
    let next = Infinity;
    for (const [ms, q] of this.queues) {
      while (!q.empty) {
        const at = q.ats[q.head]!;
        if (q.whos[q.head]!.settled) { q.shift(); this.pending--; continue; }
        if (at > now) { next = Math.min(next, at); break; }
        this.pending--;
        this.expired.push(q.shift());
      }
      if (q.empty) this.queues.delete(ms);
    }
    if (this.expired.length && !this.immediate) this.immediate = setImmediate(() => this.expire());
    if (next < Infinity) this.arm(next);
  }

  private expire(): void {
    this.immediate = undefined;
    const list = this.expired;
    this.expired = [];
    for (const who of list) if (!who.settled) who.expire();
  }

  /** Deadlines set and not yet passed or skipped (tests). */
  get size(): number { return this.pending; }
}

/** The process's one set of probe deadlines. */
export const deadlines = new Deadlines();
