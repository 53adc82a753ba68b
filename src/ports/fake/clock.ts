// A clock that only moves when a test advances it; timers fire in due order, ties in arm order.
import type { Clock, TimerHandle } from '../clock.js';

interface Pending { id: number; due: number; fn: () => void }

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = 1000) { this.t = start; }

  now(): number { return this.t; }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const p = { id: ++this.seq, due: this.t + Math.max(0, ms), fn };
    this.pending.push(p);
    return { id: p.id };
  }

  clearTimer(h: TimerHandle): void { this.pending = this.pending.filter((p) => p.id !== h.id); }

  /** Number of timers armed and not yet fired. */
  get armed(): number { return this.pending.length; }

  /** Due time of the next timer, or undefined. */
  nextDue(): number | undefined {
    return this.pending.reduce<number | undefined>((m, p) => (m === undefined || p.due < m ? p.due : m), undefined);
  }

  /** Moves time forward by ms, firing every timer that falls due, in order (including new ones). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.due <= end).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = end;
  }

  /** Moves time without firing anything (a paused process): timers fire on the next advance. */
  jump(ms: number): void { this.t += ms; }
}
