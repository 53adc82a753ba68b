// RoutePort over rtnetlink: vipkeeper's announcement routes are blackhole routes with protocol
// RTPROT_VIPKEEPER in one table. Blackhole because the table only marks what to announce (no
// policy rule sends traffic to it) and a blackhole needs no interface, so a VIP on lo (DR) and
// a VIP moved by VRRP are announced alike; for a covering prefix it is the usual discard route.
import { SysError, VipError } from '../lib/errors.js';
import { parsePrefix } from '../lib/ip.js';
import { NLM_F } from '../codec/netlink/message.js';
import { RTM_ROUTE, decodeRoute, encodeRouteDelete, encodeRouteDump, encodeRouteRequest, routePrefix, type RouteType } from '../codec/netlink/route.js';
import { NETLINK_ROUTE, NetlinkSocket } from '../net/netlink-socket.js';
import { RTPROT_VIPKEEPER, type AnnounceRoute, type InstallResult, type RemoveResult, type RoutePort } from '../announce/route-port.js';

const TYPE: RouteType = 'blackhole';
/** IPv6 routes with no metric get this one from the kernel (IP6_RT_PRIO_USER). */
const IPV6_DEFAULT_METRIC = 1024;

export class NetlinkRoutes implements RoutePort {
  constructor(private readonly sock: NetlinkSocket, private readonly protocol = RTPROT_VIPKEEPER) {}

  /** Opens its own NETLINK_ROUTE socket in the current network namespace. */
  static open(protocol = RTPROT_VIPKEEPER): NetlinkRoutes { return new NetlinkRoutes(NetlinkSocket.open(NETLINK_ROUTE), protocol); }

  close(): void { this.sock.close(); }

  async install(r: AnnounceRoute): Promise<InstallResult> {
    const p = parsePrefix(r.prefix);
    const op = `add route ${r.prefix} table ${r.table} proto ${this.protocol}`;
    const payload = encodeRouteRequest({ dst: p.addr, dstLen: p.len, table: r.table, protocol: this.protocol, type: TYPE, ...(r.metric ? { priority: r.metric } : {}) });
    try {
      await this.sock.request(RTM_ROUTE.NEWROUTE, NLM_F.CREATE | NLM_F.EXCL, payload, { op });
      return 'installed';
    } catch (e) {
      if (!(e instanceof VipError && e.code === 'EEXIST')) throw e;
    }
    // EXCL, not REPLACE: replacing would overwrite someone else's route at the same key. So an
    // existing route is a success only when it is ours.
    const mine = (await this.list(r.table)).some((x) => x.prefix === r.prefix && sameMetric(x.metric, r.metric, p.family));
    if (mine) return 'already-present';
    throw new VipError('route-conflict', `${op}: table ${r.table} already has a route to ${r.prefix} from another protocol; it is left alone`, { prefix: r.prefix, table: r.table });
  }

  async remove(r: AnnounceRoute): Promise<RemoveResult> {
    const p = parsePrefix(r.prefix);
    const op = `delete route ${r.prefix} table ${r.table} proto ${this.protocol}`;
    const payload = encodeRouteDelete({ dst: p.addr, dstLen: p.len, table: r.table, protocol: this.protocol, type: TYPE, ...(r.metric ? { priority: r.metric } : {}) });
    try {
      await this.sock.request(RTM_ROUTE.DELROUTE, 0, payload, { op });
      return 'removed';
    } catch (e) {
      if (e instanceof SysError && (e.code === 'ESRCH' || e.code === 'ENOENT')) return 'not-present';
      throw e;
    }
  }

  async list(table: number): Promise<AnnounceRoute[]> {
    const msgs = await this.sock.request(RTM_ROUTE.GETROUTE, NLM_F.DUMP, encodeRouteDump(0), { op: `list routes of table ${table}` });
    return msgs.filter((m) => m.type === RTM_ROUTE.NEWROUTE).map(decodeRoute)
      .filter((x) => x.table === table && x.protocol === this.protocol)
      .map((x) => ({ prefix: routePrefix(x), table, metric: x.priority }));
  }
}

function sameMetric(have: number, want: number, family: 4 | 6): boolean {
  return have === want || (family === 6 && want === 0 && have === IPV6_DEFAULT_METRIC);
}
