// The machine's timers (Master_Down, advert, preempt delay) as one instance runs them: clock
// timers, except a master's advert timer, which the transport's repeat stands in for where it
// can, and a backup's Master_Down, which a quiet watch of the transport may carry.
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { VrrpTransport } from '../ports/vrrp-transport.js';
import type { TimerName } from './machine.js';

/** Below this distance to Master_Down the timer is armed precise (the clock polls the last ms). */
const PRECISE_WINDOW_MS = 3;

export interface MachineTimerDeps {
  clock: Clock;
  transport(): VrrpTransport | undefined;
  /** Runs a callback from the outside world; a throw is logged, not fatal (Instance.guard). */
  guard(what: string, fn: () => void): void;
  /** Timer `timer` is due. */
  fire(timer: TimerName): void;
  /** The advert timer as the transport's repeat from clock time `at`; false: a clock timer. */
  startRepeat(at: number): boolean;
  stopRepeat(): void;
  /** The Master_Down interval now (how far each copy of the master's advert moves the deadline). */
  downIntervalMs(): number;
  /** The instance's AdvertDedupe: `live`, copies move Master_Down; `referenced`, copies are dropped at all. */
  dedupe: { readonly live: boolean; readonly referenced: boolean };
}

export class MachineTimers {
  /** A timer of the clock, or (a backup's Master_Down with dedupe) a quiet watch of the transport. */
  private handles = new Map<TimerName, { h?: TimerHandle; w?: { stop(): void }; quiet?: number; at: number }>();
  /** One callback per timer name, made once: a master re-arms its advert timer 100 times a second. */
  private readonly timerFns: Record<TimerName, () => void> = {
    masterDown: this.timerFn('masterDown'), advert: this.timerFn('advert'), preemptDelay: this.timerFn('preemptDelay'),
  };

  constructor(private readonly d: MachineTimerDeps) {}

  arm(timer: TimerName, at: number): void {
    // A backup re-arms Master_Down on every advert: keep a real timer that fires no later than
    // the new deadline instead of replacing it each time; when it fires early the machine re-arms.
    // (Not a quiet watch: copies have moved its deadline past the `at` it was given.)
    const cur = this.handles.get(timer);
    if (cur?.h && cur.at <= at && timer === 'masterDown') return;
    this.cancel(timer);
    if (timer === 'advert' && this.d.startRepeat(at)) return;
    const ms = Math.max(0, at - this.d.clock.now());
    // Master_Down firing late is failover time: near the deadline ask the clock for sub-millisecond
    // accuracy; further away wake up coarsely just before it (the machine re-arms on an early
    // delivery), so a backup whose deadline keeps moving never polls.
    let h: TimerHandle;
    const fire = this.timerFns[timer];
    if (timer !== 'masterDown') h = this.d.clock.setTimer(Math.ceil(ms), fire);
    else if (ms <= PRECISE_WINDOW_MS) h = this.d.clock.setTimer(ms, fire, true);
    else {
      // A live master's copies are dropped in the kernel: the transport's watch moves this
      // deadline with them and wakes us only when it comes near (src/vrrp/advert-dedupe.ts).
      const quiet = this.d.downIntervalMs();
      const w = this.d.dedupe.live ? this.d.transport()?.watchQuiet?.(ms, quiet, PRECISE_WINDOW_MS - 1, fire) : undefined;
      if (w) { this.handles.set(timer, { w, quiet, at }); return; }
      h = this.d.clock.setTimer(Math.floor(ms - PRECISE_WINDOW_MS + 1), fire);
    }
    this.handles.set(timer, { h, at });
  }

  cancel(timer: TimerName): void {
    if (timer === 'advert') this.d.stopRepeat();
    const cur = this.handles.get(timer);
    if (cur?.h) this.d.clock.clearTimer(cur.h);
    cur?.w?.stop();
    this.handles.delete(timer);
  }

  cancelAll(): void { for (const t of [...this.handles.keys()]) this.cancel(t); }

  /** After the machine's actions: Master_Down on a quiet watch that no longer fits is armed again. */
  rewatch(): void {
    // A quiet watch moves Master_Down by the interval it was given: a new one (an adopted advert
    // interval, a changed priority's skew) needs a new watch, from the deadline last armed, and
    // copies no longer followed (dedupe cleared) a plain timer.
    const md = this.handles.get('masterDown');
    if (md?.w && (md.quiet !== this.d.downIntervalMs() || !this.d.dedupe.referenced)) { this.cancel('masterDown'); this.arm('masterDown', md.at); }
  }

  private timerFn(timer: TimerName): () => void {
    const what = `${timer} timer`;
    const fire = (): void => { this.handles.delete(timer); this.d.fire(timer); };
    return () => this.d.guard(what, fire);
  }
}
