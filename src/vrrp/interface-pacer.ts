// The run-time side of garp-pacer.ts: one per daemon, shared by every instance, so that the
// gratuitous ARPs / NAs of all instances on one interface are spaced by garp_interval /
// gna_interval as keepalived spaces them. One timer, armed for the next pending message.
import type { Clock, TimerHandle } from '../ports/clock.js';
import { dropOwner, due, emptyPacer, offer, type PacedAddress, type PacerResult, type PacerState } from './garp-pacer.js';

export type Deliver = (dev: string, addresses: string[]) => void;

/** One instance's mastership as the pacer sees it. */
export interface PacerMember {
  /** One round of addresses: sent now where the interface is free, else pending. */
  offer(addrs: readonly PacedAddress[], gaps: { arp: number; na: number }): void;
  /** Drops what is still pending (the mastership ended). */
  leave(): void;
}

export class InterfacePacer {
  private s: PacerState = emptyPacer();
  private timer: TimerHandle | undefined;
  private timerAt: number | undefined;
  private nextOwner = 1;
  private members = new Map<number, Deliver>();

  constructor(private readonly clock: Clock) {}

  /** `rank` orders the instances' pending messages (configuration order, as keepalived's list). */
  join(rank: number, deliver: Deliver): PacerMember {
    const owner = this.nextOwner++;
    this.members.set(owner, deliver);
    return {
      offer: (addrs, gaps) => {
        if (this.members.has(owner)) this.apply(offer(this.s, this.clock.now(), { owner, rank }, addrs, gaps));
      },
      leave: () => {
        this.members.delete(owner);
        this.s = dropOwner(this.s, owner);
        // An armed timer for others' messages stays; with nothing pending it goes.
        if (this.s.pending.length === 0) this.arm(undefined);
      },
    };
  }

  /** Pending messages (for tests and status). */
  pendingCount(): number { return this.s.pending.length; }

  close(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.s = emptyPacer();
    this.members.clear();
  }

  private apply(r: PacerResult): void {
    this.s = r.state;
    for (const m of r.sends) this.members.get(m.owner)?.(m.dev, m.addresses);
    this.arm(r.wakeAtMs);
  }

  private arm(at: number | undefined): void {
    if (at === this.timerAt && (at === undefined || this.timer)) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = undefined;
      // Early by a fraction of a millisecond: due() sends nothing and the timer is armed again.
      this.apply(due(this.s, this.clock.now()));
    });
  }
}
