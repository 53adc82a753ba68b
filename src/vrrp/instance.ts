// Runs one VRRP instance: feeds validated packets, timers, tracker changes and shutdown to the pure
// machine (machine.ts) and performs its actions through the ports. Synchronous actions (send,
// timers) happen at once; address changes, announcements and notifications go through one ordered
// queue per instance, so "advertise, add VIPs, announce, notify" and "remove VIPs" never reorder.
import { encodeVrrp, passAuthData, VRRP_AUTH_NONE, VRRP_AUTH_PASS, type ChecksumMode } from '../codec/vrrp.js';
import type { VrrpInstance } from '../config/model.js';
import { VipError } from '../lib/errors.js';
import { addrEqual, formatIP, parseIP } from '../lib/ip.js';
import type { AddressManager, AddressSpec } from '../ports/addresses.js';
import type { Announcer } from '../ports/announcer.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { VrrpDatagram, VrrpTransport } from '../ports/vrrp-transport.js';
import { combine, type TrackBinding } from '../track/binding.js';
import { refreshRounds, takeoverRounds } from './garp-schedule.js';
import {
  initialMachineState, step, type MachineAction, type MachineConfig, type MachineEvent, type MachineState,
  type TimerName, type TransitionReason, type VrrpState,
} from './machine.js';
import { effectivePriority } from './priority.js';
import { DROP_REASONS, validateAdvert, type DropReason, type ReceiveConfig } from './validate.js';

export interface Transition {
  instance: string;
  vrid: number;
  iface: string;
  from: VrrpState;
  to: VrrpState;
  reason: TransitionReason;
  priority: number;
}

export interface InstanceDeps {
  clock: Clock;
  transport: VrrpTransport;
  addresses: AddressManager;
  announcer: Announcer;
  /** Bound to {instance, vrid, iface}. */
  logger: Logger;
  /** Own source address (unicast_src_ip, or the interface's primary / link-local address). */
  srcAddr: string;
  /** Where advertisements go: the multicast group, or every unicast peer. */
  destinations: string[];
  /** Trackers (interfaces, scripts, files) with this instance's weights. */
  tracking?: TrackBinding[];
}

type Counter = DropReason | 'own' | 'send-error';

/** Below this distance to Master_Down the timer is armed precise (the clock polls the last ms). */
const PRECISE_WINDOW_MS = 3;

export class Instance {
  private cfg: MachineConfig;
  private rx: ReceiveConfig;
  private m: MachineState;
  private handles = new Map<TimerName, { h: TimerHandle; at: number }>();
  private effects: Promise<void> = Promise.resolve();
  /** Bumped on every transition so timers of an older mastership (GARP rounds) do nothing. */
  private epoch = 0;
  private garpTimers = new Set<TimerHandle>();
  private faults = new Set<string>();
  private unsubs: (() => void)[] = [];
  private src: Uint8Array;
  private dsts: Uint8Array[];
  private advertCache = new Map<number, Buffer[]>();
  private transitionFns: ((t: Transition) => void)[] = [];
  private notifyFns: ((t: Transition) => Promise<void> | void)[] = [];
  readonly counters: Record<Counter, number> & { received: number; sent: number } = {
    ...Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>, own: 0, 'send-error': 0, received: 0, sent: 0,
  };

  constructor(readonly spec: VrrpInstance, private deps: InstanceDeps) {
    this.src = parseIP(deps.srcAddr).addr;
    this.dsts = deps.destinations.map((d) => parseIP(d).addr);
    this.cfg = {
      version: spec.version,
      priority: spec.priority,
      advertIntervalCs: Math.round(spec.advertIntervalMs / 10),
      initialState: spec.state,
      nopreempt: !spec.preempt,
      preemptDelayMs: spec.preemptDelayMs,
      primaryAddr: this.src,
    };
    this.rx = {
      version: spec.version, family: spec.family, vrid: spec.vrid, advertIntervalCs: this.cfg.advertIntervalCs,
      checksumMode: spec.v3ChecksumAsV2 ? 'plain' : 'pseudo-header',
      auth: spec.authPass !== undefined ? { type: 'pass', password: spec.authPass } : { type: 'none' },
      ...(spec.unicastPeers.length ? { allowedPeers: spec.unicastPeers.map((p) => parseIP(p.address).addr) } : {}),
    };
    this.m = initialMachineState(this.cfg);
  }

  get name(): string { return this.spec.name; }
  get state(): VrrpState { return this.m.state; }
  get priority(): number { return this.m.effectivePriority; }
  get machine(): MachineState { return this.m; }
  get faulted(): boolean { return this.faults.size > 0; }

