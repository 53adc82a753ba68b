// Runs one VRRP instance: feeds validated packets, timers, tracker changes and shutdown to the pure
// machine (machine.ts) and performs its actions through the ports. Synchronous actions (send,
// timers) happen at once; address changes, announcements and notifications go through one ordered
// queue per instance, so "advertise, add VIPs, announce, notify" and "remove VIPs" never reorder.
import { encodeVrrp, passAuthData, VRRP_AUTH_NONE, VRRP_AUTH_PASS, type ChecksumMode } from '../codec/vrrp.js';
import type { VrrpInstance } from '../config/model.js';
import { addrEqual, formatIP, parseIP } from '../lib/ip.js';
import type { AddressManager, AddressSpec } from '../ports/addresses.js';
import type { Announcer } from '../ports/announcer.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { VrrpDatagram, VrrpTransport } from '../ports/vrrp-transport.js';
import { combine, type TrackBinding } from '../track/binding.js';
import { GarpTimers } from './garp-timers.js';
import type { InterfacePacer } from './interface-pacer.js';
import {
  initialMachineState, step, type MachineAction, type MachineConfig, type MachineEvent, type MachineState,
  type TimerName, type TransitionReason, type VrrpState,
} from './machine.js';
import { effectivePriority } from './priority.js';
import { masterDownIntervalMs } from './timers.js';
import { DROP_REASONS, validateAdvert, type DropReason, type ReceiveConfig } from './validate.js';
import { errFields, specKey, VipSet, vipSpecs } from './vips.js';
import { machineConfig, receiveConfig } from './instance-config.js';
import type { VirtualRoutePort } from '../ports/virtual-routes.js';
import { routingDiff, routingOf, VirtualRouteSet } from './virtual-routes.js';
import { AhSession } from './ah-session.js';
import { AdvertRepeat } from './advert-repeat.js';
import { AdvertDedupe } from './advert-dedupe.js';
import { VRRP_AUTH_AH } from '../codec/vrrp-ah.js';

/** A VIP that cannot be added faults the instance for this long (doubling, capped) before it tries again. */
export const VIP_FAULT_HOLD_MS = { first: 2000, max: 60_000 };

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

export interface InstanceDeps {
  clock: Clock;
  /** Undefined while the source address is not usable yet: see attach(). */
  transport?: VrrpTransport;
  addresses: AddressManager;
  announcer: Announcer;
  /** Bound to {instance, vrid, iface}. */
  logger: Logger;
  /** Own source address (unicast_src_ip, or the interface's primary / link-local address). */
  srcAddr?: string;
  /** Where advertisements go: the multicast group, or every unicast peer. */
  destinations: string[];
  /** Trackers (interfaces, scripts, files) with this instance's weights. */
  tracking?: TrackBinding[];
  /** Installs virtual_routes / virtual_rules while MASTER; absent = they cannot be (logged once). */
  virtualRoutes?: VirtualRoutePort;
  /** GARP pacing shared by the daemon's instances (per interface, as keepalived); absent = own. */
  garpPacer?: InterfacePacer;
  /** The instance's index in the configuration (order of pending GARPs across instances). */
  garpRank?: number;
}

type Counter = DropReason | 'own' | 'send-error';

/** Below this distance to Master_Down the timer is armed precise (the clock polls the last ms). */
const PRECISE_WINDOW_MS = 3;

export class Instance {
  private cfg: MachineConfig;
  private rx: ReceiveConfig;
  private m: MachineState;
  /** A timer of the clock, or (a backup's Master_Down with dedupe) a quiet watch of the transport. */
  private handles = new Map<TimerName, { h?: TimerHandle; w?: { stop(): void }; quiet?: number; at: number }>();
  private effects: Promise<void> = Promise.resolve();
  /** Bumped on every transition so timers of an older mastership (GARP rounds) do nothing. */
  private epoch = 0;
  private garps: GarpTimers;
  private faults = new Set<string>();
  private trackUnsubs: (() => void)[] = [];
  private vips: VipSet;
  private routing: VirtualRouteSet;
  /** Consecutive VIP add failures (the fault hold doubles with each). */
  private vipFailures = 0;
  private vipFaultTimer: TimerHandle | undefined;
  private started = false;
  private waiting = false;
  private stopped = false;
  private src: Uint8Array;
  private dsts: Uint8Array[];
  private advertCache = new Map<number, Buffer[]>();
  /** auth_type AH: the sequence counter and IPv4 ids; adverts are sealed into IPv4 packets. */
  private ah: AhSession | undefined;
  /** One callback per timer name, made once: a master re-arms its advert timer 100 times a second. */
  private readonly timerFns: Record<TimerName, () => void> = {
    masterDown: this.timerFn('masterDown'), advert: this.timerFn('advert'), preemptDelay: this.timerFn('preemptDelay'),
  };
  private transitionFns: ((t: Transition) => void)[] = [];
  private notifyFns: ((t: Transition) => Promise<void> | void)[] = [];
  private eventFns: ((e: InstanceEvent) => Promise<void> | void)[] = [];
  /** vrrp_startup_delay: no mastership before this clock time (given to start()). */
  private holdUntil: number | undefined;
  readonly counters: Record<Counter, number> & { received: number; sent: number } = {
    ...Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>, own: 0, 'send-error': 0, received: 0, sent: 0,
  };

