// Runs one VRRP instance: feeds validated packets, timers, tracker changes and shutdown to the pure
// machine (machine.ts) and performs its actions through the ports. Synchronous actions (send,
// timers) happen at once; address changes, announcements and notifications go through one ordered
// queue per instance, so "advertise, add VIPs, announce, notify" and "remove VIPs" never reorder.
import type { VrrpInstance } from '../config/model.js';
import type { AddressManager } from '../ports/addresses.js';
import type { Announcer } from '../ports/announcer.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { VrrpDatagram, VrrpTransport } from '../ports/vrrp-transport.js';
import { combine, type TrackBinding } from '../track/binding.js';
import type { InterfacePacer } from './interface-pacer.js';
import {
  initialMachineState, step, type MachineAction, type MachineConfig, type MachineEvent, type MachineState,
  type TimerName, type TransitionReason, type VrrpState,
} from './machine.js';
import { effectivePriority } from './priority.js';
import { masterDownIntervalMs } from './timers.js';
import type { ReceiveConfig } from './validate.js';
import { errFields } from './vips.js';
import { machineConfig, receiveConfig } from './instance-config.js';
import type { VirtualRoutePort } from '../ports/virtual-routes.js';
import { AdvertDedupe } from './advert-dedupe.js';
import { MachineTimers } from './machine-timers.js';
import { AdvertWire, wireCounters, type WireCounters } from './advert-wire.js';
import { MasterResources } from './master-resources.js';
import { InstanceListeners, type InstanceEvent, type Transition } from './instance-listeners.js';

export { VIP_FAULT_HOLD_MS } from './master-resources.js';
export type { InstanceEvent, Transition } from './instance-listeners.js';

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

export class Instance {
  private cfg: MachineConfig;
  private rx: ReceiveConfig;
  private m: MachineState;
  private timers: MachineTimers;
  private effects: Promise<void> = Promise.resolve();
  /** Bumped on every transition so timers of an older mastership (GARP rounds) do nothing. */
  private epoch = 0;
  private faults = new Set<string>();
  private trackUnsubs: (() => void)[] = [];
  /** VIPs, virtual routes and rules, and their GARPs while MASTER. */
  private resources: MasterResources;
  private started = false;
  private waiting = false;
  private stopped = false;
  /** Own address, destinations, AH session: the advertisements on the wire, out and in. */
  private wire: AdvertWire;
  private listeners: InstanceListeners;
  /** vrrp_startup_delay: no mastership before this clock time (given to start()). */
  private holdUntil: number | undefined;
  readonly counters: WireCounters = wireCounters();

  /** A backup's copies of the master's advert dropped in the kernel and fed at Master_Down time. */
  private readonly dedupe = new AdvertDedupe(() => this.deps.transport);

  constructor(private cur: VrrpInstance, private deps: InstanceDeps) {
    this.wire = new AdvertWire(cur, deps.srcAddr, deps.destinations, {
      clock: deps.clock, logger: deps.logger, transport: () => this.deps.transport, spec: () => this.cur,
      intervalCs: () => this.cfg.advertIntervalCs, counters: this.counters,
    });
    this.cfg = machineConfig(cur, this.wire.src);
    this.rx = receiveConfig(cur);
    this.m = initialMachineState(this.cfg);
    this.resources = new MasterResources({
      clock: deps.clock, announcer: deps.announcer, logger: deps.logger, enqueue: (j) => this.enqueue(j), spec: () => this.cur,
      current: (epoch) => this.epoch === epoch && this.m.state === 'MASTER', guard: (w, fn) => this.guard(w, fn),
      ...(deps.garpPacer ? { pacer: deps.garpPacer } : {}), rank: deps.garpRank ?? 0,
      addresses: deps.addresses, virtualRoutes: deps.virtualRoutes, master: () => this.m.state === 'MASTER',
      stopped: () => this.stopped, fault: (reason, on) => this.setFault(reason, on),
    });
    this.timers = new MachineTimers({
      clock: deps.clock, transport: () => this.deps.transport, guard: (w, fn) => this.guard(w, fn), fire: (t) => this.fire(t),
      startRepeat: (at) => this.wire.startRepeat(at, this.m.state === 'MASTER', this.m.effectivePriority),
      stopRepeat: () => this.wire.repeat.stop(), downIntervalMs: () => this.downIntervalMs(), dedupe: this.dedupe,
    });
    this.listeners = new InstanceListeners({ logger: deps.logger, guard: (w, fn) => this.guard(w, fn), enqueue: (j) => this.enqueue(j) });
  }

