// A backup hears the same advert from a live master once per interval, and at advert_int 0.01
// waking JavaScript for each costs node several times keepalived's CPU. The last advert the
// instance validated becomes the transport's reference: the kernel filter drops byte-identical
// copies, counting them and stamping the last one (src/net/vrrp-filter.ts duplicate()), and when
// the Master_Down timer comes due the instance feeds the machine that advert at the last copy's
// time. Identical bytes from the same source, to the same destination, with the same TTL,
// validate identically, so the machine ends where it would have; it is woken once per
// Master_Down interval instead of once per advert. Only in BACKUP: a master must answer each
// advert it hears, so the instance clears the reference on leaving BACKUP, and on any reload.
import type { VrrpDatagram, VrrpTransport } from '../ports/vrrp-transport.js';
import type { MachineEvent } from './machine.js';
import { sameDatagram } from './validate.js';

export class AdvertDedupe {
  private ref: { d: VrrpDatagram; ev: MachineEvent } | undefined;
  private counted = 0;
  private lastFedAt = -Infinity;
  private following = false;

  constructor(private readonly transport: () => VrrpTransport | undefined) {}

  /**
   * `d` was validated and fed as `ev` at `now` in BACKUP, right after catchUp(): it becomes the
   * reference (copied: `d` may be a view of reused memory); `live`: it re-armed Master_Down.
   */
  refer(d: VrrpDatagram, ev: MachineEvent & { type: 'advertReceived' }, now: number, live: boolean): void {
    this.lastFedAt = now;
    this.following = live;
    const t = this.transport();
    if (!t?.dedupe) return;
    if (this.ref && sameDatagram(this.ref.d, d)) return;
    // The caller took in (catchUp) the previous reference's copies just before feeding `d`.
    this.counted = t.duplicates?.().count ?? this.counted;
    const copy: VrrpDatagram = { payload: Uint8Array.from(d.payload), src: Uint8Array.from(d.src), dst: Uint8Array.from(d.dst), ttl: d.ttl };
    this.ref = { d: copy, ev: { ...ev, primaryAddr: copy.src } };
    t.dedupe(copy);
  }

  /** Copies dropped since the last look: the advert to feed and the time of the last copy, if it is news. */
  catchUp(now: number): { ev: MachineEvent; at: number } | undefined {
    const d = this.transport()?.duplicates?.();
    if (!d || d.count === this.counted) return undefined;
    this.counted = d.count;
    if (!this.ref || d.lastAgoMs === undefined) return undefined;
    const at = Math.min(now, now - d.lastAgoMs);
    if (at <= this.lastFedAt) return undefined;
    this.lastFedAt = at;
    return { ev: this.ref.ev, at };
  }

  /**
   * A reference is set and the machine re-armed Master_Down on it: copies then mean "the master
   * is alive" and the transport may move the deadline with them (watchQuiet). Not for an advert
   * the machine ignores (a lower priority it will preempt): its copies must not hold the deadline.
   */
  get live(): boolean { return this.ref !== undefined && this.following; }

  /** The transport drops copies of a reference (cleared: every advert reaches the instance). */
  get referenced(): boolean { return this.ref !== undefined; }

  /** A new advert is being fed: until refer() says, no copy holds the deadline. */
  unfollow(): void { this.following = false; }

  clear(): void {
    this.following = false;
    if (!this.ref) return;
    this.ref = undefined;
    this.transport()?.dedupe?.(undefined);
  }
}
