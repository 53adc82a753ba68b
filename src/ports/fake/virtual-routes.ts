// In-memory VirtualRoutePort: the routes and rules present, by key, and a journal of changes.
import type { VirtualRoute, VirtualRule } from '../../config/model.js';
import { routeKey, ruleKey, type VirtualRoutePort } from '../virtual-routes.js';

export class FakeVirtualRoutes implements VirtualRoutePort {
  readonly routes = new Set<string>();
  readonly rules = new Set<string>();
  /** Fails every matching change while set (a gateway that is not reachable, say). */
  failWhen: ((op: string, key: string) => Error | undefined) | undefined;
  constructor(readonly journal: string[] = []) {}

  async addRoute(r: VirtualRoute): Promise<void> { this.change('add route', routeKey(r), () => this.routes.add(routeKey(r))); }
  async removeRoute(r: VirtualRoute): Promise<void> { this.change('del route', routeKey(r), () => this.routes.delete(routeKey(r))); }
  async addRule(r: VirtualRule): Promise<void> { this.change('add rule', ruleKey(r), () => this.rules.add(ruleKey(r))); }
  async removeRule(r: VirtualRule): Promise<void> { this.change('del rule', ruleKey(r), () => this.rules.delete(ruleKey(r))); }

  private change(op: string, key: string, apply: () => void): void {
    const e = this.failWhen?.(op, key);
    if (e) throw e;
    apply();
    this.journal.push(`${op} ${key}`);
  }
}
