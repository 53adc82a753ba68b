// The check scheduler: every checker's next run in one min-heap, with one timer on the Clock port
// armed for the earliest. Thousands of checkers at delay_loop 1 s would otherwise be thousands of
// timer objects (and closures) made and dropped per second; here arming a task is a heap insert
// with no allocation, and one timer firing starts every task that is due. A slow or hung real
// server still never delays another's checks: a task is started, not awaited, and re-armed only
// after it settles (a checker never overlaps itself). It measures how late tasks start (lag) and
// notices a run that outlives its bound, so checks cannot stall silently.
import type { Clock, TimerHandle } from '../ports/clock.js';

export interface TaskSpec {
  /** Milliseconds until the next run, once the run settles; undefined: do not run again. */
  run(): Promise<number | undefined>;
  /** A timer firing later than this is "behind" (keepalived's delay_loop). */
  delayLoopMs: number;
  /** A run still pending after this long is stalled (the probe broke its own timeout). */
  maxRunMs: number;
}

interface Task {
  id: string;
  spec: TaskSpec;
  /** Bumped by remove/pause: a run that settles for an older generation is not re-armed. */
  gen: number;
  /** Clock time the task is due, while it is in the heap. */
  due?: number;
  /** Position in the heap, -1 when not in it. */
  pos: number;
  /** Arm order: tasks due at the same time start in the order they were armed. */
  seq: number;
  /** Clock time the current run started. */
  runningSince?: number;
  paused: boolean;
}

export interface SchedulerHealth {
  /** Largest lateness of a timer fired since the last call, or of one overdue now (ms). */
  maxLagMs: number;
  /** Tasks behind by more than their delay_loop. */
  behind: string[];
  /** Tasks whose run has been pending longer than its bound. */
  stalled: string[];
}

export class CheckScheduler {
  private tasks = new Map<string, Task>();
  private heap: Task[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  /** Due time of the armed clock timer. */
  private timerDue = Infinity;
  private maxLagSinceTake = 0;
  private behindSinceTake = new Set<string>();

  constructor(private readonly clock: Clock) {}

  get size(): number { return this.tasks.size; }
  has(id: string): boolean { return this.tasks.has(id); }

  /** Adds (or replaces) a task; its first run is `firstInMs` from now, unless it starts paused. */
  add(id: string, spec: TaskSpec, firstInMs: number, paused = false): void {
    this.remove(id);
    const t: Task = { id, spec, gen: 0, pos: -1, seq: 0, paused };
    this.tasks.set(id, t);
    if (!paused) this.arm(t, firstInMs);
  }

  remove(id: string): void {
    const t = this.tasks.get(id);
    if (!t) return;
    this.disarm(t);
    t.gen++;
    this.tasks.delete(id);
  }

  /** Stops running the task (ha_suspend); a run in flight settles but is not followed by another. */
  pause(id: string): void {
    const t = this.tasks.get(id);
    if (!t || t.paused) return;
    t.paused = true;
    t.gen++;
    this.disarm(t);
  }

  resume(id: string, inMs: number): void {
    const t = this.tasks.get(id);
    if (!t || !t.paused) return;
    t.paused = false;
    this.arm(t, inMs);
  }

  isPaused(id: string): boolean { return this.tasks.get(id)?.paused ?? false; }

  /** Stops every task. */
  clear(): void { for (const id of [...this.tasks.keys()]) this.remove(id); }

  /** Lag and stalls since the last call (the watchdog and the behind-schedule warning read this). */
  takeHealth(): SchedulerHealth {
    const now = this.clock.now();
    let maxLagMs = this.maxLagSinceTake;
    const behind = new Set(this.behindSinceTake);
    const stalled: string[] = [];
    for (const t of this.tasks.values()) {
      if (t.due !== undefined && now > t.due) {
        const lag = now - t.due;
        maxLagMs = Math.max(maxLagMs, lag);
        if (lag > t.spec.delayLoopMs) behind.add(t.id);
      }
      if (t.runningSince !== undefined && now - t.runningSince > t.spec.maxRunMs) stalled.push(t.id);
    }
    this.maxLagSinceTake = 0;
    this.behindSinceTake.clear();
    return { maxLagMs, behind: [...behind], stalled };
  }

  private arm(t: Task, inMs: number): void {
    t.due = this.clock.now() + Math.max(0, inMs);
    t.seq = ++this.seq;
    this.push(t);
    this.rearm();
  }

  private disarm(t: Task): void {
    if (t.pos >= 0) { this.removeAt(t.pos); this.rearm(); }
    t.due = undefined;
    t.runningSince = undefined;
  }

  /** Keeps the one clock timer set for the earliest due task. */
  private rearm(): void {
    const top = this.heap[0];
    const due = top ? top.due! : Infinity;
    if (due === this.timerDue) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerDue = due;
    if (!top) return;
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock.now();
    // Only what is due now: tasks armed by the runs started here wait for a later firing.
    const due: Task[] = [];
    while (this.heap.length && this.heap[0]!.due! <= now) due.push(this.removeAt(0));
    for (const t of due) {
      const lag = now - t.due!;
      t.due = undefined;
      if (lag > this.maxLagSinceTake) this.maxLagSinceTake = lag;
      if (lag > t.spec.delayLoopMs) this.behindSinceTake.add(t.id);
      this.start(t, now);
    }
    this.rearm();
  }

  private start(t: Task, now: number): void {
    const gen = t.gen;
    t.runningSince = now;
    let p: Promise<number | undefined>;
    try { p = t.spec.run(); } catch { p = Promise.resolve(t.spec.delayLoopMs); }
    // One reaction for both outcomes (a rejected run comes back after delay_loop): no second
    // promise per run, as `.then(undefined, f).then(g)` makes.
    p.then((next) => this.settled(t, gen, next), () => this.settled(t, gen, t.spec.delayLoopMs));
  }

  private settled(t: Task, gen: number, next: number | undefined): void {
    if (t.gen === gen) t.runningSince = undefined;
    if (t.gen !== gen || t.paused || this.tasks.get(t.id) !== t || next === undefined) return;
    this.arm(t, next);
  }

  // A binary min-heap on (due, seq) whose entries know their position, so that removing a paused
  // or replaced task is O(log n) without a search.
  private less(a: Task, b: Task): boolean { return a.due! < b.due! || (a.due === b.due && a.seq < b.seq); }

  private push(t: Task): void {
    t.pos = this.heap.length;
    this.heap.push(t);
    this.up(t.pos);
  }

  private removeAt(i: number): Task {
    const h = this.heap;
    const t = h[i]!;
    const last = h.pop()!;
    if (last !== t) {
      h[i] = last;
      last.pos = i;
      this.down(i);
      this.up(last.pos);
    }
    t.pos = -1;
    return t;
  }

  private up(i: number): void {
    const h = this.heap;
    const t = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(t, h[p]!)) break;
      h[i] = h[p]!; h[i]!.pos = i; i = p;
    }
    h[i] = t; t.pos = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const t = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && this.less(h[l + 1]!, h[l]!) ? l + 1 : l;
      if (!this.less(h[c]!, t)) break;
      h[i] = h[c]!; h[i]!.pos = i; i = c;
    }
    h[i] = t; t.pos = i;
  }
}