  /** A master's advertisements sent by the transport's repeat instead of the advert timer. */
  private readonly repeat = new AdvertRepeat();
  /** A backup's copies of the master's advert dropped in the kernel and fed at Master_Down time. */
  private readonly dedupe = new AdvertDedupe(() => this.deps.transport);

  constructor(private cur: VrrpInstance, private deps: InstanceDeps) {
    // What the repeat sent (or failed to send) counts as sent by this instance, read when read.
    let sent = 0, failed = 0;
    Object.defineProperty(this.counters, 'sent', { enumerable: true, get: () => sent + this.repeat.sent, set: (v: number) => { sent = v - this.repeat.sent; } });
    Object.defineProperty(this.counters, 'send-error', { enumerable: true, get: () => failed + this.repeat.errors, set: (v: number) => { failed = v - this.repeat.errors; } });
    this.src = deps.srcAddr ? parseIP(deps.srcAddr).addr : new Uint8Array(cur.family === 4 ? 4 : 16);
    this.dsts = deps.destinations.map((d) => parseIP(d).addr);
    this.cfg = machineConfig(cur, this.src);
    this.rx = receiveConfig(cur);
    this.m = initialMachineState(this.cfg);
    if (cur.authType === 'AH' && cur.authPass !== undefined) this.ah = new AhSession(cur.authPass, cur.unicastPeers.length > 0);
    this.vips = new VipSet({ addresses: deps.addresses, clock: deps.clock, logger: deps.logger, enqueue: (j) => this.enqueue(j) });
    this.routing = new VirtualRouteSet(deps.virtualRoutes, deps.logger);
    this.garps = new GarpTimers({
      clock: deps.clock, announcer: deps.announcer, logger: deps.logger, enqueue: (j) => this.enqueue(j), spec: () => this.cur,
      current: (epoch) => this.epoch === epoch && this.m.state === 'MASTER', guard: (w, fn) => this.guard(w, fn),
      ...(deps.garpPacer ? { pacer: deps.garpPacer } : {}), rank: deps.garpRank ?? 0,
    });
  }

  /** The configuration in force (replaced by reconfigure()). */
  get spec(): VrrpInstance { return this.cur; }

  get name(): string { return this.cur.name; }
  get state(): VrrpState { return this.m.state; }
  get priority(): number { return this.m.effectivePriority; }
  get machine(): MachineState { return this.m; }
  get faulted(): boolean { return this.faults.size > 0; }
  /** Packets the transport's kernel filter dropped for this instance, by reason (never seen by receive()). */
  kernelDrops(): Readonly<Record<string, number>> {
    const t = this.deps.transport;
    // Copies of the reference advert are received packets too (status adds every entry to `received`).
    return { ...t?.kernelDrops?.(), ...(t?.duplicates ? { duplicate: t.duplicates().count } : {}) };
  }

  /** Called synchronously on every state change (logging, sync groups). */
  onTransition(fn: (t: Transition) => void): () => void {
    this.transitionFns.push(fn);
    return () => { this.transitionFns = this.transitionFns.filter((x) => x !== fn); };
  }
  /** Called in action order, after VIPs and announcements (notify scripts). */
  onNotify(fn: (t: Transition) => Promise<void> | void): void { this.notifyFns.push(fn); }
  /** Called in action order for non-transition events (notify_master_rx_lower_pri, priority changes). */
  onEvent(fn: (e: InstanceEvent) => Promise<void> | void): void { this.eventFns.push(fn); }

