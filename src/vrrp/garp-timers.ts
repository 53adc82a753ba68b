// Gratuitous ARP / unsolicited NA of one instance: the takeover bursts, the lower-priority ("heal")
// bursts and the periodic refresh (garp-schedule.ts: bursts and rounds), all on the instance's
// ordered queue. garp_interval spacing is per interface, shared with the other instances on it
// (InterfacePacer). Each burst belongs to one mastership (epoch): a message of an older one does nothing.
import type { VrrpInstance } from '../config/model.js';
import type { Announcer } from '../ports/announcer.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { bursts, type GarpAddress, type GarpReason } from './garp-schedule.js';
import { InterfacePacer, type PacerMember } from './interface-pacer.js';
import { errFields } from './vips.js';

export interface GarpDeps {
  clock: Clock;
  announcer: Announcer;
  logger: Logger;
  enqueue(job: () => Promise<void>): void;
  /** The configuration in force (a reload may change the GARP timings and the VIPs). */
  spec(): VrrpInstance;
  /** Whether mastership `epoch` is still the current one. */
  current(epoch: number): boolean;
  guard(what: string, fn: () => void): void;
  /** The daemon's pacer, shared by the instances (absent: this instance paces alone). */
  pacer?: InterfacePacer;
  /** The instance's place in the configuration (keepalived sends pending ARPs in that order). */
  rank?: number;
}

export class GarpTimers {
  private timers = new Set<TimerHandle>();
  private readonly pacer: InterfacePacer;
  private member: PacerMember | undefined;
  private epoch = -1;
  /** Sends made while offering belong to the burst being started (its epoch may not be current yet). */
  private offering = false;

  constructor(private d: GarpDeps) {
    this.pacer = d.pacer ?? new InterfacePacer(d.clock);
  }

  /** The bursts for mastership `epoch`: 'takeover' (plus the refresh) or 'heal'. */
  burst(reason: 'takeover' | 'heal', epoch: number): void {
    if (epoch !== this.epoch) this.leave();
    this.epoch = epoch;
    this.schedule(reason, epoch);
    const g = this.d.spec().garp;
    if (reason === 'takeover' && g.masterRefreshMs > 0) this.refresh(epoch);
  }

  clear(): void {
    for (const h of this.timers) this.d.clock.clearTimer(h);
    this.timers.clear();
    this.leave();
  }

  /** Announces the instance's addresses now (or only `only`, e.g. VIPs added by a reload). */
  async announce(only?: { dev: string; address: string }[]): Promise<void> {
    const s = this.d.spec();
    const byIf = new Map<string, string[]>();
    for (const v of only ?? [...s.virtualIps, ...s.excludedVips]) {
      const l = byIf.get(v.dev) ?? [];
      l.push(v.address);
      byIf.set(v.dev, l);
    }
    for (const [ifname, addrs] of byIf) {
      try { await this.d.announcer.announce(ifname, addrs); } catch (e) {
        this.d.logger.warn({ dev: ifname, ...errFields(e) }, 'gratuitous ARP / NA failed');
      }
    }
  }

  private schedule(reason: GarpReason, epoch: number): void {
    const s = this.d.spec();
    const addrs: GarpAddress[] = [...s.virtualIps, ...s.excludedVips].map((v) => ({ dev: v.dev, address: v.address, family: v.family }));
    const gaps = { arp: s.garp.intervalMs, na: s.garp.gnaIntervalMs };
    for (const b of bursts(s.garp, reason)) {
      const rounds = (): void => {
        this.offering = true;
        try { for (let i = 0; i < b.repeat; i++) this.joined().offer(addrs, gaps); } finally { this.offering = false; }
      };
      if (b.atMs <= 0) rounds(); else this.after(b.atMs, epoch, rounds);
    }
  }

  private joined(): PacerMember {
    this.member ??= this.pacer.join(this.d.rank ?? 0, (dev, addresses) => {
      if (!this.offering && !this.d.current(this.epoch)) return;
      const only = addresses.map((address) => ({ dev, address }));
      this.d.guard('GARP', () => this.d.enqueue(() => this.announce(only)));
    });
    return this.member;
  }

  private leave(): void {
    this.member?.leave();
    this.member = undefined;
  }

  private refresh(epoch: number): void {
    this.after(this.d.spec().garp.masterRefreshMs, epoch, () => {
      this.schedule('refresh', epoch);
      this.refresh(epoch);
    });
  }

  private after(ms: number, epoch: number, fn: () => void): void {
    const h = this.d.clock.setTimer(ms, () => {
      this.timers.delete(h);
      if (this.d.current(epoch)) this.d.guard('GARP timer', fn);
    });
    this.timers.add(h);
  }
}
