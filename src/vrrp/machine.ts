// The VRRP state machine of one instance, pure: step(cfg, state, event, now) -> { state, actions }.
//
// CONTRACT (for the runtime that drives it)
// - `now` is milliseconds from a monotonic clock (src/lib/monotonic.ts or a fake clock). Deadlines in
//   actions are absolute times on that same clock and may carry a fraction (218.75 ms).
// - Start with `initialMachineState(cfg)` (state INIT), then feed `{type:'startup'}`. With
//   `holdUntil` (vrrp_startup_delay) the instance runs as BACKUP and its Master_Down / preempt
//   waits only start counting at that time (keepalived arms them from vrrp_delayed_start_time:
//   alone, it becomes master at delay + Master_Down_Interval). A restart without it drops the hold.
// - Perform the returned actions IN ORDER. They are data:
//     sendAdvert {priority}      send one advertisement with this priority (0 = "I am leaving");
//                                may appear outside MASTER: a master stepping down sends one last
//                                advert (cfg.stepDownAdvert), Fault and shutdown send priority 0
//     armTimer {timer, at}       (re)arm the named one-shot timer for absolute time `at`; one timer
//                                per name, arming replaces the previous deadline
//     cancelTimer {timer}        disarm it (harmless when not armed)
//     addVips / removeVips       add or remove the instance's virtual (and excluded) addresses
//     sendGarp {reason}          gratuitous ARP / unsolicited NA burst; 'takeover' on becoming
//                                master, 'heal' when a master hears a lower-priority master
//     notify {state, from, reason}  the instance entered `state` (log {from,to,reason}, run scripts)
//     event {event}              not a transition: 'masterRxLowerPri' when a master hears a lower
//                                priority (notify_master_rx_lower_pri, FIFO MASTER_RX_LOWER_PRI)
//     priorityNotify {state, priority}  the effective priority changed (notify_priority_changes)
//     adoptMasterAdvertInterval {intervalCs}  v3 backup now uses the master's interval (RFC 5798 §6.4.2)
// - The advert timer is on an absolute schedule: when it fires at `now` (>= its deadline), the
//   next deadline is the deadline plus the interval (nextAdvertAt), so a timer that fires late does
//   not make every later advert late too. Feed the deadline itself as `now` when the timer fired
//   only a fraction of a millisecond early (setTimeout's granularity), as instance.ts does.
// - When a timer fires, feed `{type:'timer', timer}`. A timer event for a timer the machine does
//   not consider armed is ignored (stale); one delivered early is re-armed, never acted on.
// - Before feeding a masterDown timer, the runtime should first drain advertisements already
//   queued on the socket (issue 4, "timing under load"); the machine then sees them in order.
// - advertReceived carries fields of a packet that passed validate.ts (right VRID, auth,
//   checksum...). primaryAddr is the packet's IP source; maxAdvertIntervalCs is the interval from
//   the packet in centiseconds (v2: seconds * 100). Own packets must not be fed back.
// - priorityChanged carries the effective priority (the runtime computes base + weights and
//   clamps it to 1..254; an owner stays 255). The machine enforces the same bounds (and ignores a
//   non-finite value). A master advertises the change at once.
// - fault / faultCleared: the runtime aggregates its fault sources (tracked interface down, a
//   weight-0 tracker failing) and sends fault when the first appears, faultCleared when the last goes.
// - syncGroup {to}: a sync group moves this member (BACKUP -> MASTER at once, MASTER -> BACKUP
//   silently); ignored in other states. Reason 'sync-group'.
// - configChanged {effective}: a reload changed this instance in place (priority, interval,
//   preempt settings). Feed it with the NEW cfg and the new effective priority. A master
//   advertises a changed priority at once (a master no longer highest then loses the election by
//   the protocol, not by a restart) and brings a shortened advert timer forward; a backup that
//   became the address owner takes over; a backup no longer allowed to preempt drops its
//   preempt_delay timer. Nothing else moves: no advert gap, no VIP change.
// - shutdown: priority-0 advert and removeVips when master, then STOPPED; later events are ignored
//   except startup, which begins again as from INIT. `deleted` (a reload removed the instance)
//   only changes the reason to 'deleted', so the runtime can notify FAULT or DELETED (notify_deleted).
// The machine never throws on an event that does not apply to its state; it returns no actions.

