// Reload as a pure diff of instances. Each instance has two keys:
// - its wire identity: interface, VRID, family, version, unicast or multicast (and the group),
//   and the source address. These are what the socket and the peers know the instance by; a
//   change means a different VRRP router, so the instance restarts.
// - its settings: everything else that affects it (its own block, its sync group, the scripts
//   and files it tracks, the script user and security). A change is applied in place.
// Unicast peers are settings, not identity: the socket is bound to the source, not to the peers,
// so the peer list (destinations and the receive filter) is swapped on the running instance.
import type { Config, VrrpInstance } from '../config/model.js';

// keep, stop and start keep their earlier meaning (a restarted instance is in both stop and
// start), so readers of the plan that predate in-place updates stay right.
export interface ReloadPlan {
  /** Nothing changed: untouched. */
  keep: string[];
  /** Settings changed, same wire identity: applied to the running instance, never stopped. */
  update: string[];
  /** Wire identity changed: stopped, then started as a new instance (also in stop and start). */
  restart: string[];
  /** Old instances stopped: removed from the configuration, or restarted. */
  stop: string[];
  /** New instances started: added to the configuration, or restarted. */
  start: string[];
}

export interface InstanceKeys {
  identity: string;
  settings: string;
}

/**
 * The wire identity of one instance. The source is the configured one (unicast_src_ip,
 * mcast_src_ip) or "the interface's primary address", which the interface decides, not the file.
 */
export function wireIdentity(cfg: Config, inst: VrrpInstance): string {
  const src = inst.unicastSrcIp ?? inst.mcastSrcIp;
  const multicast = inst.unicastPeers.length === 0;
  const group = multicast ? (inst.family === 4 ? cfg.global.mcastGroup4 : cfg.global.mcastGroup6) : null;
  // AH runs on another socket (IP protocol 51): switching to or from it is a restart.
  const ah = inst.authType === 'AH';
  return JSON.stringify({ iface: inst.interface, vrid: inst.vrid, family: inst.family, version: inst.version, multicast, group, src: src ?? null, ...(ah ? { ah } : {}), ...(inst.vmac ? { vmac: inst.vmac } : {}) });
}

/** The settings key of every instance: equal keys = nothing that affects the instance changed. */
export function settingsKeys(cfg: Config): Map<string, string> {
  const g = cfg.global;
  const shared = { scriptUser: g.scriptUser, scriptSecurity: g.scriptSecurity };
  const out = new Map<string, string>();
  for (const inst of cfg.vrrpInstances) {
    const group = cfg.syncGroups.find((s) => s.instances.includes(inst.name));
    const scriptNames = new Set([...inst.trackScripts, ...(group?.trackScripts ?? [])].map((t) => t.name));
    const fileNames = new Set([...inst.trackFiles, ...(group?.trackFiles ?? [])].map((t) => t.name));
    const processNames = new Set([...(inst.trackProcesses ?? []), ...(group?.trackProcesses ?? [])].map((t) => t.name));
    out.set(inst.name, JSON.stringify({
      inst, group: group ?? null, shared,
      scripts: cfg.vrrpScripts.filter((s) => scriptNames.has(s.name)),
      files: cfg.trackFiles.filter((f) => fileNames.has(f.name)),
      // A changed process tracker is a new source: the instance's bindings must be rebuilt.
      ...(processNames.size > 0 ? { processes: (cfg.trackProcesses ?? []).filter((t) => processNames.has(t.name)) } : {}),
    }));
  }
  return out;
}

export function planReload(old: Map<string, InstanceKeys>, next: Map<string, InstanceKeys>): ReloadPlan {
  const plan: ReloadPlan = { keep: [], update: [], restart: [], stop: [], start: [] };
  for (const [name, o] of old) {
    const n = next.get(name);
    if (!n) plan.stop.push(name);
    else if (n.identity !== o.identity) { plan.restart.push(name); plan.stop.push(name); }
    else if (n.settings !== o.settings) plan.update.push(name);
    else plan.keep.push(name);
  }
  for (const name of next.keys()) if (!old.has(name) || plan.restart.includes(name)) plan.start.push(name);
  return plan;
}

