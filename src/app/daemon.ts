// The VRRP daemon: builds trackers, instances, sync groups and the notifier from a configuration,
// starts them, stops them gracefully (priority-0 adverts, VIPs removed, notify stop) and reloads a
// new configuration as a diff (reload.ts): unchanged instances untouched, changed settings applied
// in place, only a changed wire identity restarts an instance. A reload is all or nothing: what
// can fail is prepared before anything running is touched.
import type { Config, NotifyScripts as ModelNotify, VrrpInstance } from '../config/model.js';
import { Notifier, type NotifyScripts, type NotifyTarget } from '../notify/notifier.js';
import type { NotifyState } from '../notify/format.js';
import type { LineSink } from '../ports/fifo.js';
import type { ScriptSecurity } from '../ports/script-runner.js';
import type { VrrpTransport } from '../ports/vrrp-transport.js';
import { Instance, type Transition } from '../vrrp/instance.js';
import type { VrrpState } from '../vrrp/machine.js';
import { SyncGroup } from '../vrrp/sync-group.js';
import { receiveConfig } from '../vrrp/instance-config.js';
import { sourceStatus } from '../vrrp/source.js';
import { Vmacs, vrrpInterfaceOf } from '../vrrp/vmac.js';
import { InterfacePacer } from '../vrrp/interface-pacer.js';
import { parseIP } from '../lib/ip.js';
import type { Platform } from './platform.js';
import { planReload, settingsKeys, wireIdentity, type InstanceKeys, type ReloadPlan } from './reload.js';
import { TrackRegistry } from './tracking.js';

const NOTIFY_TIMEOUT_MS = 30_000;
/** The fault reason of an instance with unicast_fault_no_peer and no unicast_peer. */
const NO_PEER_FAULT = 'unicast:no-peer';
const noPeerFault = (s: VrrpInstance): boolean => s.unicastFaultNoPeer === true && s.unicastPeers.length === 0;

const notifyState: Partial<Record<VrrpState, NotifyState>> = { MASTER: 'MASTER', BACKUP: 'BACKUP', FAULT: 'FAULT', STOPPED: 'STOP' };

function toNotifyScripts(n: ModelNotify): NotifyScripts {
  const out: NotifyScripts = {};
  for (const [k, v] of [['master', n.master], ['backup', n.backup], ['fault', n.fault], ['stop', n.stop], ['generic', n.any], ['deleted', n.deleted], ['masterRxLowerPri', n.masterRxLowerPri]] as const) {
    if (v) out[k] = { argv: v.argv, ...(v.user ? { user: v.user } : {}), ...(v.group ? { group: v.group } : {}) };
  }
  return out;
}

interface Running { inst: Instance; keys: InstanceKeys }
/** A transport opened ahead (reload preparation), or undefined when the source is not usable yet. */
type Opened = { src: string; transport: VrrpTransport } | undefined;

export interface DaemonEvents {
  garpSent(instance: string, count: number): void;
  notifyRun(result: 'ok' | 'failed' | 'timeout'): void;
}

export class Daemon {
  private instances = new Map<string, Running>();
  private groups = new Map<string, SyncGroup>();
  private tracks: TrackRegistry;
  private notifier: Notifier | undefined;
  private fifo: { path: string; sink: LineSink } | undefined;
  private transitionFns: ((t: Transition) => void)[] = [];
  private unwatchLinks: (() => void) | undefined;
  private vmacs: Vmacs;
  /** keepalived spaces gratuitous ARPs per interface across instances: one pacer for them all. */
  private garpPacer: InterfacePacer | undefined;

  /** Metrics of what only the daemon sees (set once the metrics exist; optional). */
  events: DaemonEvents | undefined;

  constructor(private p: Platform, private cfg: Config) {
    this.tracks = new TrackRegistry(p);
    // An instance on a VMAC waits in INIT until its VMAC exists; each one made is a chance to attach.
    this.vmacs = new Vmacs(p.vmacs, p.logger.child({ component: 'vmac' }), () => this.attachWaiting());
  }

  get config(): Config { return this.cfg; }
  instance(name: string): Instance | undefined { return this.instances.get(name)?.inst; }
  get instanceNames(): string[] { return [...this.instances.keys()]; }
  /** Current state of an instance by name (undefined when no such instance runs). */
  stateOf(name: string): VrrpState | undefined { return this.instances.get(name)?.inst.state; }
  /** Every transition of every instance, present and future (checkers' ha_suspend, sync daemon). */
  onTransition(fn: (t: Transition) => void): void { this.transitionFns.push(fn); }
  /** Sync groups now running (tests: one per configured group, no leftovers). */
  get groupNames(): string[] { return [...this.groups.keys()]; }