  /** Called synchronously on every state change (logging, sync groups). */
  onTransition(fn: (t: Transition) => void): void { this.transitionFns.push(fn); }
  /** Called in action order, after VIPs and announcements (notify scripts). */
  onNotify(fn: (t: Transition) => Promise<void> | void): void { this.notifyFns.push(fn); }

  /** Subscribes to trackers and the socket, removes stale VIPs unless becoming master, starts. */
  start(): void {
    this.deps.transport.onReceive((d) => this.guard('receive', () => this.receive(d)));
    for (const b of this.deps.tracking ?? []) this.unsubs.push(b.source.onChange(() => this.guard('tracking', () => this.retrack())));
    this.retrack(true);
    const r = step(this.cfg, this.m, { type: 'startup' }, this.deps.clock.now());
    // A crashed run may have left our VIPs on the interface: remove them unless we take over now.
    if (r.state.state !== 'MASTER') this.enqueue(() => this.removeStale());
    this.apply(r.state, r.actions);
  }

  /** Leaves: priority-0 advert and VIP removal when master, notify stop; resolves when done. */
  async stop(): Promise<void> {
    this.feed({ type: 'shutdown' });
    for (const u of this.unsubs.splice(0)) u();
    for (const { h } of this.handles.values()) this.deps.clock.clearTimer(h);
    this.handles.clear();
    this.clearGarp();
    await this.effects;
    this.deps.transport.close();
  }

  /** Waits for queued address changes and notifications (tests, reload). */
  settled(): Promise<void> { return this.effects; }

  /** A fault that does not come from this instance's trackers (a sync group peer). */
  setExternalFault(name: string, on: boolean): void {
    const had = this.faults.size > 0;
    if (on) this.faults.add(name); else this.faults.delete(name);
    this.faultEdge(had);
  }

  /**
   * Sync groups: moves a BACKUP member to MASTER now, or a MASTER member to BACKUP silently (no
   * step-down advert); other states ignore it. The machine stays the only state owner.
   */
  syncTo(target: 'MASTER' | 'BACKUP'): void { this.feed({ type: 'syncGroup', to: target }); }

  // ---------------------------------------------------------------- inputs

  private receive(d: VrrpDatagram): void {
    this.counters.received++;
    if (addrEqual(d.src, this.src)) { this.counters.own++; return; }
    const v = validateAdvert(this.rx, d);
    if (!v.ok) {
      this.counters[v.reason]++;
      this.deps.logger.debug({ drop: v.reason, src: formatIP(d.src) }, 'advertisement dropped');
      return;
    }
    const a = v.advert;
    this.feed({ type: 'advertReceived', priority: a.priority, primaryAddr: d.src, maxAdvertIntervalCs: a.version === 2 ? a.interval * 100 : a.interval });
  }

  private fire(timer: TimerName): void {
    this.handles.delete(timer);
    // Timing under load: adverts that arrived while we were descheduled are still in the socket.
    // Read them first so a live master is seen before the down timer is acted upon.
    if (timer === 'masterDown') {
      try { for (const d of this.deps.transport.drain()) this.receive(d); } catch (e) {
        this.deps.logger.warn(errFields(e), 'draining the socket failed');
      }
    }
    const at = this.m.timers[timer];
    // setTimeout has 1 ms granularity and may fire a fraction early against the monotonic clock.
    const now = this.deps.clock.now();
    this.feedAt({ type: 'timer', timer }, timer !== 'masterDown' && at !== undefined && at - now < 1 ? Math.max(at, now) : now);
  }

  private retrack(initial = false): void {
    const c = combine(this.deps.tracking ?? []);
    const had = this.faults.size > 0;
    for (const f of [...this.faults]) if (f.startsWith('track:')) this.faults.delete(f);
    for (const f of c.faulty) this.faults.add(`track:${f}`);
    const p = effectivePriority(this.spec.priority, c.delta);
    if (p !== this.m.effectivePriority) {
      this.deps.logger.info({ priority: p, base: this.spec.priority }, 'effective priority changed');
      if (initial) this.m = { ...this.m, effectivePriority: p };
      else this.feed({ type: 'priorityChanged', effective: p });
    }
    if (initial) { if (this.faults.size) this.m = step(this.cfg, this.m, { type: 'fault' }, this.deps.clock.now()).state; return; }
    this.faultEdge(had);
  }

  private faultEdge(had: boolean): void {
    const has = this.faults.size > 0;
    if (has && !had) this.feed({ type: 'fault', reason: [...this.faults].join(',') });
    else if (!has && had) this.feed({ type: 'faultCleared' });
  }

