// A master's advertisements handed to the transport's repeat (a kernel timer and sendto in the
// addon, src/native/repeat.c): at advert_int 0.01 a JavaScript timer per advertisement costs node
// several times keepalived's CPU, while a stable master sends the same bytes every time. The
// machine still decides everything: the deadline of its advert timer starts the repeat, and each
// action that re-arms or cancels that timer (a priority change, a lower-priority master heard,
// leaving MASTER) restarts or stops it, so the wire carries what the timer would have sent.
import type { RepeatHandle, VrrpTransport } from '../ports/vrrp-transport.js';
import { nextAdvertAt } from './timers.js';

export class AdvertRepeat {
  private h: RepeatHandle | undefined;
  private pkts: readonly Uint8Array[] | undefined;
  private intervalMs = 0;
  private firstAt = 0;
  private sentBefore = 0;
  private errorsBefore = 0;

  get running(): boolean { return this.h !== undefined; }

  /**
   * Starts repeating `pkts` (one per destination) every intervalMs, the first at clock time `at`;
   * false when the transport cannot repeat (or refused: the caller then uses its own timer).
   */
  start(t: VrrpTransport | undefined, pkts: Uint8Array[], dsts: Uint8Array[], at: number, now: number, intervalMs: number,
    onError: (e: Error) => void): boolean {
    this.stop();
    if (!t?.repeat || pkts.length === 0) return false;
    try { this.h = t.repeat(pkts, dsts, at - now, intervalMs, onError); } catch { return false; }
    this.pkts = pkts;
    this.intervalMs = intervalMs;
    this.firstAt = at;
    return true;
  }

  /** The running repeat's next slot after `now`: a restart there keeps the advert schedule. */
  nextSlot(now: number): number { return now < this.firstAt ? this.firstAt : nextAdvertAt(this.firstAt, now, this.intervalMs); }

  /** Whether the running repeat sends exactly these packets (the instance caches them) at this interval. */
  sends(pkts: readonly Uint8Array[], intervalMs: number): boolean { return this.pkts === pkts && this.intervalMs === intervalMs; }

  stop(): void {
    if (!this.h) return;
    const c = this.h.stop();
    this.sentBefore += c.sent;
    this.errorsBefore += c.errors;
    this.h = undefined;
    this.pkts = undefined;
  }

  /** Packets sent and sends failed by every repeat so far. */
  get sent(): number { return this.sentBefore + (this.h ? this.h.counts().sent : 0); }
  get errors(): number { return this.errorsBefore + (this.h ? this.h.counts().errors : 0); }
}