  start(): void {
    this.fifo = this.openFifo(this.cfg);
    this.notifier = new Notifier({
      runner: this.p.scripts, logger: this.p.logger.child({ component: 'notify' }), timeoutMs: NOTIFY_TIMEOUT_MS,
      onResult: (r) => this.events?.notifyRun(r),
      ...this.notifyOptions(this.cfg),
    });
    this.tracks.update(this.cfg);
    this.tracks.startAll();
    const keys = this.keysOf(this.cfg);
    void this.vmacs.sync(this.cfg.vrrpInstances);
    for (const spec of this.cfg.vrrpInstances) this.create(spec, keys.get(spec.name)!, this.openFor(spec));
    this.buildGroups(this.cfg);
    // An instance without a usable source waits in INIT; address and link changes may end that.
    this.unwatchLinks = this.p.links.onChange(() => this.attachWaiting());
    // vrrp_startup_delay applies at daemon start only, never to instances a reload starts (keepalived).
    const delay = this.cfg.global.vrrpStartupDelayMs ?? 0;
    if (delay > 0) this.p.logger.info({ delayMs: delay }, 'vrrp_startup_delay: no instance becomes master before the delay');
    const hold = delay > 0 ? { holdUntil: this.p.clock.now() + delay } : {};
    for (const name of this.cfg.vrrpInstances.map((i) => i.name)) this.startInstance(name, hold);
  }

  /** Graceful stop; resolves once adverts are sent, VIPs removed and stop scripts have run (bounded). */
  async stop(notifyWaitMs = 600): Promise<void> {
    this.unwatchLinks?.();
    await Promise.all([...this.instances.values()].map(({ inst }) => inst.stop()));
    this.garpPacer?.close();
    await this.vmacs.removeAll();
    this.tracks.stopAll();
    if (this.notifier) await Promise.race([this.notifier.idle(), new Promise((r) => setTimeout(r, notifyWaitMs).unref())]);
    this.notifier?.close();
  }

  /** Last resort when a stop cannot finish: every instance's VIPs removed now. */
  async releaseVips(): Promise<void> {
    await Promise.all([...this.instances.values()].map(({ inst }) => inst.releaseVips().catch(() => {})));
  }

  /** Applies a new configuration as a diff; throws (changing nothing) when it cannot be applied. */
  async reload(next: Config): Promise<ReloadPlan> {
    const nextKeys = this.keysOf(next);
    const plan = planReload(new Map([...this.instances].map(([n, r]) => [n, r.keys])), nextKeys);
    const specOf = (name: string): VrrpInstance => next.vrrpInstances.find((i) => i.name === name)!;

    // 1. Prepare everything that can fail; on failure undo the preparation and refuse.
    const opened = new Map<string, Opened>();
    let fifo = this.fifo;
    let security: ScriptSecurity | undefined;
    let pendingTracks;
    try {
      for (const name of plan.start) {
        // A restart on the same interface, family and VRID reopens after the old one has closed.
        const old = this.instances.get(name)?.inst.spec;
        const spec = specOf(name);
        if (old && old.interface === spec.interface && old.family === spec.family && old.vrid === spec.vrid) continue;
        opened.set(name, this.openFor(spec, true));
      }
      const spec = next.global.vrrpNotifyFifo ?? next.global.notifyFifo;
      if (spec?.path !== this.fifo?.path) fifo = this.openFifo(next);
      security = this.notifyOptions(next).security;
      pendingTracks = this.tracks.prepare(next);
    } catch (e) {
      for (const o of opened.values()) o?.transport.close();
      if (fifo && fifo !== this.fifo) fifo.sink.close();
      throw new Error(`reload refused, keeping the running configuration: ${(e as Error).message}`);
    }

    // 2. Apply. Nothing below is expected to fail; each step is guarded so one bad piece cannot
    // leave the others half done.
    for (const name of plan.stop) {
      const r = this.instances.get(name)!;
      this.instances.delete(name);
      // Removed from the configuration (not restarted): keepalived notifies FAULT, or DELETED with notify_deleted.
      await r.inst.stop(plan.restart.includes(name) ? {} : { deleted: true });
    }
    for (const g of this.groups.values()) g.dispose();
    this.groups.clear();
    this.cfg = next;
    if (fifo !== this.fifo) this.fifo = fifo;
    this.notifier!.configure({ ...(security ? { security } : {}), ...(fifo ? { fifo: fifo.sink } : {}) });
    this.tracks.commit(pendingTracks);
    this.tracks.startAll();
    for (const name of plan.update) {
      const r = this.instances.get(name)!;
      r.keys = nextKeys.get(name)!;
      const spec = specOf(name);
      r.inst.reconfigure(spec, { destinations: this.destinations(spec), tracking: this.tracks.bindingsFor(next, spec) });
      r.inst.setExternalFault(NO_PEER_FAULT, noPeerFault(spec));
    }
    for (const name of plan.start) {
      this.create(specOf(name), nextKeys.get(name)!, opened.has(name) ? opened.get(name) : this.openFor(specOf(name)));
    }
    this.buildGroups(next);
    for (const name of plan.start) this.startInstance(name);
    // After the stops above: a VMAC no instance names any more goes, a new one comes.
    void this.vmacs.sync(next.vrrpInstances);
    this.p.logger.info({
      kept: plan.keep, updated: plan.update, restarted: plan.restart,
      started: plan.start.filter((n) => !plan.restart.includes(n)), stopped: plan.stop.filter((n) => !plan.restart.includes(n)),
    }, 'configuration reloaded');
    return plan;
  }