  /** True while start() was called but no usable source address exists yet (state INIT). */
  get waitingForSource(): boolean { return this.waiting; }

  /**
   * Subscribes to trackers and the socket, removes stale VIPs unless becoming master, starts.
   * Without a transport yet (the source address is absent or tentative) it stays in INIT until
   * attach() provides one.
   */
  start(opts: { holdUntil?: number } = {}): void {
    this.started = true;
    this.holdUntil = opts.holdUntil;
    if (!this.deps.transport) { this.waiting = true; return; }
    this.run();
  }

  /** The source address became usable: take it and its transport, and start if asked to. */
  attach(srcAddr: string, transport: VrrpTransport): void {
    if (this.deps.transport || this.stopped) { transport.close(); return; }
    this.deps = { ...this.deps, srcAddr, transport };
    this.src = parseIP(srcAddr).addr;
    this.cfg = { ...this.cfg, primaryAddr: this.src };
    this.advertCache.clear();
    if (this.waiting) { this.waiting = false; this.run(); }
  }

  private run(): void {
    this.deps.transport!.onReceive((d) => this.guard('receive', () => this.receive(d)));
    this.subscribeTracking();
    this.retrack('initial');
    const r = step(this.cfg, this.m, { type: 'startup', ...(this.holdUntil !== undefined ? { holdUntil: this.holdUntil } : {}) }, this.deps.clock.now());
    // A crashed run may have left our VIPs on the interface: remove them unless we take over now.
    // Its virtual routes and rules too (as keepalived does at start); absent ones are no error.
    if (r.state.state !== 'MASTER') {
      this.enqueue(() => this.vips.removeStale(this.vipSpecs()));
      this.enqueue(async () => { await this.routing.remove(routingOf(this.cur)); });
    }
    this.apply(r.state, r.actions);
  }

  private subscribeTracking(): void {
    for (const b of this.deps.tracking ?? []) this.trackUnsubs.push(b.source.onChange(() => this.guard('tracking', () => this.retrack('change'))));
    this.trackUnsubs.push(this.routing.watch(routingOf(this.cur), () => this.m.state === 'MASTER', (what) => this.guard('virtual routes', () => this.routingLost(what))));
  }

  /**
   * A tracked virtual route or rule was deleted under a master: as keepalived (set_vrrp_backup) it
   * sends priority 0 so a backup takes over at once, and goes BACKUP, removing VIPs, routes and
   * rules; it reinstalls them all when it next becomes master.
   */
  private routingLost(what: string): void {
    if (this.m.state !== 'MASTER') return;
    this.deps.logger.warn({ lost: what }, `${what} was deleted: leaving MASTER (no_track would keep it)`);
    this.sendAdvert(0);
    this.feed({ type: 'syncGroup', to: 'BACKUP' });
  }