import { compareAddr } from '../lib/ip.js';
import { masterDownIntervalMs, nextAdvertAt, skewTimeMs, type VrrpVersion } from './timers.js';

export type { VrrpVersion } from './timers.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOPPED';
export type TimerName = 'masterDown' | 'advert' | 'preemptDelay';

/** Why a transition happened (notify reason, log field). */
export type TransitionReason =
  | 'startup'            // INIT -> BACKUP (or FAULT when a fault was already present)
  | 'owner'              // priority 255: straight to MASTER
  | 'master-down'        // Master_Down_Timer expired: no advertisement heard
  | 'master-stopped'     // Master_Down_Timer (Skew_Time) expired after a priority-0 advert
  | 'preempt'            // preempt_delay elapsed with a lower-priority master still in charge
  | 'higher-priority'    // a master heard a better master (priority, then primary address)
  | 'fault'
  | 'fault-cleared'
  | 'sync-group'         // moved by its sync group (another member changed state)
  | 'shutdown'
  | 'deleted';           // stopped because a reload removed the instance

export interface MachineConfig {
  version: VrrpVersion;
  /** Configured (base) priority: 1..254, or 255 for the address owner. */
  priority: number;
  /** Own Advertisement_Interval in centiseconds (v2: a multiple of 100). */
  advertIntervalCs: number;
  /** keepalived `state`: MASTER only shortens the first master-down wait (keepalived does the same). */
  initialState: 'BACKUP' | 'MASTER';
  /** keepalived `nopreempt`; honoured only with initialState BACKUP, as keepalived documents. */
  nopreempt: boolean;
  /** keepalived `preempt_delay` in ms (0 = none). */
  preemptDelayMs: number;
  /** Own primary address (the advertisement source), for the equal-priority tie-break. */
  primaryAddr: Uint8Array;
  /**
   * keepalived `higher_prio_send_advert`: a master that loses to a better advert sends one last
   * advert at its own priority before stepping down, so the winner hears a lower priority and
   * re-sends its GARPs. Default true here (keepalived's default is off; off under vrrp_strict).
   */
  stepDownAdvert?: boolean;
  /**
   * keepalived `lower_prio_no_advert` (on under vrrp_strict): a master hearing a lower priority
   * does not answer with an advert of its own, as RFC 3768/5798 §6.4.3 says (discard it); the
   * 'heal' GARPs and the masterRxLowerPri event still happen (keepalived, vrrp_state_master_rx).
   */
  lowerPrioNoAdvert?: boolean;
}

export interface MachineState {
  readonly state: VrrpState;
  readonly effectivePriority: number;
  /** Master_Adver_Interval (cs): the master's interval while backup (v3), else own. */
  readonly masterAdverIntervalCs: number;
  /** Primary address and priority of the master last accepted while BACKUP. */
  readonly masterAddr: Uint8Array | undefined;
  readonly masterPriority: number | undefined;
  /** A fault condition is present (reported by the runtime). */
  readonly faulted: boolean;
  /** The last priority-0 advert armed the down timer with Skew_Time (reason master-stopped). */
  readonly masterStopped: boolean;
  /** Deadlines of the timers the machine has armed (absolute ms). */
  readonly timers: Readonly<Partial<Record<TimerName, number>>>;
  /** vrrp_startup_delay: no mastership before this time (absolute ms). */
  readonly holdUntil?: number;
}

export type MachineEvent =
  | { type: 'startup'; holdUntil?: number }
  | { type: 'shutdown'; deleted?: boolean }
  | { type: 'advertReceived'; priority: number; primaryAddr: Uint8Array; maxAdvertIntervalCs: number }
  | { type: 'timer'; timer: TimerName }
  | { type: 'priorityChanged'; effective: number }
  /** A reload changed the configuration in place; step() is called with the new cfg. */
  | { type: 'configChanged'; effective: number }
  | { type: 'fault'; reason?: string }
  | { type: 'faultCleared' }
  /** Sync groups (keepalived vrrp_sync_group): follow another member to MASTER or BACKUP now. */
  | { type: 'syncGroup'; to: 'MASTER' | 'BACKUP' };

export type GarpReason = 'takeover' | 'heal';