  private keysOf(cfg: Config): Map<string, InstanceKeys> {
    const settings = settingsKeys(cfg);
    return new Map(cfg.vrrpInstances.map((i) => [i.name, { identity: wireIdentity(cfg, i), settings: settings.get(i.name)! }]));
  }

  private openFifo(cfg: Config): { path: string; sink: LineSink } | undefined {
    const spec = cfg.global.vrrpNotifyFifo ?? cfg.global.notifyFifo;
    return spec ? { path: spec.path, sink: this.p.fifos.open(spec.path) } : undefined;
  }

  private notifyOptions(cfg: Config): { security?: ScriptSecurity; fifo?: LineSink } {
    const user = cfg.global.scriptUser?.user;
    return {
      ...(cfg.global.scriptSecurity ? { security: this.p.security(this.p.uidOf(user)) } : {}),
      ...(this.fifo ? { fifo: this.fifo.sink } : {}),
    };
  }

  private target(n: ModelNotify): NotifyTarget {
    const su = this.cfg.global.scriptUser;
    return { scripts: toNotifyScripts(n), ...(su ? { user: su.user, ...(su.group ? { group: su.group } : {}) } : {}) };
  }

  private group(spec: VrrpInstance): string {
    return spec.family === 4 ? this.cfg.global.mcastGroup4 : this.cfg.global.mcastGroup6;
  }

  private destinations(spec: VrrpInstance): string[] {
    return spec.unicastPeers.length === 0 ? [this.group(spec)] : spec.unicastPeers.map((x) => x.address);
  }

  /**
   * Opens the transport when the source address is usable; undefined when it is not yet (the
   * instance waits in INIT). A socket that cannot be opened throws (reload: refused) when
   * `strict`, else it is logged and the instance waits for the next link or address change.
   */
  private openFor(spec: VrrpInstance, strict = false): Opened {
    const st = sourceStatus(this.p, spec);
    if (!st.src) return undefined;
    // Adverts go out of the VMAC (from the base interface's address, as keepalived sends them).
    // Until our VMAC exists the instance cannot run: an interface of that name we did not make
    // must get neither its adverts nor its VIPs.
    const ifname = vrrpInterfaceOf(spec);
    if (spec.vmac && !(this.vmacs.has(spec.vmac.name) && this.p.links.get(ifname))) return undefined;
    const multicast = spec.unicastPeers.length === 0;
    try {
      const transport = this.p.transports.open({
        ifname, family: spec.family, vrid: spec.vrid, src: parseIP(st.src).addr,
        version: spec.version, checksumMode: receiveConfig(spec).checksumMode, ...(spec.authType === 'AH' ? { ah: true } : {}),
        ...(multicast ? { group: parseIP(this.group(spec)).addr } : {}),
      });
      return { src: st.src, transport };
    } catch (e) {
      const msg = `vrrp_instance ${spec.name}: cannot open its VRRP socket on ${spec.interface}: ${(e as Error).message}`;
      if (strict) throw new Error(msg);
      this.p.logger.error({ instance: spec.name, err: (e as Error).message }, `${msg}; waiting in INIT`);
      return undefined;
    }
  }