  /**
   * Reload in place: a configuration with the same wire identity (interface, VRID, family,
   * version, unicast or multicast, source) replaces the running one without a restart. Priority,
   * interval and preempt go to the machine (configChanged); a master adds and removes only the
   * VIPs that changed (GARP for the added ones); trackers are re-bound (kept sources keep their
   * counters); auth, checksum mode, peers and GARP timings apply from the next packet.
   */
  reconfigure(spec: VrrpInstance, next: { destinations: string[]; tracking: TrackBinding[] }): void {
    const oldVips = this.vipSpecs();
    const oldRouting = routingOf(this.cur);
    // Copies the kernel dropped were heard under the old configuration: the machine takes them in first.
    this.feedCopies(this.deps.clock.now());
    this.cur = spec;
    this.cfg = machineConfig(spec, this.src);
    this.rx = receiveConfig(spec);
    this.dedupe.clear(); // the reference was valid under the old configuration
    // AH on or off changes the wire identity (a restart), so only the key and peers change here.
    if (spec.authPass !== undefined) this.ah?.rekey(spec.authPass, spec.unicastPeers.length > 0);
    // A kernel filter checks the checksum form too: it must follow an in-place change.
    this.deps.transport?.setChecksumMode?.(this.rx.checksumMode);
    this.dsts = next.destinations.map((d) => parseIP(d).addr);
    this.advertCache.clear();
    for (const u of this.trackUnsubs.splice(0)) u();
    this.deps = { ...this.deps, destinations: next.destinations, tracking: next.tracking };
    if (!this.started || this.waiting || this.stopped) return; // start() / attach() read the new config
    this.subscribeTracking();
    const wasMaster = this.m.state === 'MASTER';
    const epoch = this.epoch;
    this.retrack('reconfig');
    if (wasMaster && (this.m.state !== 'MASTER' || this.epoch !== epoch)) {
      // Leaving MASTER removed what the new configuration names; what only the old one named goes too.
      const gone = routingDiff(routingOf(spec), oldRouting), keep = new Set(this.vipSpecs().map(specKey));
      this.enqueue(async () => { await this.routing.remove(gone); });
      const goneVips = oldVips.filter((a) => !keep.has(specKey(a)));
      if (goneVips.length) this.enqueue(() => this.vips.remove(goneVips));
    }
    if (!wasMaster || this.m.state !== 'MASTER' || this.epoch !== epoch) return;
    const now = new Set(this.vipSpecs().map(specKey));
    const before = new Set(oldVips.map(specKey));
    const removed = oldVips.filter((a) => !now.has(specKey(a)));
    const added = this.vipSpecs().filter((a) => !before.has(specKey(a)));
    const goneRouting = routingDiff(routingOf(spec), oldRouting), newRouting = routingDiff(oldRouting, routingOf(spec));
    this.enqueue(async () => { await this.routing.remove(goneRouting); });
    if (removed.length) this.enqueue(() => this.vips.remove(removed));
    if (added.length) {
      this.enqueue(() => this.addVips(added));
      this.enqueue(() => this.garps.announce(added.map((a) => ({ dev: a.ifname, address: a.prefix.split('/')[0]! }))));
    }
    this.enqueue(async () => { await this.routing.install(newRouting); });
  }