export type MachineAction =
  | { type: 'sendAdvert'; priority: number }
  | { type: 'armTimer'; timer: TimerName; at: number }
  | { type: 'cancelTimer'; timer: TimerName }
  | { type: 'addVips' }
  | { type: 'removeVips' }
  | { type: 'sendGarp'; reason: GarpReason }
  | { type: 'notify'; state: VrrpState; from: VrrpState; reason: TransitionReason }
  | { type: 'event'; event: 'masterRxLowerPri' }
  | { type: 'priorityNotify'; state: VrrpState; priority: number }
  | { type: 'adoptMasterAdvertInterval'; intervalCs: number };

export interface StepResult {
  state: MachineState;
  actions: MachineAction[];
}

export const PRIORITY_OWNER = 255;
export const PRIORITY_STOP = 0;

export function initialMachineState(cfg: MachineConfig): MachineState {
  return {
    state: 'INIT',
    effectivePriority: cfg.priority,
    masterAdverIntervalCs: cfg.advertIntervalCs,
    masterAddr: undefined,
    masterPriority: undefined,
    faulted: false,
    masterStopped: false,
    timers: {},
  };
}

/** True when this instance may preempt a lower-priority master. */
export function preemptEnabled(cfg: MachineConfig): boolean {
  return !(cfg.nopreempt && cfg.initialState === 'BACKUP');
}

/** One transition. Pure: the inputs are not modified. */
export function step(cfg: MachineConfig, s: MachineState, ev: MachineEvent, now: number): StepResult {
  const b = new Builder(s, now);
  switch (ev.type) {
    case 'startup': onStartup(cfg, b, now, ev.holdUntil); break;
    case 'shutdown': onShutdown(b, ev.deleted === true); break;
    case 'advertReceived': onAdvert(cfg, b, ev, now); break;
    case 'timer': onTimer(cfg, b, ev.timer, now); break;
    case 'priorityChanged': onPriority(cfg, b, ev.effective, now); break;
    case 'configChanged': onConfigChanged(cfg, b, ev.effective, now); break;
    case 'fault': onFault(b); break;
    case 'faultCleared': onFaultCleared(cfg, b, now); break;
    case 'syncGroup': onSyncGroup(cfg, b, ev.to, now); break;
  }
  return { state: b.s, actions: b.actions };
}

/** Accumulates the next state and the actions; keeps timer bookkeeping in one place. */
class Builder {
  actions: MachineAction[] = [];
  constructor(public s: MachineState, private now: number) {}
  set(patch: Partial<MachineState>): void { this.s = { ...this.s, ...patch }; }
  push(a: MachineAction): void { this.actions.push(a); }
  arm(timer: TimerName, at: number): void {
    // vrrp_startup_delay: a wait that could make us master starts counting when the hold ends.
    const hold = this.s.holdUntil;
    if (hold !== undefined && timer !== 'advert' && this.now < hold) at = hold + (at - this.now);
    this.s = { ...this.s, timers: { ...this.s.timers, [timer]: at } };
    this.push({ type: 'armTimer', timer, at });
  }
  cancel(timer: TimerName): void {
    if (this.s.timers[timer] === undefined) return;
    const timers = { ...this.s.timers };
    delete timers[timer];
    this.s = { ...this.s, timers };
    this.push({ type: 'cancelTimer', timer });
  }
  cancelAll(): void { for (const t of ['masterDown', 'advert', 'preemptDelay'] as const) this.cancel(t); }
  transition(to: VrrpState, reason: TransitionReason): void {
    const from = this.s.state;
    this.set({ state: to });
    this.push({ type: 'notify', state: to, from, reason });
  }
}

function downInterval(cfg: MachineConfig, s: MachineState): number {
  return masterDownIntervalMs(cfg.version, s.effectivePriority, s.masterAdverIntervalCs);
}

// RFC 3768/5798 §6.4.1 and §6.4.2 "transition to Master": advertise first, then take the
// addresses, announce them, tell the world, and start the advertisement timer.
function becomeMaster(cfg: MachineConfig, b: Builder, now: number, reason: TransitionReason): void {
  b.cancel('masterDown');
  b.cancel('preemptDelay');
  b.set({ masterAddr: undefined, masterPriority: undefined, masterStopped: false, masterAdverIntervalCs: cfg.advertIntervalCs });
  b.push({ type: 'sendAdvert', priority: b.s.effectivePriority });
  b.push({ type: 'addVips' });
  b.push({ type: 'sendGarp', reason: 'takeover' });
  b.transition('MASTER', reason);
  b.arm('advert', now + cfg.advertIntervalCs * 10);
}

