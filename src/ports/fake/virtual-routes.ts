// In-memory VirtualRoutePort: the routes and rules present, by key, a journal of changes, and
// deletions by someone else (deleteExternally) reported to watchers as the kernel would.
import type { VirtualRoute, VirtualRule } from '../../config/model.js';
import { routeKey, ruleKey, type RoutingDeletion, type VirtualRoutePort } from '../virtual-routes.js';

export class FakeVirtualRoutes implements VirtualRoutePort {
  readonly routes = new Set<string>();
  readonly rules = new Set<string>();
  /** Fails every matching change while set (a gateway that is not reachable, say). */
  failWhen: ((op: string, key: string) => Error | undefined) | undefined;
  private watchers = new Set<(d: RoutingDeletion) => void>();
  constructor(readonly journal: string[] = []) {}

  async addRoute(r: VirtualRoute): Promise<void> { this.change('add route', routeKey(r), () => this.routes.add(routeKey(r))); }
  async removeRoute(r: VirtualRoute): Promise<void> { this.change('del route', routeKey(r), () => this.routes.delete(routeKey(r)) && this.emit(routeDeletion(r))); }
  async addRule(r: VirtualRule): Promise<void> { this.change('add rule', ruleKey(r), () => this.rules.add(ruleKey(r))); }
  async removeRule(r: VirtualRule): Promise<void> { this.change('del rule', ruleKey(r), () => this.rules.delete(ruleKey(r)) && this.emit(ruleDeletion(r))); }

  watch(cb: (d: RoutingDeletion) => void): () => void {
    this.watchers.add(cb);
    return () => { this.watchers.delete(cb); };
  }

  /** An administrator's `ip route del` / `ip rule del`: gone, and reported (if it was there). */
  deleteExternally(r: VirtualRoute | VirtualRule): void {
    const route = 'type' in r;
    const gone = route ? this.routes.delete(routeKey(r)) : this.rules.delete(ruleKey(r));
    this.journal.push(`external del ${route ? `route ${routeKey(r)}` : `rule ${ruleKey(r)}`}`);
    if (gone) this.emit(route ? routeDeletion(r) : ruleDeletion(r));
  }

  private emit(d: RoutingDeletion): boolean {
    for (const w of [...this.watchers]) w(d);
    return true;
  }

  private change(op: string, key: string, apply: () => void): void {
    const e = this.failWhen?.(op, key);
    if (e) throw e;
    apply();
    this.journal.push(`${op} ${key}`);
  }
}

/** What the kernel reports for a route installed from `r` (metric 0 when none was given). */
function routeDeletion(r: VirtualRoute): RoutingDeletion {
  return { kind: 'route', family: r.family, to: r.to, table: r.table, type: r.type, metric: r.metric ?? 0, ...(r.via ? { via: r.via } : {}) };
}

function ruleDeletion(r: VirtualRule): RoutingDeletion {
  const { noTrack: _n, priority, ...rest } = r;
  return { kind: 'rule', ...rest, priority: priority ?? 32765 };
}
