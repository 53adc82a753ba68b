// The kernel routing table as the announcement engine sees it: install, remove and list the
// routes that carry vipkeeper's route protocol number in one table. Every other route (another
// protocol, another table) is out of reach of this port by construction, which is what lets a
// flush at start be safe on a router that has other routes in the same table.
/** rtm_protocol of every route vipkeeper installs. Not in /etc/iproute2/rt_protos nor linux/rtnetlink.h ('V' = 86). */
export const RTPROT_VIPKEEPER = 86;

export interface AnnounceRoute {
  /** Canonical network text, "10.20.0.1/32". */
  prefix: string;
  table: number;
  /** RTA_PRIORITY; 0 = none (IPv6: the kernel stores 1024). */
  metric: number;
}

export type InstallResult = 'installed' | 'already-present';
export type RemoveResult = 'removed' | 'not-present';

export interface RoutePort {
  /** Installs our route; present already (ours, same prefix and metric) is a success. */
  install(r: AnnounceRoute): Promise<InstallResult>;
  /** Removes our route; absent is a success. Never touches a route of another protocol. */
  remove(r: AnnounceRoute): Promise<RemoveResult>;
  /** Our routes in `table` (both families). */
  list(table: number): Promise<AnnounceRoute[]>;
}