/** Leaves MASTER (for BACKUP, FAULT or STOPPED): stop advertising and give the addresses back. */
function leaveMaster(b: Builder, sendStop: boolean): void {
  b.cancel('advert');
  if (sendStop) b.push({ type: 'sendAdvert', priority: PRIORITY_STOP });
  b.push({ type: 'removeVips' });
}

function enterBackup(cfg: MachineConfig, b: Builder, now: number, reason: TransitionReason, firstWaitMs?: number): void {
  b.set({ masterAdverIntervalCs: cfg.advertIntervalCs, masterStopped: false });
  b.transition('BACKUP', reason);
  b.arm('masterDown', now + (firstWaitMs ?? downInterval(cfg, b.s)));
}

function comeUp(cfg: MachineConfig, b: Builder, now: number, reason: TransitionReason): void {
  const held = b.s.holdUntil !== undefined && now < b.s.holdUntil;
  if (cfg.priority === PRIORITY_OWNER && !held) { becomeMaster(cfg, b, now, 'owner'); return; }
  let firstWait: number | undefined;
  // keepalived: a non-owner configured `state MASTER` waits one interval plus the minimal skew
  // before claiming mastership, instead of the full Master_Down_Interval.
  if (reason === 'startup' && cfg.initialState === 'MASTER') {
    firstWait = cfg.advertIntervalCs * 10 + skewTimeMs(cfg.version, PRIORITY_OWNER, cfg.advertIntervalCs);
  }
  enterBackup(cfg, b, now, reason, firstWait);
}

function onStartup(cfg: MachineConfig, b: Builder, now: number, holdUntil: number | undefined): void {
  if (b.s.state !== 'INIT' && b.s.state !== 'STOPPED') return;
  b.set({ masterAddr: undefined, masterPriority: undefined, holdUntil: holdUntil !== undefined && Number.isFinite(holdUntil) && holdUntil > now ? holdUntil : undefined });
  if (b.s.faulted) { b.transition('FAULT', 'fault'); return; }
  comeUp(cfg, b, now, 'startup');
}

function onShutdown(b: Builder, deleted: boolean): void {
  const from = b.s.state;
  if (from === 'STOPPED') return;
  b.cancelAll();
  if (from === 'MASTER') leaveMaster(b, true);
  if (from === 'INIT') { b.set({ state: 'STOPPED' }); return; }
  b.transition('STOPPED', deleted ? 'deleted' : 'shutdown');
}

function onFault(b: Builder): void {
  const from = b.s.state;
  b.set({ faulted: true });
  if (from !== 'MASTER' && from !== 'BACKUP') return;
  b.cancelAll();
  // keepalived sends a priority-0 advert on the way out of Master so a backup takes over after
  // Skew_Time instead of Master_Down_Interval.
  if (from === 'MASTER') leaveMaster(b, true);
  b.set({ masterAddr: undefined, masterPriority: undefined, masterStopped: false });
  b.transition('FAULT', 'fault');
}

function onFaultCleared(cfg: MachineConfig, b: Builder, now: number): void {
  b.set({ faulted: false });
  if (b.s.state !== 'FAULT') return;
  b.set({ masterAdverIntervalCs: cfg.advertIntervalCs });
  comeUp(cfg, b, now, 'fault-cleared');
}

// keepalived moves sync group members without an election: a BACKUP member goes to MASTER at once,
// a MASTER member leaves silently (its peer's group brings the peer up). FAULT and STOPPED stay.
function onSyncGroup(cfg: MachineConfig, b: Builder, to: 'MASTER' | 'BACKUP', now: number): void {
  if (to === 'MASTER' && b.s.state === 'BACKUP') { becomeMaster(cfg, b, now, 'sync-group'); return; }
  if (to !== 'BACKUP' || b.s.state !== 'MASTER') return;
  leaveMaster(b, false);
  b.set({ masterAdverIntervalCs: cfg.advertIntervalCs, masterAddr: undefined, masterPriority: undefined, masterStopped: false });
  b.transition('BACKUP', 'sync-group');
  b.arm('masterDown', now + downInterval(cfg, b.s));
}

