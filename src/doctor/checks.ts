// doctor's decisions: from what the config needs and what the host has, one finding per check,
// each naming the problem in words and the command that fixes it. Pure; the facts come from a
// DoctorHost through doctor.ts.
import type { HostNeeds } from './needs.js';
import type { IpvsFact, LinkFact, ModuleFact } from './host.js';

export type Level = 'ok' | 'warn' | 'fail';
export interface Finding { level: Level; check: string; message: string; fix?: string }

export interface HostFacts {
  capEff: bigint | undefined;
  ipvs: IpvsFact;
  /** modinfo ip_vs: tells "not loaded" from "not in this kernel". */
  ipvsModule: ModuleFact;
  schedulers: Map<string, ModuleFact>;
  links: LinkFact[] | { error: string };
  /** /proc/sys values by 'net/ipv4/ip_forward'-style key. */
  sysctl: Map<string, string | undefined>;
  commands: Map<string, boolean>;
}

export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;

/** The /proc/sys keys the checks read for these needs. */
export function sysctlsWanted(needs: HostNeeds): string[][] {
  const out: string[][] = [];
  if (needs.kinds.some((k) => k.kind === 'NAT' && k.family === 4)) out.push(['net', 'ipv4', 'ip_forward']);
  if (needs.kinds.some((k) => k.kind === 'NAT' && k.family === 6)) out.push(['net', 'ipv6', 'conf', 'all', 'forwarding']);
  if (needs.kinds.some((k) => k.kind !== 'NAT' && k.family === 4)) {
    out.push(['net', 'ipv4', 'conf', 'all', 'rp_filter']);
    for (const i of rpInterfaces(needs)) out.push(['net', 'ipv4', 'conf', i, 'rp_filter']);
  }
  return out;
}

export const sysctlKey = (path: string[]): string => path.join('/');
const sysctlName = (path: string[]): string => path.join('.');

/** rp_filter matters where the VIPs arrive: the VRRP interfaces. */
function rpInterfaces(needs: HostNeeds): string[] { return [...new Set(needs.vrids.map((v) => v.iface))]; }

export function commandsWanted(needs: HostNeeds): string[] { return needs.noAccept.length ? ['nft'] : []; }

export function checkPrivileges(capEff: bigint | undefined): Finding {
  const check = 'privileges';
  if (capEff === undefined) return { level: 'warn', check, message: 'could not read CapEff from /proc/self/status', fix: 'run vipkeeper as root' };
  const missing = [[CAP_NET_ADMIN, 'CAP_NET_ADMIN'], [CAP_NET_RAW, 'CAP_NET_RAW']]
    .filter(([bit]) => (capEff & (1n << BigInt(bit as number))) === 0n).map(([, n]) => n as string);
  if (missing.length === 0) return { level: 'ok', check, message: 'CAP_NET_ADMIN and CAP_NET_RAW are effective' };
  return {
    level: 'fail', check,
    message: `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not effective: VIPs, IPVS and VRRP sockets need them`,
    fix: 'run as root, or give the service AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW (systemd)',
  };
}

export function checkIpvs(needs: HostNeeds | undefined, ipvs: IpvsFact, mod: ModuleFact): Finding {
  const check = 'ip_vs';
  const needed = needs === undefined || needs.virtualServers > 0;
  const whom = needs === undefined ? '' : `; the config has ${needs.virtualServers} virtual server${needs.virtualServers === 1 ? '' : 's'}`;
  if (ipvs.state === 'available') return { level: 'ok', check, message: `IPVS is available in this kernel${whom}` };
  if (ipvs.state === 'unknown') return { level: 'warn', check, message: `could not tell whether IPVS is available: ${ipvs.detail}`, fix: 'run doctor as root' };
  // Absent: say whether loading a module would help or the kernel was built without it.
  const [why, fix] = mod === 'installed'
    ? ['IPVS is not available: the ip_vs module is installed but not loaded', 'modprobe ip_vs (and add ip_vs to /etc/modules-load.d/ to load it at boot)']
    : mod === 'unknown'
      ? ['IPVS is not available: the ip_vs module is not loaded (no modinfo to tell whether it is installed)', 'modprobe ip_vs']
      : ['this kernel has no IPVS (ip_vs is not loaded, not built in, and not installed as a module)',
        'install the kernel modules package for this kernel, or boot a kernel built with CONFIG_IP_VS'];
  if (!needed) return { level: 'ok', check, message: `${why}; not needed: the config has no virtual servers` };
  return { level: needs === undefined ? 'warn' : 'fail', check, message: `${why}${whom}`, fix };
}

export function checkScheduler(name: string, mod: ModuleFact): Finding {
  const check = `scheduler ${name}`;
  const m = `ip_vs_${name}`;
  switch (mod) {
    case 'loaded': return { level: 'ok', check, message: `${m} is loaded` };
    case 'builtin': return { level: 'ok', check, message: `${m} is built into the kernel` };
    // The kernel loads a scheduler's module itself when a service asks for it.
    case 'installed': return { level: 'ok', check, message: `${m} is installed; the kernel loads it on first use` };
    case 'unknown': return { level: 'warn', check, message: `could not tell whether ${m} is available (no modinfo)`, fix: 'apt-get install kmod' };
    case 'missing': return {
      level: 'fail', check, message: `${m} is not loaded, not built in and not installed (modinfo ${m} found nothing): services with lb_algo ${name} cannot be created`,
      fix: `install the kernel modules package for this kernel, or choose another lb_algo`,
    };
  }
}

