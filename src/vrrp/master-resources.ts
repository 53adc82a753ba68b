// What one instance puts in the kernel and on the link while MASTER: its virtual addresses
// (VipSet), virtual routes and rules (VirtualRouteSet) and the GARPs announcing them (GarpTimers),
// every change through the instance's ordered queue. A VIP that cannot be added faults the instance.
import type { AddressManager, AddressSpec } from '../ports/addresses.js';
import type { TimerHandle } from '../ports/clock.js';
import type { VirtualRoutePort } from '../ports/virtual-routes.js';
import { GarpTimers, type GarpDeps } from './garp-timers.js';
import { errFields, specKey, VipSet, vipSpecs } from './vips.js';
import { routingDiff, routingOf, VirtualRouteSet, type RoutingSpec } from './virtual-routes.js';

/** A VIP that cannot be added faults the instance for this long (doubling, capped) before it tries again. */
export const VIP_FAULT_HOLD_MS = { first: 2000, max: 60_000 };

export interface MasterResourceDeps extends GarpDeps {
  addresses: AddressManager;
  /** Installs virtual_routes / virtual_rules while MASTER; absent = they cannot be (logged once). */
  virtualRoutes: VirtualRoutePort | undefined;
  /** Whether the instance is MASTER now. */
  master(): boolean;
  /** Whether the instance is stopping. */
  stopped(): boolean;
  /** Sets or clears one of the instance's fault reasons. */
  fault(reason: string, on: boolean): void;
}

/** What a configuration names: its VIPs (with the excluded ones), virtual routes and rules. */
export interface ResourceSpec { vips: AddressSpec[]; routing: RoutingSpec }

export class MasterResources {
  private vips: VipSet;
  private routing: VirtualRouteSet;
  private garps: GarpTimers;
  /** Consecutive VIP add failures (the fault hold doubles with each). */
  private vipFailures = 0;
  private vipFaultTimer: TimerHandle | undefined;

  constructor(private readonly d: MasterResourceDeps) {
    this.vips = new VipSet({ addresses: d.addresses, clock: d.clock, logger: d.logger, enqueue: (j) => d.enqueue(j) });
    this.routing = new VirtualRouteSet(d.virtualRoutes, d.logger);
    this.garps = new GarpTimers(d);
  }

  /** What the configuration in force names (taken before a reload replaces it). */
  named(): ResourceSpec { return { vips: this.vipSpecs(), routing: routingOf(this.d.spec()) }; }

  /** VIPs, routes and rules a crashed run may have left (absent ones are no error). */
  removeStale(): void {
    this.d.enqueue(() => this.vips.removeStale(this.vipSpecs()));
    this.d.enqueue(async () => { await this.routing.remove(routingOf(this.d.spec())); });
  }

  /** Deletions of the routes and rules installed while MASTER (VirtualRouteSet.watch); returns the unsubscribe. */
  watchRouting(lost: (what: string) => void): () => void {
    return this.routing.watch(routingOf(this.d.spec()), () => this.d.master(), lost);
  }

  /** Entering MASTER: VIPs, then routes and rules. */
  install(): void {
    this.d.enqueue(() => this.addVips(this.vipSpecs()));
    this.d.enqueue(async () => { await this.routing.install(routingOf(this.d.spec())); });
  }

  /** Leaving MASTER: GARPs stop; routes and rules, then VIPs, are removed. */
  release(): void {
    this.garps.clear();
    this.d.enqueue(async () => { await this.routing.remove(routingOf(this.d.spec())); });
    this.d.enqueue(() => this.vips.remove(this.vipSpecs(), this.d.stopped() ? [50] : undefined));
  }

  /** The GARP bursts of mastership `epoch` (GarpTimers.burst). */
  burst(reason: 'takeover' | 'heal', epoch: number): void { this.garps.burst(reason, epoch); }

  /** A reload ended this mastership, which removed what the new configuration names: what only `old` named goes too. */
  releaseOld(old: ResourceSpec): void {
    const gone = routingDiff(routingOf(this.d.spec()), old.routing), keep = new Set(this.vipSpecs().map(specKey));
    this.d.enqueue(async () => { await this.routing.remove(gone); });
    const goneVips = old.vips.filter((a) => !keep.has(specKey(a)));
    if (goneVips.length) this.d.enqueue(() => this.vips.remove(goneVips));
  }

  /** A master reloaded in place: only what changed since `old` is removed or added (GARP for added VIPs). */
  reload(old: ResourceSpec): void {
    const oldVips = old.vips, oldRouting = old.routing, spec = this.d.spec();
    const now = new Set(this.vipSpecs().map(specKey));
    const before = new Set(oldVips.map(specKey));
    const removed = oldVips.filter((a) => !now.has(specKey(a)));
    const added = this.vipSpecs().filter((a) => !before.has(specKey(a)));
    const goneRouting = routingDiff(routingOf(spec), oldRouting), newRouting = routingDiff(oldRouting, routingOf(spec));
    this.d.enqueue(async () => { await this.routing.remove(goneRouting); });
    if (removed.length) this.d.enqueue(() => this.vips.remove(removed));
    if (added.length) {
      this.d.enqueue(() => this.addVips(added));
      this.d.enqueue(() => this.garps.announce(added.map((a) => ({ dev: a.ifname, address: a.prefix.split('/')[0]! }))));
    }
    this.d.enqueue(async () => { await this.routing.install(newRouting); });
  }

  /** Last resort at a stop that cannot finish: every VIP removed now, outside the queue. */
  async releaseNow(): Promise<void> {
    await this.routing.remove(routingOf(this.d.spec()));
    await this.vips.removeNow(this.vipSpecs());
  }

  /** Stopping: no more GARPs, and no end of a VIP fault hold. */
  stopTimers(): void {
    this.garps.clear();
    if (this.vipFaultTimer) this.d.clock.clearTimer(this.vipFaultTimer);
  }

  /** Stopped, the queue drained: background VIP retries end too. */
  close(): void { this.vips.close(); }

  private vipSpecs(): AddressSpec[] { const s = this.d.spec(); return vipSpecs([...s.virtualIps, ...s.excludedVips]); }

  /**
   * Adds VIPs (quick retries inside VipSet). One that cannot be added is a FAULT reason: the
   * instance leaves MASTER so the peer can hold the address, and after a hold (doubling) the
   * fault clears and the election decides again, so a VIP that can be added later is.
   */
  private async addVips(specs: AddressSpec[]): Promise<void> {
    const failed = await this.vips.add(specs);
    if (!failed.length) { this.vipFailures = 0; return; }
    if (this.d.stopped() || !this.d.master()) return;
    const holdMs = Math.min(VIP_FAULT_HOLD_MS.first * 2 ** this.vipFailures++, VIP_FAULT_HOLD_MS.max);
    const reason = `vip:${failed.map((f) => `${f.spec.prefix}@${f.spec.ifname}`).join(',')}`;
    this.d.logger.error({ vips: failed.map((f) => f.spec.prefix), ...errFields(failed[0]!.err), holdMs }, 'virtual address cannot be added: instance in FAULT');
    this.d.guard('vip fault', () => this.d.fault(reason, true));
    if (this.vipFaultTimer) this.d.clock.clearTimer(this.vipFaultTimer);
    this.vipFaultTimer = this.d.clock.setTimer(holdMs, () => {
      this.vipFaultTimer = undefined;
      this.d.guard('vip fault timer', () => this.d.fault(reason, false));
    });
  }
}
