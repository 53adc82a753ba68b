// An instance's virtual_routes and virtual_rules on the kernel: installed after the VIPs when
// entering MASTER (a route may use a VIP as its source), removed before them when leaving it.
// Rules go in after the routes they point at and out before them. As in keepalived, one that
// fails is reported (errno in words) and the others still go in: it is not a FAULT. One we
// installed that is then deleted by someone else makes a master leave MASTER unless `no_track`
// (keepalived.conf(5); route-tracking.ts).
import type { VirtualRoute, VirtualRule, VrrpInstance } from '../config/model.js';
import type { Logger } from '../ports/logger.js';
import { routeKey, ruleKey, type RoutingDeletion, type VirtualRoutePort } from '../ports/virtual-routes.js';
import { routeDeleted, ruleDeleted } from './route-tracking.js';
import { errFields } from './vips.js';

export interface RoutingSpec { routes: VirtualRoute[]; rules: VirtualRule[] }

export const routingOf = (s: VrrpInstance): RoutingSpec => ({ routes: s.virtualRoutes ?? [], rules: s.virtualRules ?? [] });

/** What `next` has that `prev` has not, by key (for an in-place reload of a master). */
export function routingDiff(prev: RoutingSpec, next: RoutingSpec): RoutingSpec {
  const routes = new Set(prev.routes.map(routeKey)), rules = new Set(prev.rules.map(ruleKey));
  return { routes: next.routes.filter((r) => !routes.has(routeKey(r))), rules: next.rules.filter((r) => !rules.has(ruleKey(r))) };
}

export class VirtualRouteSet {
  private warned = false;
  /** What we installed and have not removed since, by key: the only candidates for a deletion. */
  private routes = new Map<string, VirtualRoute>();
  private rules = new Map<string, VirtualRule>();
  constructor(private readonly port: VirtualRoutePort | undefined, private readonly logger: Logger) {}

  /** Installs routes, then rules; returns how many failed (each logged). */
  async install(s: RoutingSpec): Promise<number> {
    if (!this.usable(s)) return 0;
    let failed = 0;
    for (const r of s.routes) {
      const f = await this.try(() => this.port!.addRoute(r), { route: routeKey(r) }, 'could not add virtual route');
      if (!f) this.routes.set(routeKey(r), r);
      failed += f;
    }
    for (const r of s.rules) {
      const f = await this.try(() => this.port!.addRule(r), { rule: ruleKey(r) }, 'could not add virtual rule');
      if (!f) this.rules.set(ruleKey(r), r);
      failed += f;
    }
    return failed;
  }

  /** Removes rules, then routes; a failure is logged and the rest still go. */
  async remove(s: RoutingSpec): Promise<number> {
    if (!this.usable(s)) return 0;
    let failed = 0;
    for (const r of s.rules) { this.rules.delete(ruleKey(r)); failed += await this.try(() => this.port!.removeRule(r), { rule: ruleKey(r) }, 'could not remove virtual rule'); }
    for (const r of s.routes) { this.routes.delete(routeKey(r)); failed += await this.try(() => this.port!.removeRoute(r), { route: routeKey(r) }, 'could not remove virtual route'); }
    return failed;
  }

  /**
   * Watches for deletions of what we installed. While `active()` (MASTER), a tracked one deleted
   * calls `lost` with its description; a `no_track` one is only forgotten (it comes back at the
   * next mastership). Returns the unsubscribe function.
   */
  watch(s: RoutingSpec, active: () => boolean, lost: (what: string) => void): () => void {
    // Only instances with something tracked listen (a socket for the process, opened on demand).
    if (!this.port?.watch || ![...s.routes, ...s.rules].some((x) => !x.noTrack)) return () => {};
    try {
      return this.port.watch((d) => this.deleted(d, active, lost));
    } catch (e) {
      this.logger.error(errFields(e), `cannot watch for deleted virtual routes and rules (they are not tracked): ${e instanceof Error ? e.message : String(e)}`);
      return () => {};
    }
  }

  private deleted(d: RoutingDeletion, active: () => boolean, lost: (what: string) => void): void {
    const hit = this.find(d);
    if (!hit || !active()) return;
    if (hit.kind === 'route') this.routes.delete(hit.key); else this.rules.delete(hit.key);
    if (hit.noTrack) this.logger.info({ [hit.kind]: hit.key }, `virtual ${hit.kind} ${hit.key} was deleted; no_track: staying MASTER without it`);
    else lost(`virtual ${hit.kind} ${hit.key}`);
  }

  private find(d: RoutingDeletion): { kind: 'route' | 'rule'; key: string; noTrack: boolean } | undefined {
    if (d.kind === 'route') {
      for (const [key, r] of this.routes) if (routeDeleted(r, d)) return { kind: 'route', key, noTrack: r.noTrack };
    } else {
      for (const [key, r] of this.rules) if (ruleDeleted(r, d)) return { kind: 'rule', key, noTrack: r.noTrack };
    }
    return undefined;
  }

  private usable(s: RoutingSpec): boolean {
    if (s.routes.length === 0 && s.rules.length === 0) return false;
    if (this.port) return true;
    if (!this.warned) this.logger.error({}, 'virtual_routes / virtual_rules are configured but this platform cannot install routes; they are not installed');
    this.warned = true;
    return false;
  }

  private async try(fn: () => Promise<void>, what: Record<string, string>, msg: string): Promise<number> {
    try { await fn(); return 0; } catch (e) {
      this.logger.error({ ...what, ...errFields(e) }, `${msg}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  }
}