export function checkInterfaces(needs: HostNeeds, links: LinkFact[] | { error: string }): Finding[] {
  if (!Array.isArray(links)) return [{ level: 'warn', check: 'interfaces', message: `could not list interfaces: ${links.error}` }];
  const byName = new Map(links.map((l) => [l.name, l]));
  const out: Finding[] = [];
  for (const u of needs.interfaces) {
    const check = `interface ${u.name}`;
    const why = `(${u.uses.join(', ')})`;
    const l = byName.get(u.name);
    const bad = u.required ? 'fail' as const : 'warn' as const;
    if (!l) {
      out.push({ level: bad, check, message: `does not exist ${why}`, fix: `create it, or correct the interface name in the config (present: ${[...byName.keys()].join(', ') || 'none'})` });
      continue;
    }
    if (!l.up) {
      out.push({ level: bad, check, message: `is down ${why}${u.required ? ': its instances would start in FAULT' : ''}`, fix: `ip link set ${u.name} up` });
      continue;
    }
    if (u.multicast && !l.multicast) {
      out.push({ level: 'fail', check, message: `has multicast off, and a multicast VRRP instance uses it ${why}`, fix: `ip link set ${u.name} multicast on, or give the instance unicast_peer` });
      continue;
    }
    const carrier = l.lowerUp ? '' : ' (no carrier yet)';
    out.push({ level: l.lowerUp || !u.required ? 'ok' : 'warn', check, message: `is up${carrier}${u.multicast ? ', multicast on' : ''} ${why}`, ...(l.lowerUp ? {} : { fix: 'check the cable or the peer end of the link' }) });
  }
  return out;
}

export function checkForwarding(needs: HostNeeds, sysctl: Map<string, string | undefined>): Finding[] {
  const out: Finding[] = [];
  for (const family of [4, 6] as const) {
    const nat = needs.kinds.find((k) => k.kind === 'NAT' && k.family === family);
    if (!nat) continue;
    const path = family === 4 ? ['net', 'ipv4', 'ip_forward'] : ['net', 'ipv6', 'conf', 'all', 'forwarding'];
    const v = sysctl.get(sysctlKey(path));
    const check = sysctlName(path);
    if (v === '1') out.push({ level: 'ok', check, message: `is 1, as NAT forwarding needs (${nat.where})` });
    else out.push({
      level: 'fail', check, message: `is ${v ?? 'absent'}: NAT (${nat.where}) needs the director to forward packets`,
      fix: `sysctl -w ${check}=1, and set it in /etc/sysctl.d/ so it survives a reboot`,
    });
  }
  return out;
}

export function checkRpFilter(needs: HostNeeds, sysctl: Map<string, string | undefined>): Finding[] {
  const k = needs.kinds.find((x) => x.kind !== 'NAT' && x.family === 4);
  if (!k) return [];
  const all = Number(sysctl.get('net/ipv4/conf/all/rp_filter') ?? 0);
  const out: Finding[] = [];
  const ifaces = rpInterfaces(needs);
  for (const i of ifaces.length ? ifaces : ['all']) {
    const dev = Number(sysctl.get(`net/ipv4/conf/${i}/rp_filter`) ?? 0);
    // The kernel uses the larger of conf/all and conf/DEV.
    const eff = Math.max(all, dev);
    const check = `rp_filter on ${i}`;
    if (eff !== 1) out.push({ level: 'ok', check, message: `is ${eff}${eff === 2 ? ' (loose)' : ''}: ${k.kind} traffic is not dropped by reverse-path filtering` });
    else out.push({
      level: 'warn', check,
      message: `is 1 (strict; all=${all}, ${i}=${dev}): with ${k.kind} (${k.where}) packets for a VIP whose reply route is another interface are dropped`,
      fix: `sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.${i}.rp_filter=2 (loose)`,
    });
  }
  return out;
}

export function checkCommands(needs: HostNeeds, commands: Map<string, boolean>): Finding[] {
  if (!needs.noAccept.length) return [];
  const who = `no_accept${needs.vrrpStrict ? ' (vrrp_strict)' : ''} of ${needs.noAccept.join(', ')}`;
  return commands.get('nft')
    ? [{ level: 'ok', check: 'nft', message: `nft is installed (${who}: traffic to the VIPs is dropped with nftables)` }]
    : [{ level: 'fail', check: 'nft', message: `nft is not installed, and ${who} needs nftables to drop traffic to the VIPs (they would be reachable)`, fix: 'apt-get install nftables, or write `accept` in the instance' }];
}

/** Every check that needs no listening, in the order they are printed. */
export function hostFindings(needs: HostNeeds | undefined, facts: HostFacts): Finding[] {
  const out = [checkPrivileges(facts.capEff), checkIpvs(needs, facts.ipvs, facts.ipvsModule)];
  if (!needs) return out;
  for (const s of needs.schedulers) out.push(checkScheduler(s, facts.schedulers.get(s) ?? 'unknown'));
  out.push(...checkInterfaces(needs, facts.links), ...checkForwarding(needs, facts.sysctl), ...checkRpFilter(needs, facts.sysctl), ...checkCommands(needs, facts.commands));
  return out;
}
