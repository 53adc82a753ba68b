// What a configuration asks of the host, as plain data: the interfaces it uses and why, the IPVS
// schedulers, the forwarding methods, the multicast instances and the VRIDs to listen for. Pure.
import type { Config, Family, LbKind, Scheduler } from '../config/model.js';
import { OWNER_PRIORITY } from '../vrrp/accept-vips.js';

/** Why an interface is in the config; `required` ones must exist and be up, tracked ones may be down. */
export interface InterfaceUse { name: string; uses: string[]; required: boolean; multicast: boolean }

/** One VRRP instance as the foreign-cluster check needs it. */
export interface VridUse { instance: string; iface: string; family: Family; vrid: number; vips: string[]; advertIntervalMs: number; multicast: boolean }

export interface HostNeeds {
  interfaces: InterfaceUse[];
  schedulers: Scheduler[];
  /** Forwarding methods used, by family (a NAT service of family 6 needs IPv6 forwarding). */
  kinds: { kind: LbKind; family: Family; where: string }[];
  vrids: VridUse[];
  virtualServers: number;
  vrrpStrict: boolean;
  /** Instances with accept mode off (no_accept, or vrrp_strict without accept): their VIPs are filtered with nft. */
  noAccept: string[];
  mcastGroup4: string;
  mcastGroup6: string;
}

export function hostNeeds(cfg: Config): HostNeeds {
  const ifaces = new Map<string, InterfaceUse>();
  const use = (name: string, why: string, required: boolean, multicast = false) => {
    const u = ifaces.get(name) ?? { name, uses: [], required: false, multicast: false };
    if (!u.uses.includes(why)) u.uses.push(why);
    u.required ||= required;
    u.multicast ||= multicast;
    ifaces.set(name, u);
  };
  const vrids: VridUse[] = [];
  for (const i of cfg.vrrpInstances) {
    const multicast = i.unicastPeers.length === 0;
    use(i.interface, `vrrp_instance ${i.name}`, true, multicast);
    for (const v of [...i.virtualIps, ...i.excludedVips]) if (v.dev !== i.interface) use(v.dev, `a VIP of ${i.name}`, true);
    for (const t of i.trackInterfaces) use(t.name, `track_interface of ${i.name}`, false);
    vrids.push({
      instance: i.name, iface: i.interface, family: i.family, vrid: i.vrid, advertIntervalMs: i.advertIntervalMs, multicast,
      vips: i.virtualIps.map((v) => v.address),
    });
  }
  for (const g of cfg.syncGroups) for (const t of g.trackInterfaces) use(t.name, `track_interface of sync group ${g.name}`, false);
  if (cfg.global.lvsSyncDaemon) use(cfg.global.lvsSyncDaemon.interface, 'lvs_sync_daemon', true);

  const schedulers = new Set<Scheduler>();
  const kinds = new Map<string, { kind: LbKind; family: Family; where: string }>();
  const kind = (k: LbKind, family: Family, where: string) => { if (!kinds.has(`${k}/${family}`)) kinds.set(`${k}/${family}`, { kind: k, family, where }); };
  for (const vs of cfg.virtualServers) {
    schedulers.add(vs.lbAlgo);
    kind(vs.lbKind, vs.family, `virtual_server ${vs.name}`);
    for (const rs of vs.realServers) kind(rs.lbKind, rs.family, `real_server ${rs.address} of ${vs.name}`);
    if (vs.sorryServer) kind(vs.sorryServer.lbKind, vs.sorryServer.family, `sorry_server of ${vs.name}`);
  }
  return {
    interfaces: [...ifaces.values()],
    schedulers: [...schedulers],
    kinds: [...kinds.values()],
    vrids,
    virtualServers: cfg.virtualServers.length,
    vrrpStrict: cfg.global.vrrpStrict,
    noAccept: cfg.vrrpInstances.filter((i) => !i.accept && i.priority !== OWNER_PRIORITY).map((i) => i.name),
    mcastGroup4: cfg.global.mcastGroup4,
    mcastGroup6: cfg.global.mcastGroup6,
  };
}
