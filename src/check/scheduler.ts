// The check scheduler: one timer per checker on the Clock port, so a slow or hung real server
// never delays another's checks. A task runs, says when it wants to run next, and is re-armed only
// after it settles (a checker never overlaps itself). It measures how late timers fire (lag) and
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
  spec: TaskSpec;
  /** Bumped by remove/pause: a run that settles for an older generation is not re-armed. */
  gen: number;
  timer?: TimerHandle;
  /** Clock time the armed timer is due. */
  due?: number;
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
  private maxLagSinceTake = 0;
  private behindSinceTake = new Set<string>();

  constructor(private readonly clock: Clock) {}

  get size(): number { return this.tasks.size; }
  has(id: string): boolean { return this.tasks.has(id); }

  /** Adds (or replaces) a task; its first run is `firstInMs` from now, unless it starts paused. */
  add(id: string, spec: TaskSpec, firstInMs: number, paused = false): void {
    this.remove(id);
    const t: Task = { spec, gen: 0, paused };
    this.tasks.set(id, t);
    if (!paused) this.arm(id, t, firstInMs);
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
    this.arm(id, t, inMs);
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
    for (const [id, t] of this.tasks) {
      if (t.due !== undefined && now > t.due) {
        const lag = now - t.due;
        maxLagMs = Math.max(maxLagMs, lag);
        if (lag > t.spec.delayLoopMs) behind.add(id);
      }
      if (t.runningSince !== undefined && now - t.runningSince > t.spec.maxRunMs) stalled.push(id);
    }
    this.maxLagSinceTake = 0;
    this.behindSinceTake.clear();
    return { maxLagMs, behind: [...behind], stalled };
  }

  private arm(id: string, t: Task, inMs: number): void {
    const gen = t.gen;
    const ms = Math.max(0, inMs);
    t.due = this.clock.now() + ms;
    t.timer = this.clock.setTimer(ms, () => {
      t.timer = undefined;
      if (t.gen !== gen || this.tasks.get(id) !== t) return;
      const now = this.clock.now();
      const lag = Math.max(0, now - (t.due ?? now));
      t.due = undefined;
      if (lag > this.maxLagSinceTake) this.maxLagSinceTake = lag;
      if (lag > t.spec.delayLoopMs) this.behindSinceTake.add(id);
      this.start(id, t, gen, now);
    });
  }

  private start(id: string, t: Task, gen: number, now: number): void {
    t.runningSince = now;
    let p: Promise<number | undefined>;
    try { p = t.spec.run(); } catch { p = Promise.resolve(t.spec.delayLoopMs); }
    p.then((next) => next, () => t.spec.delayLoopMs).then((next) => {
      if (t.gen === gen) t.runningSince = undefined;
      if (t.gen !== gen || t.paused || this.tasks.get(id) !== t || next === undefined) return;
      this.arm(id, t, next);
    });
  }

  private disarm(t: Task): void {
    if (t.timer) this.clock.clearTimer(t.timer);
    t.timer = undefined;
    t.due = undefined;
    t.runningSince = undefined;
  }
}