  /** The configuration in force (replaced by reconfigure()). */
  get spec(): VrrpInstance { return this.cur; }

  get name(): string { return this.cur.name; }
  get state(): VrrpState { return this.m.state; }
  get priority(): number { return this.m.effectivePriority; }
  get machine(): MachineState { return this.m; }
  get faulted(): boolean { return this.faults.size > 0; }
  /** Packets the transport's kernel filter dropped for this instance, by reason (never seen by receive()). */
  kernelDrops(): Readonly<Record<string, number>> { return this.wire.kernelDrops(); }

  /** Called synchronously on every state change (logging, sync groups). */
  onTransition(fn: (t: Transition) => void): () => void { return this.listeners.onTransition(fn); }
  /** Called in action order, after VIPs and announcements (notify scripts). */
  onNotify(fn: (t: Transition) => Promise<void> | void): void { this.listeners.onNotify(fn); }
  /** Called in action order for non-transition events (notify_master_rx_lower_pri, priority changes). */
  onEvent(fn: (e: InstanceEvent) => Promise<void> | void): void { this.listeners.onEvent(fn); }

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
    this.wire.setSource(srcAddr);
    this.cfg = { ...this.cfg, primaryAddr: this.wire.src };
    if (this.waiting) { this.waiting = false; this.run(); }
  }

  private run(): void {
    this.deps.transport!.onReceive((d) => this.guard('receive', () => this.receive(d)));
    this.subscribeTracking();
    this.retrack('initial');
    const r = step(this.cfg, this.m, { type: 'startup', ...(this.holdUntil !== undefined ? { holdUntil: this.holdUntil } : {}) }, this.deps.clock.now());
    // A crashed run may have left our VIPs on the interface: remove them unless we take over now.
    // Its virtual routes and rules too (as keepalived does at start); absent ones are no error.
    if (r.state.state !== 'MASTER') this.resources.removeStale();
    this.apply(r.state, r.actions);
  }

  private subscribeTracking(): void {
    for (const b of this.deps.tracking ?? []) this.trackUnsubs.push(b.source.onChange(() => this.guard('tracking', () => this.retrack('change'))));
    this.trackUnsubs.push(this.resources.watchRouting((what) => this.guard('virtual routes', () => this.routingLost(what))));
  }

  /**
   * A tracked virtual route or rule was deleted under a master: as keepalived (set_vrrp_backup) it
   * sends priority 0 so a backup takes over at once, and goes BACKUP, removing VIPs, routes and
   * rules; it reinstalls them all when it next becomes master.
   */
  private routingLost(what: string): void {
    if (this.m.state !== 'MASTER') return;
    this.deps.logger.warn({ lost: what }, `${what} was deleted: leaving MASTER (no_track would keep it)`);
    this.wire.send(0);
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
    const old = this.resources.named();
    // Copies the kernel dropped were heard under the old configuration: the machine takes them in first.
    this.feedCopies(this.deps.clock.now());
    this.cur = spec;
    this.cfg = machineConfig(spec, this.wire.src);
    this.rx = receiveConfig(spec);
    this.dedupe.clear(); // the reference was valid under the old configuration
    // AH on or off changes the wire identity (a restart), so only the key and peers change here.
    if (spec.authPass !== undefined) this.wire.ah?.rekey(spec.authPass, spec.unicastPeers.length > 0);
    // A kernel filter checks the checksum form too: it must follow an in-place change.
    this.deps.transport?.setChecksumMode?.(this.rx.checksumMode);
    this.wire.setDestinations(next.destinations);
    for (const u of this.trackUnsubs.splice(0)) u();
    this.deps = { ...this.deps, destinations: next.destinations, tracking: next.tracking };
    if (!this.started || this.waiting || this.stopped) return; // start() / attach() read the new config
    this.subscribeTracking();
    const wasMaster = this.m.state === 'MASTER';
    const epoch = this.epoch;
    this.retrack('reconfig');
    // Leaving MASTER removed what the new configuration names; what only the old one named goes too.
    if (wasMaster && (this.m.state !== 'MASTER' || this.epoch !== epoch)) this.resources.releaseOld(old);
    if (!wasMaster || this.m.state !== 'MASTER' || this.epoch !== epoch) return;
    this.resources.reload(old);
  }

  /** Leaves: priority-0 advert and VIP removal when master, notify stop; resolves when done. */
  async stop(opts: { deleted?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.waiting = false;
    this.feed({ type: 'shutdown', ...(opts.deleted ? { deleted: true } : {}) });
    for (const u of this.trackUnsubs.splice(0)) u();
    this.timers.cancelAll();
    this.wire.repeat.stop();
    this.dedupe.clear();
    this.resources.stopTimers();
    await this.effects;
    this.resources.close();
    this.deps.transport?.close();
  }

  /** Last resort at a stop that cannot finish: every VIP removed now, outside the queue. */
  releaseVips(): Promise<void> { return this.resources.releaseNow(); }

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
    const a = this.wire.open(this.rx, d);
    if (!a) return;
    const ev = { type: 'advertReceived', priority: a.priority, primaryAddr: d.src, maxAdvertIntervalCs: a.version === 2 ? a.interval * 100 : a.interval } as const;
    const now = this.deps.clock.now();
    // Copies the kernel dropped arrived before this advert: the machine hears them first.
    this.feedCopies(now);
    // Until refer() has seen what the machine makes of this advert, copies of the old reference
    // must not move the Master_Down it arms (a priority-0 advert arms Skew_Time).
    this.dedupe.unfollow();
    this.feedAt(ev, now);
    // Live: this advert re-armed Master_Down (a master the machine follows), so its copies may move the deadline.
    if (this.m.state === 'BACKUP' && !this.wire.ah) this.dedupe.refer(d, ev, now, this.m.timers.masterDown === now + this.downIntervalMs());
  }

  private fire(timer: TimerName): void {
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
    if (this.wire.repeat.running) this.m = { ...this.m, timers: { ...this.m.timers, advert: this.wire.repeat.nextSlot(now) } };
    const r = step(this.cfg, this.m, ev, now);
    this.apply(r.state, r.actions);
  }

  // ---------------------------------------------------------------- actions

  private apply(next: MachineState, actions: MachineAction[]): void {
    if (next.state !== 'BACKUP') this.dedupe.clear();
    if (next.state === 'MASTER' && this.m.state !== 'MASTER') this.wire.ah?.becomeMaster();
    this.m = next;
    for (const a of actions) {
      switch (a.type) {
        case 'sendAdvert': this.wire.send(a.priority); break;
        case 'armTimer': this.timers.arm(a.timer, a.at); break;
        case 'cancelTimer': this.timers.cancel(a.timer); break;
        case 'addVips': this.resources.install(); break;
        case 'removeVips': this.resources.release(); break;
        // the notify action of a takeover follows in the same step and bumps the epoch
        case 'sendGarp': this.resources.burst(a.reason, this.epoch + (a.reason === 'takeover' ? 1 : 0)); break;
        case 'notify': this.transition(a.from, a.state, a.reason); break;
        case 'event': this.listeners.event({ instance: this.cur.name, kind: 'masterRxLowerPri', state: this.m.state, priority: this.m.effectivePriority }); break;
        case 'priorityNotify': this.listeners.event({ instance: this.cur.name, kind: 'priority', state: a.state, priority: a.priority }); break;
        case 'adoptMasterAdvertInterval': this.deps.logger.info({ intervalCs: a.intervalCs }, 'adopting the master advertisement interval'); break;
      }
    }
    // Anything else that changes the bytes or the interval (a reload's VIPs, a longer interval)
    // applies from the next advert of the schedule, as with the timer.
    this.wire.followRepeat(this.m.state === 'MASTER', this.m.effectivePriority);
    this.timers.rewatch();
  }

  private downIntervalMs(): number { return masterDownIntervalMs(this.cfg.version, this.m.effectivePriority, this.m.masterAdverIntervalCs); }

  private transition(from: VrrpState, to: VrrpState, reason: TransitionReason): void {
    this.epoch++;
    this.listeners.transition({
      instance: this.cur.name, vrid: this.cur.vrid, iface: this.cur.interface, from, to,
      reason, priority: this.m.effectivePriority,
    });
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

  private setFault(name: string, on: boolean): void {
    const had = this.faults.size > 0;
    if (on) this.faults.add(name); else this.faults.delete(name);
    this.faultEdge(had);
  }
}