  private feed(ev: MachineEvent): void { this.feedAt(ev, this.deps.clock.now()); }

  private feedAt(ev: MachineEvent, now: number): void {
    const r = step(this.cfg, this.m, ev, now);
    this.apply(r.state, r.actions);
  }

  // ---------------------------------------------------------------- actions

  private apply(next: MachineState, actions: MachineAction[]): void {
    this.m = next;
    for (const a of actions) {
      switch (a.type) {
        case 'sendAdvert': this.sendAdvert(a.priority); break;
        case 'armTimer': this.arm(a.timer, a.at); break;
        case 'cancelTimer': this.cancel(a.timer); break;
        case 'addVips': this.enqueue(() => this.changeVips('add')); break;
        case 'removeVips': this.clearGarp(); this.enqueue(() => this.changeVips('remove')); break;
        case 'sendGarp': this.garp(a.reason); break;
        case 'notify': this.transition(a.from, a.state, a.reason); break;
        case 'adoptMasterAdvertInterval': this.deps.logger.info({ intervalCs: a.intervalCs }, 'adopting the master advertisement interval'); break;
      }
    }
  }

  private arm(timer: TimerName, at: number): void {
    // A backup re-arms Master_Down on every advert: keep a real timer that fires no later than
    // the new deadline instead of replacing it each time; when it fires early the machine re-arms.
    const cur = this.handles.get(timer);
    if (cur && cur.at <= at && timer === 'masterDown') return;
    this.cancel(timer);
    const ms = Math.max(0, at - this.deps.clock.now());
    // Master_Down firing late is failover time: near the deadline ask the clock for sub-millisecond
    // accuracy; further away wake up coarsely just before it (the machine re-arms on an early
    // delivery), so a backup whose deadline keeps moving never polls.
    let h: TimerHandle;
    const fire = (): void => this.guard(`${timer} timer`, () => this.fire(timer));
    if (timer !== 'masterDown') h = this.deps.clock.setTimer(Math.ceil(ms), fire);
    else if (ms <= PRECISE_WINDOW_MS) h = this.deps.clock.setTimer(ms, fire, true);
    else h = this.deps.clock.setTimer(Math.floor(ms - PRECISE_WINDOW_MS + 1), fire);
    this.handles.set(timer, { h, at });
  }

  private cancel(timer: TimerName): void {
    const cur = this.handles.get(timer);
    if (cur) this.deps.clock.clearTimer(cur.h);
    this.handles.delete(timer);
  }

  private sendAdvert(priority: number): void {
    let pkts = this.advertCache.get(priority);
    if (!pkts) {
      pkts = this.dsts.map((dst) => this.encode(priority, dst));
      this.advertCache.set(priority, pkts);
    }
    for (let i = 0; i < pkts.length; i++) {
      try { this.deps.transport.send(pkts[i]!, this.dsts[i]!); this.counters.sent++; } catch (e) {
        if (this.counters['send-error']++ % 100 === 0) this.deps.logger.warn(errFields(e), 'sending an advertisement failed');
      }
    }
  }

  private encode(priority: number, dst: Uint8Array): Buffer {
    const s = this.spec;
    const mode: ChecksumMode = s.v3ChecksumAsV2 ? 'plain' : 'pseudo-header';
    const addresses = s.virtualIps.filter((v) => v.family === s.family).map((v) => parseIP(v.address).addr);
    const pass = s.version === 2 && s.authPass !== undefined;
    return encodeVrrp({
      version: s.version, vrid: s.vrid, priority, addresses,
      interval: s.version === 2 ? Math.round(s.advertIntervalMs / 1000) : this.cfg.advertIntervalCs,
      authType: pass ? VRRP_AUTH_PASS : VRRP_AUTH_NONE,
      ...(pass ? { authData: passAuthData(s.authPass!) } : {}),
    }, { src: this.src, dst, mode });
  }

  private transition(from: VrrpState, to: VrrpState, reason: TransitionReason): void {
    this.epoch++;
    const t: Transition = {
      instance: this.spec.name, vrid: this.spec.vrid, iface: this.spec.interface, from, to,
      reason, priority: this.m.effectivePriority,
    };
    this.deps.logger.info({ from, to, reason, priority: t.priority }, `${from} -> ${to}`);
    // A failing listener must not cut the machine's remaining actions (the advert timer) short.
    for (const fn of this.transitionFns) this.guard('transition listener', () => fn(t));
    this.enqueue(async () => { for (const fn of this.notifyFns) await fn(t); });
  }

