// Raw virtualRoutes / virtualRules -> model: addresses canonical, the table defaulted to main (as
// ip(8) does), the family taken from the addresses (a rule with none takes the instance's).
import type { Family, VirtualRoute, VirtualRule } from './model.js';
import type { VirtualRouteInput, VirtualRuleInput } from './input.js';
import { address, prefix, type Reporter } from './normalize.js';

/** RT_TABLE_MAIN: where `ip route add` and `ip rule add` put things without `table`. */
export const MAIN_TABLE = 254;

export function buildVirtualRoutes(r: Reporter, path: string, list: VirtualRouteInput[]): VirtualRoute[] {
  return list.map((x, i) => {
    const p = `${path}/${i}`;
    const to = prefix(r, `${p}/to`, x.to, 'virtual_routes');
    const route: VirtualRoute = {
      to: to ? `${to.address}/${to.prefixLen}` : x.to, family: to?.family ?? (x.to.includes(':') ? 6 : 4),
      type: x.type ?? 'unicast', table: x.table ?? MAIN_TABLE, noTrack: x.noTrack ?? false,
    };
    if (x.src !== undefined) route.src = address(r, `${p}/src`, x.src, 'virtual_routes src')?.address ?? x.src;
    if (x.via !== undefined) route.via = address(r, `${p}/via`, x.via, 'virtual_routes via')?.address ?? x.via;
    if (x.dev !== undefined) route.dev = x.dev;
    if (x.metric !== undefined) route.metric = x.metric;
    if (x.scope !== undefined) route.scope = x.scope;
    return route;
  });
}

export function buildVirtualRules(r: Reporter, path: string, list: VirtualRuleInput[], family: Family): VirtualRule[] {
  return list.map((x, i) => {
    const p = `${path}/${i}`;
    const from = x.from === undefined ? undefined : prefix(r, `${p}/from`, x.from, 'virtual_rules from');
    const to = x.to === undefined ? undefined : prefix(r, `${p}/to`, x.to, 'virtual_rules to');
    const action = x.action ?? 'table';
    const rule: VirtualRule = { family: from?.family ?? to?.family ?? family, action, noTrack: x.noTrack ?? false };
    if (x.from !== undefined) rule.from = from ? `${from.address}/${from.prefixLen}` : x.from;
    if (x.to !== undefined) rule.to = to ? `${to.address}/${to.prefixLen}` : x.to;
    if (action === 'table') rule.table = x.table ?? MAIN_TABLE;
    else if (x.table !== undefined) r.error(`${p}/table`, `virtual_rules: a ${action} rule takes no table`);
    if (x.priority !== undefined) rule.priority = x.priority;
    if (x.iif !== undefined) rule.iif = x.iif;
    if (x.oif !== undefined) rule.oif = x.oif;
    if (x.tos !== undefined) rule.tos = x.tos;
    if (x.fwmark !== undefined) rule.fwmark = x.fwmark;
    if (x.fwmask !== undefined) rule.fwmask = x.fwmask;
    return rule;
  });
}
