// Which kernel module files the guest needs: the wanted modules plus everything modules.dep says they
// depend on. Pure: text in, paths out.

/** Modules loaded at boot, in this order (modprobe pulls in their dependencies). */
export const BOOT_MODULES = [
  'qemu_fw_cfg', // the host passes the command through fw_cfg
  'ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_lc', 'ip_vs_wlc', 'ip_vs_lblc', 'ip_vs_lblcr', 'ip_vs_dh',
  'ip_vs_sh', 'ip_vs_sed', 'ip_vs_nq', 'ip_vs_fo', 'ip_vs_ovf', 'ip_vs_mh',
];

/** Shipped in the image for tests to modprobe on demand (tunnels for IPVS TUN, test interfaces). */
export const EXTRA_MODULES = [
  'ip_vs_ftp', 'ip_vs_pe_sip', 'dummy', 'veth', 'ipip', 'ip6_tunnel', 'sit', 'fou', 'fou6', 'gre',
  'ip_gre', 'ip6_gre', 'sctp', 'nf_conntrack_netlink', 'xt_mark', 'iptable_mangle', 'ip6table_mangle',
  'nf_tables', 'nft_chain_nat', 'xt_ipvs', 'bridge', 'macvlan',
];

/** Module name as the kernel spells it: file basename without .ko[.xz|.zst|.gz], '-' read as '_'. */
export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

/** modules.dep lines `path: dep dep ...` to a map from module name to {path, deps (paths)}. */
export function parseModulesDep(text: string): Map<string, { path: string; deps: string[] }> {
  const out = new Map<string, { path: string; deps: string[] }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const path = line.slice(0, colon).trim();
    const deps = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    out.set(moduleName(path), { path, deps });
  }
  return out;
}

export interface ModuleSelection {
  /** Relative paths (as in modules.dep) of every file to ship, each once. */
  paths: string[];
  /** Wanted names that this kernel does not have as a module (built in or absent). */
  unknown: string[];
}

/** The wanted modules and their dependency closure. */
export function selectModules(depText: string, wanted: string[]): ModuleSelection {
  const dep = parseModulesDep(depText);
  const byPath = new Map([...dep.values()].map((m) => [m.path, m]));
  const paths = new Set<string>();
  const unknown: string[] = [];
  for (const name of wanted) {
    const m = dep.get(name.replace(/-/g, '_'));
    if (!m) { unknown.push(name); continue; }
    for (const p of [m.path, ...m.deps]) {
      paths.add(p);
      // modules.dep already lists the full closure; this also covers a hand-trimmed file.
      for (const d of byPath.get(p)?.deps ?? []) paths.add(d);
    }
  }
  return { paths: [...paths].sort(), unknown };
}
