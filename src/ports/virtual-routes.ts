// Installs and removes an instance's virtual_routes and virtual_rules. Idempotent like the
// address port: adding what is there and removing what is gone succeed, so a retry never
// half-applies; any other failure throws with the errno in words.
import type { VirtualRoute, VirtualRule } from '../config/model.js';

export interface VirtualRoutePort {
  addRoute(r: VirtualRoute): Promise<void>;
  removeRoute(r: VirtualRoute): Promise<void>;
  addRule(r: VirtualRule): Promise<void>;
  removeRule(r: VirtualRule): Promise<void>;
  /**
   * Calls `cb` for every route or rule marked as ours (proto keepalived) that the kernel reports
   * deleted, by whoever deleted it; returns the unsubscribe function. Absent: deletions go unseen.
   */
  watch?(cb: (d: RoutingDeletion) => void): () => void;
}

/** A deleted route in model terms: prefixes canonical, the metric as the kernel holds it. */
export interface RouteDeletion { kind: 'route'; family: 4 | 6; to: string; table: number; type: string; via?: string; metric: number }

/** A deleted rule in model terms; `priority` is the one the kernel holds (it picks one when none is given). */
export interface RuleDeletion {
  kind: 'rule'; family: 4 | 6; from?: string; to?: string; action: string; table?: number; priority: number;
  iif?: string; oif?: string; tos?: number; fwmark?: number; fwmask?: number;
}

export type RoutingDeletion = RouteDeletion | RuleDeletion;

/** One line per route or rule, for logs, keys and the in-memory port. */
export function routeKey(r: VirtualRoute): string {
  return [r.type === 'unicast' ? '' : r.type, r.to, r.src && `src ${r.src}`, r.via && `via ${r.via}`, r.dev && `dev ${r.dev}`,
    `table ${r.table}`, r.metric !== undefined && `metric ${r.metric}`, r.scope && `scope ${r.scope}`].filter(Boolean).join(' ');
}

export function ruleKey(r: VirtualRule): string {
  return [r.family === 6 ? 'v6' : 'v4', r.from && `from ${r.from}`, r.to && `to ${r.to}`, r.iif && `iif ${r.iif}`, r.oif && `oif ${r.oif}`,
    r.tos !== undefined && `tos ${r.tos}`, r.fwmark !== undefined && `fwmark ${r.fwmark}${r.fwmask !== undefined ? `/${r.fwmask}` : ''}`,
    r.priority !== undefined && `priority ${r.priority}`, r.action === 'table' ? `table ${r.table}` : r.action].filter(Boolean).join(' ');
}
