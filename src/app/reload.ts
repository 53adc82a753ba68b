// Reload as a pure diff: an instance is kept (state, timers and VIPs untouched) when its own
// configuration, its sync group and everything it tracks are unchanged; otherwise the old one is
// stopped and a new one started. Instances only in the new configuration are started.
import type { Config } from '../config/model.js';

export interface ReloadPlan {
  keep: string[];
  /** Old instances to stop (removed or changed). */
  stop: string[];
  /** New instances to start (added or changed). */
  start: string[];
}

/** A key per instance: equal keys = nothing that affects the instance changed. */
export function instanceKeys(cfg: Config): Map<string, string> {
  const g = cfg.global;
  const shared = { scriptUser: g.scriptUser, scriptSecurity: g.scriptSecurity, mcast: [g.mcastGroup4, g.mcastGroup6], version: g.vrrpVersion };
  const out = new Map<string, string>();
  for (const inst of cfg.vrrpInstances) {
    const group = cfg.syncGroups.find((s) => s.instances.includes(inst.name));
    const scriptNames = new Set([...inst.trackScripts, ...(group?.trackScripts ?? [])].map((t) => t.name));
    const fileNames = new Set([...inst.trackFiles, ...(group?.trackFiles ?? [])].map((t) => t.name));
    out.set(inst.name, JSON.stringify({
      inst, group: group ?? null, shared,
      scripts: cfg.vrrpScripts.filter((s) => scriptNames.has(s.name)),
      files: cfg.trackFiles.filter((f) => fileNames.has(f.name)),
    }));
  }
  return out;
}

export function planReload(old: Map<string, string>, next: Map<string, string>): ReloadPlan {
  const plan: ReloadPlan = { keep: [], stop: [], start: [] };
  for (const [name, key] of old) {
    if (next.get(name) === key) plan.keep.push(name);
    else plan.stop.push(name);
  }
  for (const [name, key] of next) if (old.get(name) !== key) plan.start.push(name);
  return plan;
}
