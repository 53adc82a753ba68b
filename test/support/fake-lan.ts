// A simulated LAN for VRRP machines under one fake clock. Each node runs the pure machine; its
// sendAdvert actions are encoded with the real codec, carried to the other nodes that can hear it
// and validated there before becoming advertReceived; timers are fake-clock timers fired in time
// order. A client on the LAN keeps a neighbour cache updated by gratuitous ARPs, so tests can
// say which box clients would send VIP traffic to.
import { FakeClock } from '../../src/ports/fake/clock.js';
import type { TimerHandle } from '../../src/ports/clock.js';
import { initialMachineState, step, type MachineAction, type MachineConfig, type MachineEvent, type MachineState, type TimerName, type TransitionReason, type VrrpState } from '../../src/vrrp/machine.js';
import { advertIntervalCs, encodeVrrp, VRRP_MCAST_V4, VRRP_MCAST_V6 } from '../../src/codec/vrrp.js';
import { validateAdvert, type DropReason } from '../../src/vrrp/validate.js';
import { parseIP } from '../../src/lib/ip.js';

export interface SimNodeOptions extends Partial<Omit<MachineConfig, 'primaryAddr'>> {
  /** The node's primary address ("10.0.0.1" or "fe80::1"). */
  addr: string;
  vrid?: number;
}

export interface Transition { t: number; node: string; from: VrrpState; to: VrrpState; reason: TransitionReason }
export interface Sent { t: number; node: string; priority: number }

export class SimNode {
  s: MachineState;
  /** True while the node's process runs (false after kill()). */
  alive = true;
  /** While paused (descheduled, stopped by GC), packets and timer expiries wait here. */
  paused = false;
  readonly queuedPackets: { payload: Uint8Array; src: Uint8Array; dst: Uint8Array }[] = [];
  readonly queuedTimers: TimerName[] = [];
  holdsVips = false;
  readonly timers = new Map<TimerName, TimerHandle>();
  readonly drops: Partial<Record<DropReason, number>> = {};
  readonly addr: Uint8Array;
  constructor(readonly name: string, readonly cfg: MachineConfig, readonly vrid: number) {
    this.s = initialMachineState(cfg);
    this.addr = cfg.primaryAddr;
  }
  get state(): VrrpState { return this.s.state; }
}

export class SimLan {
  readonly clock: FakeClock;
  readonly nodes = new Map<string, SimNode>();
  readonly transitions: Transition[] = [];
  readonly adverts: Sent[] = [];
  /** The client's neighbour cache for the VIPs: name of the node whose MAC it would use. */
  clientNeighbour: string | undefined;
  /** Pairs that cannot hear each other's VRRP (a partition that still lets GARPs reach the client). */
  private readonly blocked = new Set<string>();
  private readonly cableDown = new Set<string>();

  constructor(readonly latencyMs = 0.05, start = 0) { this.clock = new FakeClock(start); }

  get now(): number { return this.clock.now(); }

  add(name: string, o: SimNodeOptions): SimNode {
    const { addr, vrid, ...m } = o;
    const cfg: MachineConfig = {
      version: 3, priority: 100, advertIntervalCs: 100, initialState: 'BACKUP', nopreempt: false, preemptDelayMs: 0,
      ...m, primaryAddr: parseIP(addr).addr,
    };
    const n = new SimNode(name, cfg, vrid ?? 51);
    this.nodes.set(name, n);
    return n;
  }

  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Feeds an event to a node now (startup, shutdown, fault, priorityChanged ...). */
  send(name: string, ev: MachineEvent): void {
    const n = this.node(name);
    if (!n.alive) return;
    const r = step(n.cfg, n.s, ev, this.now);
    n.s = r.state;
    for (const a of r.actions) this.perform(n, a);
  }

  start(...names: string[]): void { for (const name of names) this.send(name, { type: 'startup' }); }

  /** The process dies without a word (kill -9, power loss): timers stop, nothing is sent. */
  kill(name: string): void {
    const n = this.node(name);
    for (const h of n.timers.values()) this.clock.clearTimer(h);
    n.timers.clear();
    n.alive = false;
  }

  /** The process stops running (SIGSTOP, a long GC pause, a loaded machine); the kernel still queues. */
  pause(name: string): void { this.node(name).paused = true; }

  /**
   * The process runs again. drainFirst (what the runtime must do, issue 4 "timing under load"):
   * read the advertisements queued in the socket before acting on expired timers; false models a
   * naive loop that handles its timers first.
   */
  resume(name: string, drainFirst = true): void {
    const n = this.node(name);
    n.paused = false;
    const packets = n.queuedPackets.splice(0), timers = n.queuedTimers.splice(0);
    const fire = (): void => { for (const t of timers) this.send(name, { type: 'timer', timer: t }); };
    if (!drainFirst) fire();
    for (const p of packets) this.receive(n, p);
    if (drainFirst) fire();
  }

