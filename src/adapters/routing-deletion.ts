// A kernel RTM_DELROUTE / RTM_DELRULE notification in model terms (RoutingDeletion), or undefined
// when it is not one of ours: only routes and rules marked proto keepalived (as we install them)
// are reported, and routes of the kernel's own kinds (local, broadcast) never. Pure.
import { formatIP } from '../lib/ip.js';
import type { NetlinkMessage } from '../codec/netlink/message.js';
import { RTM_ROUTE, RTPROT, decodeRoute } from '../codec/netlink/route.js';
import { RTM_RULE, decodeRule } from '../codec/netlink/rule.js';
import type { RoutingDeletion } from '../ports/virtual-routes.js';

const OURS = RTPROT.keepalived;
const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw']);

export function routingDeletionOf(m: Pick<NetlinkMessage, 'type' | 'payload'>): RoutingDeletion | undefined {
  try {
    if (m.type === RTM_ROUTE.DELROUTE) {
      const r = decodeRoute(m);
      if (r.protocol !== OURS || !ROUTE_TYPES.has(r.type)) return undefined;
      return { kind: 'route', family: r.family, to: `${formatIP(r.dst)}/${r.dstLen}`, table: r.table, type: r.type, metric: r.priority, ...(r.gateway ? { via: formatIP(r.gateway) } : {}) };
    }
    if (m.type === RTM_RULE.DELRULE) {
      const r = decodeRule(m);
      if (r.protocol !== OURS) return undefined;
      const d: RoutingDeletion = { kind: 'rule', family: r.family, action: r.action, priority: r.priority, ...(r.action === 'table' ? { table: r.table } : {}) };
      if (r.src && r.srcLen > 0) d.from = `${formatIP(r.src)}/${r.srcLen}`;
      if (r.dst && r.dstLen > 0) d.to = `${formatIP(r.dst)}/${r.dstLen}`;
      if (r.tos) d.tos = r.tos;
      if (r.fwmark !== undefined && r.fwmark !== 0) d.fwmark = r.fwmark;
      if (r.fwmask !== undefined && d.fwmark !== undefined) d.fwmask = r.fwmask;
      if (r.iif) d.iif = r.iif.replace(/\0+$/, '');
      if (r.oif) d.oif = r.oif.replace(/\0+$/, '');
      return d;
    }
  } catch {
    return undefined; // a truncated notification is dropped, never thrown into the socket
  }
  return undefined;
}
