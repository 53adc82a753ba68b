// An instance's virtual_routes and virtual_rules on the kernel: installed after the VIPs when
// entering MASTER (a route may use a VIP as its source), removed before them when leaving it.
// Rules go in after the routes they point at and out before them. As in keepalived, one that
// fails is reported (errno in words) and the others still go in: it is not a FAULT.
import type { VirtualRoute, VirtualRule, VrrpInstance } from '../config/model.js';
import type { Logger } from '../ports/logger.js';
import { routeKey, ruleKey, type VirtualRoutePort } from '../ports/virtual-routes.js';
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
  constructor(private readonly port: VirtualRoutePort | undefined, private readonly logger: Logger) {}

  /** Installs routes, then rules; returns how many failed (each logged). */
  async install(s: RoutingSpec): Promise<number> {
    if (!this.usable(s)) return 0;
    let failed = 0;
    for (const r of s.routes) failed += await this.try(() => this.port!.addRoute(r), { route: routeKey(r) }, 'could not add virtual route');
    for (const r of s.rules) failed += await this.try(() => this.port!.addRule(r), { rule: ruleKey(r) }, 'could not add virtual rule');
    return failed;
  }

  /** Removes rules, then routes; a failure is logged and the rest still go. */
  async remove(s: RoutingSpec): Promise<number> {
    if (!this.usable(s)) return 0;
    let failed = 0;
    for (const r of s.rules) failed += await this.try(() => this.port!.removeRule(r), { rule: ruleKey(r) }, 'could not remove virtual rule');
    for (const r of s.routes) failed += await this.try(() => this.port!.removeRoute(r), { route: routeKey(r) }, 'could not remove virtual route');
    return failed;
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