  /** Unplugs a node: it neither sends nor hears anything (GARPs included), but keeps running. */
  setCable(name: string, up: boolean): void { if (up) this.cableDown.delete(name); else this.cableDown.add(name); }

  /** Stops VRRP between two nodes both ways (they still reach the client): split brain. */
  partition(a: string, b: string): void { this.blocked.add(pairKey(a, b)); }
  heal(a: string, b: string): void { this.blocked.delete(pairKey(a, b)); }

  /** Advances the shared clock, delivering packets and firing timers in time order. */
  run(ms: number): void { this.clock.advance(ms); }

  /** Live nodes in MASTER state (a killed node is gone whatever its last state). */
  masters(): string[] { return [...this.nodes.values()].filter((n) => n.alive && n.state === 'MASTER').map((n) => n.name); }
  /** Live nodes holding the VIPs. */
  vipHolders(): string[] { return [...this.nodes.values()].filter((n) => n.alive && n.holdsVips).map((n) => n.name); }
  transitionsOf(name: string): Transition[] { return this.transitions.filter((t) => t.node === name); }
  lastAdvertOf(name: string): Sent | undefined { return this.adverts.filter((a) => a.node === name).at(-1); }

  private perform(n: SimNode, a: MachineAction): void {
    switch (a.type) {
      case 'sendAdvert': this.broadcast(n, a.priority); break;
      case 'armTimer': this.arm(n, a.timer, a.at); break;
      case 'cancelTimer': {
        const h = n.timers.get(a.timer);
        if (h) this.clock.clearTimer(h);
        n.timers.delete(a.timer);
        break;
      }
      case 'addVips': n.holdsVips = true; break;
      case 'removeVips': n.holdsVips = false; break;
      case 'sendGarp': if (!this.cableDown.has(n.name)) this.clientNeighbour = n.name; break;
      case 'notify': this.transitions.push({ t: this.now, node: n.name, from: a.from, to: a.state, reason: a.reason }); break;
      case 'adoptMasterAdvertInterval': break;
    }
  }

  private arm(n: SimNode, timer: TimerName, at: number): void {
    const old = n.timers.get(timer);
    if (old) this.clock.clearTimer(old);
    n.timers.set(timer, this.clock.setTimer(at - this.now, () => {
      n.timers.delete(timer);
      if (n.paused) n.queuedTimers.push(timer);
      else this.send(n.name, { type: 'timer', timer });
    }));
  }

  private broadcast(from: SimNode, priority: number): void {
    if (this.cableDown.has(from.name)) return;
    this.adverts.push({ t: this.now, node: from.name, priority });
    const v6 = from.addr.length === 16;
    const dst = v6 ? VRRP_MCAST_V6 : VRRP_MCAST_V4;
    const version = from.cfg.version;
    const interval = version === 2 ? from.cfg.advertIntervalCs / 100 : from.cfg.advertIntervalCs;
    const payload = encodeVrrp({ version, vrid: from.vrid, priority, interval, addresses: [v6 ? VIP6 : VIP4] }, { src: from.addr, dst, mode: 'pseudo-header' });
    for (const to of this.nodes.values()) {
      if (to === from || this.cableDown.has(to.name) || this.blocked.has(pairKey(from.name, to.name))) continue;
      this.clock.setTimer(this.latencyMs, () => this.receive(to, { payload, src: from.addr, dst }));
    }
  }

  private receive(to: SimNode, pkt: { payload: Uint8Array; src: Uint8Array; dst: Uint8Array }): void {
    if (!to.alive || this.cableDown.has(to.name)) return;
    if (to.paused) { to.queuedPackets.push(pkt); return; }
    const r = validateAdvert({
      version: to.cfg.version, family: to.addr.length === 16 ? 6 : 4, vrid: to.vrid, checksumMode: 'pseudo-header',
      auth: { type: 'none' }, advertIntervalCs: to.cfg.advertIntervalCs,
    }, { ...pkt, ttl: 255 });
    if (!r.ok) { to.drops[r.reason] = (to.drops[r.reason] ?? 0) + 1; return; }
    this.send(to.name, { type: 'advertReceived', priority: r.advert.priority, primaryAddr: pkt.src, maxAdvertIntervalCs: advertIntervalCs(r.advert) });
  }
}

const VIP4 = parseIP('10.0.0.100').addr;
const VIP6 = parseIP('2001:db8::100').addr;

function pairKey(a: string, b: string): string { return a < b ? `${a}|${b}` : `${b}|${a}`; }
