// The VRRP daemon: builds trackers, instances, sync groups and the notifier from a configuration,
// starts them, stops them gracefully (priority-0 adverts, VIPs removed, notify stop) and reloads a
// new configuration keeping unchanged instances with their state and VIPs.
import type { Config, NotifyScripts as ModelNotify, VrrpInstance } from '../config/model.js';
import { Notifier, type NotifyScripts, type NotifyTarget } from '../notify/notifier.js';
import type { NotifyState } from '../notify/format.js';
import type { LineSink } from '../ports/fifo.js';
import { Instance, type Transition } from '../vrrp/instance.js';
import type { VrrpState } from '../vrrp/machine.js';
import { SyncGroup } from '../vrrp/sync-group.js';
import { parseIP } from '../lib/ip.js';
import type { Platform } from './platform.js';
import { instanceKeys, planReload, type ReloadPlan } from './reload.js';
import { TrackRegistry } from './tracking.js';

const NOTIFY_TIMEOUT_MS = 30_000;

const notifyState: Partial<Record<VrrpState, NotifyState>> = { MASTER: 'MASTER', BACKUP: 'BACKUP', FAULT: 'FAULT', STOPPED: 'STOP' };

function toNotifyScripts(n: ModelNotify): NotifyScripts {
  const out: NotifyScripts = {};
  for (const [k, v] of [['master', n.master], ['backup', n.backup], ['fault', n.fault], ['stop', n.stop], ['generic', n.any]] as const) {
    if (v) out[k] = { argv: v.argv, ...(v.user ? { user: v.user } : {}), ...(v.group ? { group: v.group } : {}) };
  }
  return out;
}

export class Daemon {
  private instances = new Map<string, { inst: Instance; key: string }>();
  private groups = new Map<string, SyncGroup>();
  private tracks: TrackRegistry;
  private notifier!: Notifier;
  private fifo: { path: string; sink: LineSink } | undefined;
  private transitionFns: ((t: Transition) => void)[] = [];

  constructor(private p: Platform, private cfg: Config) {
    this.tracks = new TrackRegistry(p);
  }

  get config(): Config { return this.cfg; }
  instance(name: string): Instance | undefined { return this.instances.get(name)?.inst; }
  get instanceNames(): string[] { return [...this.instances.keys()]; }
  /** Current state of an instance by name (undefined when no such instance runs). */
  stateOf(name: string): VrrpState | undefined { return this.instances.get(name)?.inst.state; }
  /** Every transition of every instance, present and future (checkers' ha_suspend, sync daemon). */
  onTransition(fn: (t: Transition) => void): void { this.transitionFns.push(fn); }

  start(): void {
    this.setNotifier(this.cfg);
    this.tracks.update(this.cfg);
    this.tracks.startAll();
    const keys = instanceKeys(this.cfg);
    for (const spec of this.cfg.vrrpInstances) this.create(spec, keys.get(spec.name)!);
    this.buildGroups(this.cfg, new Set(this.cfg.vrrpInstances.map((i) => i.name)));
    for (const { inst } of this.instances.values()) inst.start();
  }

  /** Graceful stop; resolves once adverts are sent, VIPs removed and stop scripts have run (bounded). */
  async stop(notifyWaitMs = 600): Promise<void> {
    await Promise.all([...this.instances.values()].map(({ inst }) => inst.stop()));
    this.tracks.stopAll();
    await Promise.race([this.notifier.idle(), new Promise((r) => setTimeout(r, notifyWaitMs).unref())]);
    this.fifo?.sink.close();
  }

  /** Applies a new configuration: unchanged instances keep running untouched. */
  async reload(next: Config): Promise<ReloadPlan> {
    const plan = planReload(instanceKeys(this.cfg), instanceKeys(next));
    // Check what can fail before stopping anything, so a refused reload leaves the old one running.
    const unusable = next.vrrpInstances.filter((i) => plan.start.includes(i.name) && !this.sourceOf(i));
    if (unusable.length) throw new Error(`reload refused, keeping the running configuration: ${unusable.map((i) => this.noSource(i)).join('; ')}`);
    for (const name of plan.stop) {
      const e = this.instances.get(name)!;
      this.instances.delete(name);
      await e.inst.stop();
    }
    for (const g of next.syncGroups) if (g.instances.some((n) => plan.start.includes(n))) this.groups.delete(g.name);
    for (const name of [...this.groups.keys()]) if (!next.syncGroups.some((g) => g.name === name)) this.groups.delete(name);
    this.cfg = next;
    this.setNotifier(next);
    this.tracks.update(next);
    this.tracks.startAll();
    const keys = instanceKeys(next);
    for (const name of plan.start) this.create(next.vrrpInstances.find((i) => i.name === name)!, keys.get(name)!);
    this.buildGroups(next, new Set(plan.start));
    for (const name of plan.start) this.instances.get(name)!.inst.start();
    this.p.logger.info({ kept: plan.keep, started: plan.start, stopped: plan.stop.filter((n) => !plan.start.includes(n)) }, 'configuration reloaded');
    return plan;
  }