  private enqueue(job: () => Promise<void>): void {
    this.effects = this.effects.then(job).catch((e) => {
      this.deps.logger.error(errFields(e), 'instance side effect failed');
    });
  }

  /** Runs a callback from the outside world (socket, timer, tracker); a throw is logged, not fatal. */
  private guard(what: string, fn: () => void): void {
    try { fn(); } catch (e) {
      this.deps.logger.error({ ...errFields(e), in: what, stack: (e as Error)?.stack }, `unexpected error in ${what}`);
    }
  }

  private vipSpecs(): AddressSpec[] {
    return [...this.spec.virtualIps, ...this.spec.excludedVips].map((v) => ({
      ifname: v.dev, prefix: `${v.address}/${v.prefixLen}`, ...(v.label ? { label: v.label } : {}),
    }));
  }

  private async changeVips(op: 'add' | 'remove'): Promise<void> {
    for (const a of this.vipSpecs()) {
      try { await this.deps.addresses[op](a); } catch (e) {
        this.deps.logger.error({ vip: a.prefix, dev: a.ifname, ...errFields(e) }, `could not ${op} virtual address`);
      }
    }
  }

  private async removeStale(): Promise<void> {
    const byIf = new Map<string, string[]>();
    for (const a of this.vipSpecs()) {
      let present = byIf.get(a.ifname);
      if (!present) {
        try { present = await this.deps.addresses.list(a.ifname); } catch (e) {
          this.deps.logger.warn({ dev: a.ifname, ...errFields(e) }, 'could not list addresses to look for stale virtual addresses');
          present = [];
        }
        byIf.set(a.ifname, present);
      }
      if (!present.includes(a.prefix)) continue;
      this.deps.logger.warn({ vip: a.prefix, dev: a.ifname }, 'removing a virtual address left by an earlier run');
      try { await this.deps.addresses.remove(a); } catch (e) {
        this.deps.logger.error({ vip: a.prefix, dev: a.ifname, ...errFields(e) }, 'could not remove a stale virtual address');
      }
    }
  }

  // ---------------------------------------------------------------- gratuitous ARP / NA

  private garp(reason: 'takeover' | 'heal'): void {
    const g = this.spec.garp;
    const gap = this.spec.family === 6 ? g.gnaIntervalMs : g.intervalMs;
    const rounds = reason === 'takeover' ? takeoverRounds(g, gap)
      : takeoverRounds({ ...g, masterRepeat: g.lowerPrioRepeat, masterDelayMs: 0 }, gap);
    const epoch = this.epoch + (reason === 'takeover' ? 1 : 0); // the notify action follows in the same step
    for (const at of rounds) {
      if (at === 0) this.enqueue(() => this.announce());
      else this.garpAfter(at, epoch, () => this.enqueue(() => this.announce()));
    }
    if (reason === 'takeover' && g.masterRefreshMs > 0) this.scheduleRefresh(epoch);
  }

  private scheduleRefresh(epoch: number): void {
    const g = this.spec.garp;
    const gap = this.spec.family === 6 ? g.gnaIntervalMs : g.intervalMs;
    this.garpAfter(g.masterRefreshMs, epoch, () => {
      for (const at of refreshRounds(g, gap)) this.garpAfter(at, epoch, () => this.enqueue(() => this.announce()));
      this.scheduleRefresh(epoch);
    });
  }

  private garpAfter(ms: number, epoch: number, fn: () => void): void {
    const h = this.deps.clock.setTimer(ms, () => {
      this.garpTimers.delete(h);
      if (this.epoch === epoch && this.m.state === 'MASTER') this.guard('GARP timer', fn);
    });
    this.garpTimers.add(h);
  }

  private clearGarp(): void {
    for (const h of this.garpTimers) this.deps.clock.clearTimer(h);
    this.garpTimers.clear();
  }

  private async announce(): Promise<void> {
    const byIf = new Map<string, string[]>();
    for (const v of [...this.spec.virtualIps, ...this.spec.excludedVips]) {
      const l = byIf.get(v.dev) ?? [];
      l.push(v.address);
      byIf.set(v.dev, l);
    }
    for (const [ifname, addrs] of byIf) {
      try { await this.deps.announcer.announce(ifname, addrs); } catch (e) {
        this.deps.logger.warn({ dev: ifname, ...errFields(e) }, 'gratuitous ARP / NA failed');
      }
    }
  }
}

/** Log fields of an error: the message, and the stable code (errno name) when it has one. */
function errFields(e: unknown): { err: string; code?: string } {
  const err = e instanceof Error ? e.message : String(e);
  return e instanceof VipError ? { err, code: e.code } : { err };
}