function onPriority(cfg: MachineConfig, b: Builder, effective: number, now: number): void {
  if (!Number.isFinite(effective)) return; // NaN would poison every advert and deadline: keep the last good value
  // RFC 3768 §5.3.4 / RFC 5798 §5.2.4: 255 is the owner's alone, backups use 1-254; an owner
  // keeps 255 whatever its trackers say (as priority.ts and keepalived do).
  const p = cfg.priority === PRIORITY_OWNER ? PRIORITY_OWNER : Math.max(1, Math.min(PRIORITY_OWNER - 1, Math.trunc(effective)));
  if (p === b.s.effectivePriority) return;
  b.set({ effectivePriority: p });
  if (b.s.state === 'MASTER') {
    // Advertise the change at once so a better backup can preempt without waiting an interval.
    b.push({ type: 'sendAdvert', priority: p });
    b.arm('advert', now + cfg.advertIntervalCs * 10);
  }
  // notify_priority_changes; not while not running (INIT, STOPPED).
  if (b.s.state !== 'INIT' && b.s.state !== 'STOPPED') b.push({ type: 'priorityNotify', state: b.s.state, priority: p });
}

function onConfigChanged(cfg: MachineConfig, b: Builder, effective: number, now: number): void {
  const before = b.s.effectivePriority;
  onPriority(cfg, b, effective, now);
  const advertedNow = b.s.state === 'MASTER' && b.s.effectivePriority !== before;
  if (b.s.state === 'MASTER') {
    b.set({ masterAdverIntervalCs: cfg.advertIntervalCs });
    const next = now + cfg.advertIntervalCs * 10;
    const at = b.s.timers.advert;
    // A shorter interval applies now; a longer one from the next advert on (no gap either way).
    if (!advertedNow && (at === undefined || at > next)) b.arm('advert', next);
  } else if (b.s.state === 'BACKUP') {
    if (cfg.priority === PRIORITY_OWNER) { becomeMaster(cfg, b, now, 'owner'); return; }
    // v2 has one interval for everyone; v3 keeps the master's, adopted from its adverts.
    if (cfg.version === 2) b.set({ masterAdverIntervalCs: cfg.advertIntervalCs });
    if (!preemptEnabled(cfg)) b.cancel('preemptDelay');
  }
}

function onTimer(cfg: MachineConfig, b: Builder, timer: TimerName, now: number): void {
  const at = b.s.timers[timer];
  if (at === undefined) return; // stale: cancelled or replaced
  if (now < at) { b.arm(timer, at); return; } // early delivery: wait for the real deadline
  if (timer === 'advert' && b.s.state === 'MASTER') {
    // The hot path (100 times a second at advert_int 0.01): re-arming replaces the deadline, so
    // the fired one need not be removed first (one state copy instead of three).
    b.push({ type: 'sendAdvert', priority: b.s.effectivePriority });
    b.arm('advert', nextAdvertAt(at, now, cfg.advertIntervalCs * 10));
    return;
  }
  const timers = { ...b.s.timers };
  delete timers[timer];
  b.set({ timers });
  if (timer === 'masterDown' && b.s.state === 'BACKUP') {
    // An owner only waits here when vrrp_startup_delay held it back.
    becomeMaster(cfg, b, now, cfg.priority === PRIORITY_OWNER ? 'owner' : b.s.masterStopped ? 'master-stopped' : 'master-down');
  } else if (timer === 'preemptDelay' && b.s.state === 'BACKUP') {
    const mp = b.s.masterPriority;
    if (preemptEnabled(cfg) && mp !== undefined && mp > 0 && mp < b.s.effectivePriority) becomeMaster(cfg, b, now, 'preempt');
  }
}

type AdvertEvent = Extract<MachineEvent, { type: 'advertReceived' }>;

function onAdvert(cfg: MachineConfig, b: Builder, ev: AdvertEvent, now: number): void {
  // Fields a validated packet cannot carry (an 8-bit priority) are ignored rather than trusted.
  if (!Number.isInteger(ev.priority) || ev.priority < 0 || ev.priority > PRIORITY_OWNER) return;
  if (b.s.state === 'MASTER') onAdvertAsMaster(cfg, b, ev, now);
  else if (b.s.state === 'BACKUP') onAdvertAsBackup(cfg, b, ev, now);
  // INIT, FAULT, STOPPED: advertisements are not processed (RFC §6.4: only Backup and Master).
}

/** RFC 3768 §6.4.3 / RFC 5798 §6.4.3: the election as seen by a master. */
export function advertWins(advPriority: number, advAddr: Uint8Array, ownPriority: number, ownAddr: Uint8Array): boolean {
  if (advPriority !== ownPriority) return advPriority > ownPriority;
  return compareAddr(advAddr, ownAddr) > 0;
}