  private setNotifier(cfg: Config): void {
    const spec = cfg.global.vrrpNotifyFifo ?? cfg.global.notifyFifo;
    if (this.notifier && spec?.path === this.fifo?.path) return;
    this.fifo?.sink.close();
    this.fifo = spec ? { path: spec.path, sink: this.p.fifos.open(spec.path) } : undefined;
    const user = cfg.global.scriptUser?.user;
    this.notifier = new Notifier({
      runner: this.p.scripts, logger: this.p.logger.child({ component: 'notify' }), timeoutMs: NOTIFY_TIMEOUT_MS,
      ...(cfg.global.scriptSecurity ? { security: this.p.security(this.p.uidOf(user)) } : {}),
      ...(this.fifo ? { fifo: this.fifo.sink } : {}),
    });
  }

  private target(n: ModelNotify): NotifyTarget {
    const su = this.cfg.global.scriptUser;
    return { scripts: toNotifyScripts(n), ...(su ? { user: su.user, ...(su.group ? { group: su.group } : {}) } : {}) };
  }

  private sourceOf(spec: VrrpInstance): string | undefined {
    return spec.unicastSrcIp ?? spec.mcastSrcIp ?? this.p.primaryAddress(spec.interface, spec.family);
  }

  private noSource(spec: VrrpInstance): string {
    return `vrrp_instance ${spec.name}: interface ${spec.interface} has no IPv${spec.family} ${spec.family === 6 ? 'link-local ' : ''}address to send from`;
  }

  private create(spec: VrrpInstance, key: string): void {
    const p = this.p;
    const src = this.sourceOf(spec);
    if (!src) throw new Error(this.noSource(spec));
    const multicast = spec.unicastPeers.length === 0;
    const group = spec.family === 4 ? this.cfg.global.mcastGroup4 : this.cfg.global.mcastGroup6;
    const transport = p.transports.open({
      ifname: spec.interface, family: spec.family, vrid: spec.vrid, src: parseIP(src).addr,
      ...(multicast ? { group: parseIP(group).addr } : {}),
    });
    const inst = new Instance(spec, {
      clock: p.clock, transport, addresses: p.addresses, announcer: p.announcer,
      logger: p.logger.child({ instance: spec.name, vrid: spec.vrid, iface: spec.interface }),
      srcAddr: src, destinations: multicast ? [group] : spec.unicastPeers.map((x) => x.address),
      tracking: this.tracks.bindingsFor(this.cfg, spec),
    });
    inst.onTransition((t) => { for (const fn of this.transitionFns) fn(t); });
    inst.onNotify((t) => {
      const state = notifyState[t.to];
      const current = this.cfg.vrrpInstances.find((i) => i.name === spec.name) ?? spec;
      // Not awaited: a slow script must not hold back the instance's next address change.
      if (state) void this.notifier.notify({ kind: 'INSTANCE', name: t.instance, state, priority: state === 'STOP' ? 0 : t.priority }, this.target(current.notify));
    });
    this.instances.set(spec.name, { inst, key });
  }

  private buildGroups(cfg: Config, fresh: Set<string>): void {
    for (const g of cfg.syncGroups) {
      if (this.groups.has(g.name) || !g.instances.some((n) => fresh.has(n))) continue;
      const members = g.instances.map((n) => this.instances.get(n)?.inst).filter((x): x is Instance => Boolean(x));
      const sg = new SyncGroup(g.name, members, this.p.logger.child({ group: g.name }));
      sg.onGroupState((s) => {
        const state = notifyState[s];
        if (state) void this.notifier.notify({ kind: 'GROUP', name: g.name, state, priority: 0 }, this.target(g.notify));
      });
      this.groups.set(g.name, sg);
    }
  }
}
