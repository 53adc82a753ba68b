// VirtualRoutePort over rtnetlink. Routes and rules carry protocol RTPROT_KEEPALIVED (18, as
// keepalived marks its own, so `ip route` shows "proto keepalived"), and deletes name it: an
// administrator's route or rule with the same selectors is never the one removed. Deletions of
// ours are watched on a socket of their own, opened for the first watcher, closed after the last.
import { SysError, VipError } from '../lib/errors.js';
import { parseIP, parsePrefix } from '../lib/ip.js';
import { NLM_F } from '../codec/netlink/message.js';
import { RTPROT, RTM_ROUTE, encodeRouteDeleteExact, encodeRouteRequest, type RouteRequest } from '../codec/netlink/route.js';
import { RTM_RULE, encodeRuleDelete, encodeRuleRequest, type RuleRequest } from '../codec/netlink/rule.js';
import { RT_SCOPE } from '../codec/netlink/rtnl.js';
import { NETLINK_ROUTE, NetlinkSocket } from '../net/netlink-socket.js';
import type { VirtualRoute, VirtualRule } from '../config/model.js';
import { routeKey, ruleKey, type RoutingDeletion, type VirtualRoutePort } from '../ports/virtual-routes.js';
import { routingDeletionOf } from './routing-deletion.js';

const PROTO = RTPROT.keepalived;
const SCOPE: Record<string, number> = { universe: RT_SCOPE.universe, global: RT_SCOPE.universe, site: RT_SCOPE.site, link: RT_SCOPE.link, host: RT_SCOPE.host, nowhere: RT_SCOPE.nowhere };
const GONE = new Set(['ESRCH', 'ENOENT']);
/** RTNLGRP_IPV4_ROUTE, IPV6_ROUTE, IPV4_RULE, IPV6_RULE (linux/rtnetlink.h). */
const GROUPS = [7, 11, 8, 19];

export class NetlinkVirtualRoutes implements VirtualRoutePort {
  private events: NetlinkSocket | undefined;
  private watchers = new Set<(d: RoutingDeletion) => void>();
  constructor(private readonly sock: NetlinkSocket, private readonly ifindex: (name: string) => number | undefined) {}

  /** Opens its own NETLINK_ROUTE socket in the current network namespace. */
  static open(ifindex: (name: string) => number | undefined): NetlinkVirtualRoutes {
    return new NetlinkVirtualRoutes(NetlinkSocket.open(NETLINK_ROUTE), ifindex);
  }

  close(): void { this.sock.close(); this.events?.close(); this.events = undefined; }

  watch(cb: (d: RoutingDeletion) => void): () => void {
    if (!this.events) {
      const sock = NetlinkSocket.open(NETLINK_ROUTE);
      try { for (const g of GROUPS) sock.subscribe(g); } catch (e) { sock.close(); throw e; }
      sock.onNotification((m) => {
        const d = routingDeletionOf(m);
        if (d) for (const w of [...this.watchers]) w(d);
      });
      sock.ref(false);
      this.events = sock;
    }
    this.watchers.add(cb);
    return () => {
      this.watchers.delete(cb);
      if (this.watchers.size === 0) { this.events?.close(); this.events = undefined; }
    };
  }

  async addRoute(r: VirtualRoute): Promise<void> {
    await this.add(RTM_ROUTE.NEWROUTE, encodeRouteRequest(this.routeRequest(r, 'add')), `add route ${routeKey(r)}`);
  }

  async removeRoute(r: VirtualRoute): Promise<void> {
    // A route whose device has gone went with it: nothing is left to delete.
    let q: RouteRequest;
    try { q = this.routeRequest(r, 'delete'); } catch (e) { if (e instanceof VipError && e.code === 'ENODEV') return; throw e; }
    await this.remove(RTM_ROUTE.DELROUTE, encodeRouteDeleteExact(q), `delete route ${routeKey(r)}`);
  }

  async addRule(r: VirtualRule): Promise<void> {
    await this.add(RTM_RULE.NEWRULE, encodeRuleRequest(ruleRequest(r)), `add rule ${ruleKey(r)}`);
  }

  async removeRule(r: VirtualRule): Promise<void> {
    await this.remove(RTM_RULE.DELRULE, encodeRuleDelete(ruleRequest(r)), `delete rule ${ruleKey(r)}`);
  }

  private routeRequest(r: VirtualRoute, op: string): RouteRequest {
    const p = parsePrefix(r.to);
    const q: RouteRequest = { dst: p.addr, dstLen: p.len, table: r.table, protocol: PROTO, type: r.type };
    if (r.dev !== undefined) {
      const i = this.ifindex(r.dev);
      if (i === undefined) throw new SysError(`${op} route ${routeKey(r)}`, 'ENODEV', `no interface ${r.dev}`);
      q.oif = i;
    }
    if (r.via !== undefined) q.gateway = parseIP(r.via).addr;
    if (r.src !== undefined) q.prefsrc = parseIP(r.src).addr;
    if (r.metric !== undefined) q.priority = r.metric;
    if (r.scope !== undefined) q.scope = SCOPE[r.scope];
    return q;
  }

  /** EXCL: an identical route or rule already there is success; anything else is the kernel's errno. */
  private async add(type: number, payload: Buffer, op: string): Promise<void> {
    try { await this.sock.request(type, NLM_F.CREATE | NLM_F.EXCL, payload, { op }); } catch (e) {
      if (!(e instanceof VipError && e.code === 'EEXIST')) throw e;
    }
  }

  private async remove(type: number, payload: Buffer, op: string): Promise<void> {
    try { await this.sock.request(type, 0, payload, { op }); } catch (e) {
      if (!(e instanceof VipError && GONE.has(e.code))) throw e;
    }
  }
}

function ruleRequest(r: VirtualRule): RuleRequest {
  const from = r.from === undefined ? undefined : parsePrefix(r.from);
  const to = r.to === undefined ? undefined : parsePrefix(r.to);
  const q: RuleRequest = { family: r.family, table: r.action === 'table' ? r.table ?? 254 : 0, action: r.action, priority: r.priority ?? 0, protocol: PROTO };
  if (from) { q.src = from.addr; q.srcLen = from.len; }
  if (to) { q.dst = to.addr; q.dstLen = to.len; }
  if (r.tos !== undefined) q.tos = r.tos;
  if (r.fwmark !== undefined) q.fwmark = r.fwmark;
  if (r.fwmask !== undefined) q.fwmask = r.fwmask;
  if (r.iif !== undefined) q.iif = r.iif;
  if (r.oif !== undefined) q.oif = r.oif;
  return q;
}