function onAdvertAsMaster(cfg: MachineConfig, b: Builder, ev: AdvertEvent, now: number): void {
  if (ev.priority === PRIORITY_STOP) {
    // Another master is leaving: answer at once so backups keep seeing a master (§6.4.3).
    b.push({ type: 'sendAdvert', priority: b.s.effectivePriority });
    b.arm('advert', now + cfg.advertIntervalCs * 10);
    return;
  }
  if (ev.priority === b.s.effectivePriority && compareAddr(ev.primaryAddr, cfg.primaryAddr) === 0) return; // own packet
  if (advertWins(ev.priority, ev.primaryAddr, b.s.effectivePriority, cfg.primaryAddr)) {
    b.cancel('advert');
    // One last advertisement at our priority: if the winner's advert reached us before ours
    // reached it (a split brain healing in that order), the winner would never hear a lower
    // priority and never re-announce the VIPs, leaving clients on this box. Now it does.
    if (cfg.stepDownAdvert !== false) b.push({ type: 'sendAdvert', priority: b.s.effectivePriority });
    b.push({ type: 'removeVips' });
    if (cfg.version === 3) adoptInterval(b, ev.maxAdvertIntervalCs);
    b.set({ masterAddr: ev.primaryAddr, masterPriority: ev.priority, masterStopped: false });
    b.transition('BACKUP', 'higher-priority');
    b.arm('masterDown', now + downInterval(cfg, b.s));
    return;
  }
  // keepalived: a master hearing a lower-priority master (a split brain healing) re-asserts at
  // once (unless lower_prio_no_advert: the RFC discards it and the advert timer runs on) and
  // refreshes the neighbours' caches, so no client keeps the loser's MAC.
  if (!cfg.lowerPrioNoAdvert) b.push({ type: 'sendAdvert', priority: b.s.effectivePriority });
  b.push({ type: 'sendGarp', reason: 'heal' });
  // keepalived runs notify_master_rx_lower_pri here (the lower router may have taken external
  // state, e.g. a cloud secondary address, that this master must reclaim).
  b.push({ type: 'event', event: 'masterRxLowerPri' });
  if (!cfg.lowerPrioNoAdvert) b.arm('advert', now + cfg.advertIntervalCs * 10);
}

function adoptInterval(b: Builder, intervalCs: number): void {
  if (!Number.isFinite(intervalCs)) return;
  // The wire field is 12 bits (RFC 5798 §5.2.7); 0 would make Master_Down_Interval vanish.
  const cs = Math.min(0xfff, Math.max(1, Math.trunc(intervalCs)));
  if (cs === b.s.masterAdverIntervalCs) return;
  b.set({ masterAdverIntervalCs: cs });
  b.push({ type: 'adoptMasterAdvertInterval', intervalCs: cs });
}

function onAdvertAsBackup(cfg: MachineConfig, b: Builder, ev: AdvertEvent, now: number): void {
  const own = b.s.effectivePriority;
  if (ev.priority === PRIORITY_STOP) {
    // §6.4.2: the master is leaving; take over after Skew_Time only.
    b.set({ masterStopped: true, masterPriority: 0 });
    b.arm('masterDown', now + skewTimeMs(cfg.version, own, b.s.masterAdverIntervalCs));
    return;
  }
  const preempt = preemptEnabled(cfg);
  let accept = !preempt || ev.priority >= own;
  if (accept) {
    b.cancel('preemptDelay');
  } else if (cfg.preemptDelayMs > 0) {
    // preempt_delay: keep accepting a lower-priority master until the delay, counted from the
    // first such advertisement, has passed; the preemptDelay timer then takes over.
    const until = b.s.timers.preemptDelay ?? now + cfg.preemptDelayMs;
    if (b.s.timers.preemptDelay === undefined) b.arm('preemptDelay', until);
    accept = now < until;
  }
  if (!accept) return; // discard: Master_Down_Timer runs out and we preempt (§6.4.2)
  if (cfg.version === 3) adoptInterval(b, ev.maxAdvertIntervalCs);
  b.set({ masterAddr: ev.primaryAddr, masterPriority: ev.priority, masterStopped: false });
  b.arm('masterDown', now + downInterval(cfg, b.s));
}