  private startInstance(name: string, opts: { holdUntil?: number } = {}): void {
    const inst = this.instances.get(name)?.inst;
    if (!inst) return;
    inst.start(opts);
    if (inst.waitingForSource) {
      const why = sourceStatus(this.p, inst.spec).why ?? 'its VRRP socket could not be opened';
      this.p.logger.warn({ instance: name, vrid: inst.spec.vrid, iface: inst.spec.interface, reason: why }, `staying in INIT until it can send: ${why}`);
    }
  }

  /** A link or address changed: instances waiting for a source try again. */
  private attachWaiting(): void {
    for (const [name, { inst }] of this.instances) {
      if (!inst.waitingForSource) continue;
      const o = this.openFor(inst.spec);
      if (!o) continue;
      this.p.logger.info({ instance: name, src: o.src }, 'source address usable: leaving INIT');
      inst.attach(o.src, o.transport);
    }
  }

  private create(spec: VrrpInstance, keys: InstanceKeys, opened: Opened): void {
    const p = this.p;
    const inst = new Instance(spec, {
      clock: p.clock, addresses: p.addresses,
      announcer: { announce: async (ifname, addrs) => { await p.announcer.announce(ifname, addrs); this.events?.garpSent(spec.name, addrs.length); } },
      logger: p.logger.child({ instance: spec.name, vrid: spec.vrid, iface: spec.interface }),
      ...(opened ? { srcAddr: opened.src, transport: opened.transport } : {}),
      destinations: this.destinations(spec),
      tracking: this.tracks.bindingsFor(this.cfg, spec),
      ...(p.virtualRoutes ? { virtualRoutes: p.virtualRoutes } : {}),
      garpPacer: this.garpPacer ??= new InterfacePacer(p.clock),
      garpRank: this.cfg.vrrpInstances.findIndex((i) => i.name === spec.name),
    });
    // Listeners registered once follow instances created by later reloads too.
    inst.onTransition((t) => { for (const fn of this.transitionFns) fn(t); });
    inst.onNotify((t) => {
      // A reload removed it: keepalived reports FAULT, or DELETED with notify_deleted (keepalived.conf(5)).
      const state = t.reason === 'deleted' ? (inst.spec.notifyDeleted ? 'DELETED' : 'FAULT') : notifyState[t.to];
      const current = t.reason === 'deleted' ? inst.spec : this.cfg.vrrpInstances.find((i) => i.name === spec.name) ?? spec;
      // Not awaited: a slow script must not hold back the instance's next address change.
      if (state) void this.notifier!.notify({ kind: 'INSTANCE', name: t.instance, state, priority: state === 'STOP' ? 0 : t.priority }, this.target(current.notify));
    });
    // notify_master_rx_lower_pri (script and FIFO line) and, with notify_priority_changes, priority lines.
    inst.onEvent((e) => {
      const s = inst.spec;
      if (e.kind === 'masterRxLowerPri') void this.notifier!.event(e.instance, 'MASTER_RX_LOWER_PRI', e.priority, this.target(s.notify));
      else if (s.notifyPriorityChanges) void this.notifier!.event(e.instance, e.state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY', e.priority, this.target(s.notify));
    });
    // unicast_fault_no_peer: unicast configured without a peer stays in FAULT rather than going multicast.
    if (noPeerFault(spec)) {
      p.logger.warn({ instance: spec.name }, 'unicast_fault_no_peer and no unicast_peer: the instance stays in FAULT');
      inst.setExternalFault(NO_PEER_FAULT, true);
    }
    this.instances.set(spec.name, { inst, keys });
  }

  /** One SyncGroup per configured group over the running members, from their current states. */
  private buildGroups(cfg: Config): void {
    for (const g of cfg.syncGroups) {
      const members = g.instances.map((n) => this.instances.get(n)?.inst).filter((x): x is Instance => Boolean(x));
      const sg = new SyncGroup(g.name, members, this.p.logger.child({ group: g.name }));
      sg.onGroupState((s) => {
        const state = notifyState[s];
        if (state) void this.notifier!.notify({ kind: 'GROUP', name: g.name, state, priority: 0 }, this.target(g.notify));
      });
      this.groups.set(g.name, sg);
    }
    // A member that left its group (or whose group is gone) is no longer held by it.
    for (const { inst } of this.instances.values()) {
      for (const r of inst.faultReasons) {
        if (r.startsWith('group:') && !cfg.syncGroups.some((g) => `group:${g.name}` === r && g.instances.includes(inst.name))) inst.setExternalFault(r, false);
      }
    }
  }
}