  /** Leaves: priority-0 advert and VIP removal when master, notify stop; resolves when done. */
  async stop(opts: { deleted?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.waiting = false;
    this.feed({ type: 'shutdown', ...(opts.deleted ? { deleted: true } : {}) });
    for (const u of this.trackUnsubs.splice(0)) u();
    for (const t of [...this.handles.keys()]) this.cancel(t);
    this.repeat.stop();
    this.dedupe.clear();
    this.garps.clear();
    if (this.vipFaultTimer) this.deps.clock.clearTimer(this.vipFaultTimer);
    await this.effects;
    this.vips.close();
    this.deps.transport?.close();
  }

  /** Last resort at a stop that cannot finish: every VIP removed now, outside the queue. */
  async releaseVips(): Promise<void> {
    await this.routing.remove(routingOf(this.cur));
    await this.vips.removeNow(this.vipSpecs());
  }

  /** Waits for queued address changes and notifications (tests, reload). */
  settled(): Promise<void> { return this.effects; }

  /** A fault that does not come from this instance's trackers (a sync group peer). */
  setExternalFault(name: string, on: boolean): void { this.setFault(name, on); }

  /** Fault reasons present now (tracker, sync group, VIP), for logs and sync group rebuilds. */
  get faultReasons(): string[] { return [...this.faults]; }

  /**
   * Sync groups: moves a BACKUP member to MASTER now, or a MASTER member to BACKUP silently (no
   * step-down advert); other states ignore it. The machine stays the only state owner.
   */
  syncTo(target: 'MASTER' | 'BACKUP'): void { this.feed({ type: 'syncGroup', to: target }); }

  // ---------------------------------------------------------------- inputs

  private receive(d: VrrpDatagram): void {
    this.counters.received++;
    if (addrEqual(d.src, this.src)) { this.counters.own++; return; }
    const v = this.ah ? this.ah.open(this.rx, d) : validateAdvert(this.rx, d);
    if (!v.ok) {
      this.counters[v.reason]++;
      this.deps.logger.debug({ drop: v.reason, src: formatIP(d.src) }, 'advertisement dropped');
      return;
    }
    const a = v.advert;
    const ev = { type: 'advertReceived', priority: a.priority, primaryAddr: d.src, maxAdvertIntervalCs: a.version === 2 ? a.interval * 100 : a.interval } as const;
    const now = this.deps.clock.now();
    // Copies the kernel dropped arrived before this advert: the machine hears them first.
    this.feedCopies(now);
    // Until refer() has seen what the machine makes of this advert, copies of the old reference
    // must not move the Master_Down it arms (a priority-0 advert arms Skew_Time).
    this.dedupe.unfollow();
    this.feedAt(ev, now);
    // Live: this advert re-armed Master_Down (a master the machine follows), so its copies may move the deadline.
    if (this.m.state === 'BACKUP' && !this.ah) this.dedupe.refer(d, ev, now, this.m.timers.masterDown === now + this.downIntervalMs());
  }

  private fire(timer: TimerName): void {
    this.handles.delete(timer);
    // Timing under load: adverts that arrived while we were descheduled are still in the socket.
    // Read them first so a live master is seen before the down timer is acted upon.
    if (timer === 'masterDown') {
      try { for (const d of this.deps.transport!.drain()) this.receive(d); } catch (e) {
        this.deps.logger.warn(errFields(e), 'draining the socket failed');
      }
      // And the copies the kernel dropped meanwhile: the master was alive at the last one.
      this.feedCopies(this.deps.clock.now());
    }
    const at = this.m.timers[timer];
    // setTimeout has 1 ms granularity and may fire a fraction early against the monotonic clock.
    const now = this.deps.clock.now();
    this.feedAt({ type: 'timer', timer }, timer !== 'masterDown' && at !== undefined && at - now < 1 ? Math.max(at, now) : now);
  }

  private retrack(mode: 'initial' | 'change' | 'reconfig'): void {
    const c = combine(this.deps.tracking ?? []);
    const had = this.faults.size > 0;
    for (const f of [...this.faults]) if (f.startsWith('track:')) this.faults.delete(f);
    for (const f of c.faulty) this.faults.add(`track:${f}`);
    const p = effectivePriority(this.cur.priority, c.delta);
    if (p !== this.m.effectivePriority) this.deps.logger.info({ priority: p, base: this.cur.priority }, 'effective priority changed');
    if (mode === 'initial') {
      this.m = { ...this.m, effectivePriority: p };
      if (this.faults.size) this.m = step(this.cfg, this.m, { type: 'fault' }, this.deps.clock.now()).state;
      return;
    }
    if (mode === 'reconfig') this.feed({ type: 'configChanged', effective: p });
    else if (p !== this.m.effectivePriority) {
      // The copies the kernel dropped were heard at the old priority; at the new one the machine
      // may discard that master's adverts (and preempt), so the next one must reach it.
      this.feedCopies(this.deps.clock.now());
      this.dedupe.clear();
      this.feed({ type: 'priorityChanged', effective: p });
    }
    this.faultEdge(had);
  }

  private faultEdge(had: boolean): void {
    const has = this.faults.size > 0;
    if (has && !had) this.feed({ type: 'fault', reason: [...this.faults].join(',') });
    else if (!has && had) this.feed({ type: 'faultCleared' });
  }

  private feed(ev: MachineEvent): void { this.feedAt(ev, this.deps.clock.now()); }

  /** The reference advert at the time of its last copy the kernel dropped, if that is news (AdvertDedupe). */
  private feedCopies(now: number): void {
    const caught = this.dedupe.catchUp(now);
    if (caught) this.feedAt(caught.ev, caught.at);
  }

  private feedAt(ev: MachineEvent, now: number): void {
    // The repeat sent what the advert timer would have: the machine's deadline moves along with it.
    if (this.repeat.running) this.m = { ...this.m, timers: { ...this.m.timers, advert: this.repeat.nextSlot(now) } };
    const r = step(this.cfg, this.m, ev, now);
    this.apply(r.state, r.actions);
  }

  // ---------------------------------------------------------------- actions

  private apply(next: MachineState, actions: MachineAction[]): void {
    if (next.state !== 'BACKUP') this.dedupe.clear();
    if (next.state === 'MASTER' && this.m.state !== 'MASTER') this.ah?.becomeMaster();
    this.m = next;
    for (const a of actions) {
      switch (a.type) {
        case 'sendAdvert': this.sendAdvert(a.priority); break;
        case 'armTimer': this.arm(a.timer, a.at); break;
        case 'cancelTimer': this.cancel(a.timer); break;
        case 'addVips': this.enqueue(() => this.addVips(this.vipSpecs())); this.enqueue(async () => { await this.routing.install(routingOf(this.cur)); }); break;
        case 'removeVips':
          this.garps.clear();
          this.enqueue(async () => { await this.routing.remove(routingOf(this.cur)); });
          this.enqueue(() => this.vips.remove(this.vipSpecs(), this.stopped ? [50] : undefined));
          break;
        // the notify action of a takeover follows in the same step and bumps the epoch
        case 'sendGarp': this.garps.burst(a.reason, this.epoch + (a.reason === 'takeover' ? 1 : 0)); break;
        case 'notify': this.transition(a.from, a.state, a.reason); break;
        case 'event': this.event({ instance: this.cur.name, kind: 'masterRxLowerPri', state: this.m.state, priority: this.m.effectivePriority }); break;
        case 'priorityNotify': this.event({ instance: this.cur.name, kind: 'priority', state: a.state, priority: a.priority }); break;
        case 'adoptMasterAdvertInterval': this.deps.logger.info({ intervalCs: a.intervalCs }, 'adopting the master advertisement interval'); break;
      }
    }
    // Anything else that changes the bytes or the interval (a reload's VIPs, a longer interval)
    // applies from the next advert of the schedule, as with the timer.
    if (this.repeat.running && !this.repeat.sends(this.advertPackets(this.m.effectivePriority), this.cfg.advertIntervalCs * 10)) {
      this.repeatAdverts(this.repeat.nextSlot(this.deps.clock.now()));
    }
    // A quiet watch moves Master_Down by the interval it was given: a new one (an adopted advert
    // interval, a changed priority's skew) needs a new watch, from the deadline last armed, and
    // copies no longer followed (dedupe cleared) a plain timer.
    const md = this.handles.get('masterDown');
    if (md?.w && (md.quiet !== this.downIntervalMs() || !this.dedupe.referenced)) { this.cancel('masterDown'); this.arm('masterDown', md.at); }
  }

  /** The advert timer of a master as the transport's repeat; false: the caller arms a timer. */
  private repeatAdverts(at: number): boolean {
    if (this.ah || this.m.state !== 'MASTER') { this.repeat.stop(); return false; }
    return this.repeat.start(this.deps.transport, this.advertPackets(this.m.effectivePriority), this.dsts, at, this.deps.clock.now(),
      this.cfg.advertIntervalCs * 10, (e) => this.deps.logger.warn(errFields(e), 'sending an advertisement failed'));
  }

  private arm(timer: TimerName, at: number): void {
    // A backup re-arms Master_Down on every advert: keep a real timer that fires no later than
    // the new deadline instead of replacing it each time; when it fires early the machine re-arms.
    // (Not a quiet watch: copies have moved its deadline past the `at` it was given.)
    const cur = this.handles.get(timer);
    if (cur?.h && cur.at <= at && timer === 'masterDown') return;
    this.cancel(timer);
    if (timer === 'advert' && this.repeatAdverts(at)) return;
    const ms = Math.max(0, at - this.deps.clock.now());
    // Master_Down firing late is failover time: near the deadline ask the clock for sub-millisecond
    // accuracy; further away wake up coarsely just before it (the machine re-arms on an early
    // delivery), so a backup whose deadline keeps moving never polls.
    let h: TimerHandle;
    const fire = this.timerFns[timer];
    if (timer !== 'masterDown') h = this.deps.clock.setTimer(Math.ceil(ms), fire);
    else if (ms <= PRECISE_WINDOW_MS) h = this.deps.clock.setTimer(ms, fire, true);
    else {
      // A live master's copies are dropped in the kernel: the transport's watch moves this
      // deadline with them and wakes us only when it comes near (src/vrrp/advert-dedupe.ts).
      const quiet = this.downIntervalMs();
      const w = this.dedupe.live ? this.deps.transport?.watchQuiet?.(ms, quiet, PRECISE_WINDOW_MS - 1, fire) : undefined;
      if (w) { this.handles.set(timer, { w, quiet, at }); return; }
      h = this.deps.clock.setTimer(Math.floor(ms - PRECISE_WINDOW_MS + 1), fire);
    }
    this.handles.set(timer, { h, at });
  }

  private downIntervalMs(): number { return masterDownIntervalMs(this.cfg.version, this.m.effectivePriority, this.m.masterAdverIntervalCs); }

  private timerFn(timer: TimerName): () => void {
    const what = `${timer} timer`;
    const fire = (): void => this.fire(timer);
    return () => this.guard(what, fire);
  }

  private cancel(timer: TimerName): void {
    if (timer === 'advert') this.repeat.stop();
    const cur = this.handles.get(timer);
    if (cur?.h) this.deps.clock.clearTimer(cur.h);
    cur?.w?.stop();
    this.handles.delete(timer);
  }

  private advertPackets(priority: number): Buffer[] {
    let pkts = this.advertCache.get(priority);
    if (!pkts) {
      pkts = this.dsts.map((dst) => this.encode(priority, dst));
      this.advertCache.set(priority, pkts);
    }
    return pkts;
  }

  private sendAdvert(priority: number): void {
    const pkts = this.advertPackets(priority);
    for (let i = 0; i < pkts.length; i++) {
      // AH: the cached VRRP message goes out in an IPv4 packet with the next sequence number.
      const pkt = this.ah ? this.ah.seal(pkts[i]!, this.src, this.dsts[i]!) : pkts[i]!;
      try { this.deps.transport!.send(pkt, this.dsts[i]!); this.counters.sent++; } catch (e) {
        if (this.counters['send-error']++ % 100 === 0) this.deps.logger.warn(errFields(e), 'sending an advertisement failed');
      }
    }
  }

  private encode(priority: number, dst: Uint8Array): Buffer {
    const s = this.cur;
    const mode: ChecksumMode = s.v3ChecksumAsV2 ? 'plain' : 'pseudo-header';
    const addresses = s.virtualIps.filter((v) => v.family === s.family).map((v) => parseIP(v.address).addr);
    const pass = s.version === 2 && s.authPass !== undefined;
    return encodeVrrp({
      version: s.version, vrid: s.vrid, priority, addresses,
      interval: s.version === 2 ? Math.round(s.advertIntervalMs / 1000) : this.cfg.advertIntervalCs,
      // AH leaves the message's auth data zero: the ICV in the AH header authenticates it.
      authType: pass ? (this.ah ? VRRP_AUTH_AH : VRRP_AUTH_PASS) : VRRP_AUTH_NONE,
      ...(pass && !this.ah ? { authData: passAuthData(s.authPass!) } : {}),
    }, { src: this.src, dst, mode });
  }

  private transition(from: VrrpState, to: VrrpState, reason: TransitionReason): void {
    this.epoch++;
    const t: Transition = {
      instance: this.cur.name, vrid: this.cur.vrid, iface: this.cur.interface, from, to,
      reason, priority: this.m.effectivePriority,
    };
    this.deps.logger.info({ from, to, reason, priority: t.priority }, `${from} -> ${to}`);
    // A failing listener must not cut the machine's remaining actions (the advert timer) short.
    for (const fn of this.transitionFns) this.guard('transition listener', () => fn(t));
    this.enqueue(async () => { for (const fn of this.notifyFns) await fn(t); });
  }

  private event(e: InstanceEvent): void {
    if (e.kind === 'masterRxLowerPri') this.deps.logger.info({ priority: e.priority }, 'master received a lower-priority advertisement');
    if (this.eventFns.length) this.enqueue(async () => { for (const fn of this.eventFns) await fn(e); });
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

  private vipSpecs(): AddressSpec[] { return vipSpecs([...this.cur.virtualIps, ...this.cur.excludedVips]); }

  /**
   * Adds VIPs (quick retries inside VipSet). One that cannot be added is a FAULT reason: the
   * instance leaves MASTER so the peer can hold the address, and after a hold (doubling) the
   * fault clears and the election decides again, so a VIP that can be added later is.
   */
  private async addVips(specs: AddressSpec[]): Promise<void> {
    const failed = await this.vips.add(specs);
    if (!failed.length) { this.vipFailures = 0; return; }
    if (this.stopped || this.m.state !== 'MASTER') return;
    const holdMs = Math.min(VIP_FAULT_HOLD_MS.first * 2 ** this.vipFailures++, VIP_FAULT_HOLD_MS.max);
    const reason = `vip:${failed.map((f) => `${f.spec.prefix}@${f.spec.ifname}`).join(',')}`;
    this.deps.logger.error({ vips: failed.map((f) => f.spec.prefix), ...errFields(failed[0]!.err), holdMs }, 'virtual address cannot be added: instance in FAULT');
    this.guard('vip fault', () => this.setFault(reason, true));
    if (this.vipFaultTimer) this.deps.clock.clearTimer(this.vipFaultTimer);
    this.vipFaultTimer = this.deps.clock.setTimer(holdMs, () => {
      this.vipFaultTimer = undefined;
      this.guard('vip fault timer', () => this.setFault(reason, false));
    });
  }

  private setFault(name: string, on: boolean): void {
    const had = this.faults.size > 0;
    if (on) this.faults.add(name); else this.faults.delete(name);
    this.faultEdge(had);
  }
}
