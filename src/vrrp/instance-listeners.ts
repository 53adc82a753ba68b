// Who hears about one instance's state changes and other events, and when: transition listeners
// at once, notify and event listeners in action order on the instance's queue (after the VIPs and
// announcements queued before them).
import type { Logger } from '../ports/logger.js';
import type { TransitionReason, VrrpState } from './machine.js';

export interface Transition {
  instance: string;
  vrid: number;
  iface: string;
  from: VrrpState;
  to: VrrpState;
  reason: TransitionReason;
  priority: number;
}

/** Not a transition: a master heard a lower priority, or the effective priority changed. */
export interface InstanceEvent {
  instance: string;
  kind: 'masterRxLowerPri' | 'priority';
  state: VrrpState;
  priority: number;
}

export interface ListenerDeps {
  logger: Logger;
  /** Runs a callback from the outside world; a throw is logged, not fatal (Instance.guard). */
  guard(what: string, fn: () => void): void;
  /** Runs a job in the instance's ordered effect queue. */
  enqueue(job: () => Promise<void>): void;
}

export class InstanceListeners {
  private transitionFns: ((t: Transition) => void)[] = [];
  private notifyFns: ((t: Transition) => Promise<void> | void)[] = [];
  private eventFns: ((e: InstanceEvent) => Promise<void> | void)[] = [];

  constructor(private readonly d: ListenerDeps) {}

  onTransition(fn: (t: Transition) => void): () => void {
    this.transitionFns.push(fn);
    return () => { this.transitionFns = this.transitionFns.filter((x) => x !== fn); };
  }
  onNotify(fn: (t: Transition) => Promise<void> | void): void { this.notifyFns.push(fn); }
  onEvent(fn: (e: InstanceEvent) => Promise<void> | void): void { this.eventFns.push(fn); }

  transition(t: Transition): void {
    const { from, to, reason } = t;
    this.d.logger.info({ from, to, reason, priority: t.priority }, `${from} -> ${to}`);
    // A failing listener must not cut the machine's remaining actions (the advert timer) short.
    for (const fn of this.transitionFns) this.d.guard('transition listener', () => fn(t));
    this.d.enqueue(async () => { for (const fn of this.notifyFns) await fn(t); });
  }

  event(e: InstanceEvent): void {
    if (e.kind === 'masterRxLowerPri') this.d.logger.info({ priority: e.priority }, 'master received a lower-priority advertisement');
    if (this.eventFns.length) this.d.enqueue(async () => { for (const fn of this.eventFns) await fn(e); });
  }
}
