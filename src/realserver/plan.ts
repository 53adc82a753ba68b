// The real-server side of LVS-DR and LVS-TUN, decided without touching the host: which sysctls to
// set, which VIP addresses to add, and what teardown must put back. Setup remembers the values it
// found (first setup wins), so teardown restores exactly those and removes only what it added.
import { formatIP, parseIP } from '../lib/ip.js';

export type Mode = 'dr' | 'tun';

export interface SavedSysctl { path: string[]; original: string }

/** What the state file keeps between setup and teardown. */
export interface RealServerState {
  version: 1;
  mode: Mode;
  device: string;
  /** Values found before the first setup changed them. */
  sysctls: SavedSysctl[];
  /** "addr/len" addresses setup added (and so teardown removes). */
  addresses: string[];
  /** TUN: whether tunl0 was up before setup (teardown puts it back down if not). */
  linkWasUp?: boolean;
}

export interface Observed {
  /** Current values by path key ('net/ipv4/conf/all/arp_ignore'). */
  sysctls: Map<string, string | undefined>;
  /** "addr/len" on the device. */
  addresses: string[];
  /** The device's state; undefined when it does not exist. */
  link?: { up: boolean };
}

export type Step =
  | { kind: 'sysctl'; path: string[]; value: string; from: string }
  | { kind: 'add-address'; dev: string; cidr: string }
  | { kind: 'delete-address'; dev: string; cidr: string }
  | { kind: 'link'; dev: string; up: boolean };

export const key = (path: string[]): string => path.join('/');
export const sysctlName = (path: string[]): string => path.join('.');

export const deviceFor = (mode: Mode): string => (mode === 'dr' ? 'lo' : 'tunl0');

/**
 * arp_ignore=1: answer ARP only for addresses on the receiving interface, so the VIP on lo/tunl0
 * is never claimed on the LAN; arp_announce=2: never use the VIP as an ARP source. TUN also
 * relaxes rp_filter: decapsulated packets arrive on tunl0, where no route back points.
 */
export function desiredSysctls(mode: Mode): { path: string[]; value: string }[] {
  const dev = deviceFor(mode);
  const conf = (d: string, k: string, value: string) => ({ path: ['net', 'ipv4', 'conf', d, k], value });
  const out = [conf('all', 'arp_ignore', '1'), conf('all', 'arp_announce', '2'), conf(dev, 'arp_ignore', '1'), conf(dev, 'arp_announce', '2')];
  if (mode === 'tun') out.push(conf('all', 'rp_filter', '0'), conf(dev, 'rp_filter', '0'));
  return out;
}

/** "10.0.0.1" -> "10.0.0.1/32"; IPv6 -> "/128". Throws with words on a bad address. */
export function vipCidr(text: string): string {
  const t = text.trim();
  const [addr, len, ...rest] = t.split('/');
  const p = parseIP(addr ?? '');
  const full = p.family === 4 ? 32 : 128;
  if (rest.length || (len !== undefined && Number(len) !== full)) throw new Error(`VIP ${t}: a real server holds a VIP as a host address (/${full}), not a prefix`);
  return `${formatIP(p.addr)}/${full}`;
}

/** Why setup cannot start at all (checked before loading any module), or undefined. */
export function setupConflict(mode: Mode, cidrs: string[], prior: RealServerState | undefined): string | undefined {
  if (prior && prior.mode !== mode) return `this host is already set up for ${prior.mode.toUpperCase()} (state file); run teardown --mode ${prior.mode} first`;
  if (mode === 'tun' && cidrs.some((c) => c.includes(':'))) return 'IPv6 VIPs over TUN (ip6tnl0) are not supported; use IPv4 VIPs, or DR';
  return undefined;
}

export function planSetup(mode: Mode, cidrs: string[], seen: Observed, prior: RealServerState | undefined): { steps: Step[]; state: RealServerState } | { error: string } {
  const dev = deviceFor(mode);
  const conflict = setupConflict(mode, cidrs, prior);
  if (conflict) return { error: conflict };
  if (!seen.link) return { error: `device ${dev} does not exist${mode === 'tun' ? ' (the ipip module provides it)' : ''}` };
  const steps: Step[] = [];
  const saved = new Map((prior?.sysctls ?? []).map((s) => [key(s.path), s]));
  for (const d of desiredSysctls(mode)) {
    const cur = seen.sysctls.get(key(d.path));
    if (cur === undefined) return { error: `${sysctlName(d.path)} does not exist on this host` };
    // A second setup keeps the first one's originals: the current value may be ours.
    if (!saved.has(key(d.path))) saved.set(key(d.path), { path: d.path, original: cur });
    if (cur !== d.value) steps.push({ kind: 'sysctl', path: d.path, value: d.value, from: cur });
  }
  const state: RealServerState = { version: 1, mode, device: dev, sysctls: [...saved.values()], addresses: [...(prior?.addresses ?? [])] };
  if (mode === 'tun') {
    state.linkWasUp = prior?.linkWasUp ?? seen.link.up;
    if (!seen.link.up) steps.push({ kind: 'link', dev, up: true });
  }
  for (const c of cidrs) {
    if (seen.addresses.includes(c)) continue;
    steps.push({ kind: 'add-address', dev, cidr: c });
    if (!state.addresses.includes(c)) state.addresses.push(c);
  }
  return { steps, state };
}

/**
 * Teardown of the named VIPs: the ones setup added are removed. When none of setup's addresses is
 * left, the sysctls go back to what setup found and the state is dropped (`state` undefined);
 * otherwise the sysctls stay, since the other VIPs still need them.
 */
export function planTeardown(mode: Mode, cidrs: string[], seen: Observed, state: RealServerState | undefined): { steps: Step[]; state?: RealServerState; kept: string[] } | { error: string } {
  if (!state) return { error: 'no state file: setup was not run on this host, or teardown already restored it' };
  if (state.mode !== mode) return { error: `this host was set up for ${state.mode.toUpperCase()}, not ${mode.toUpperCase()}` };
  const steps: Step[] = [];
  const remove = state.addresses.filter((a) => cidrs.includes(a));
  const kept = cidrs.filter((c) => !state.addresses.includes(c) && seen.addresses.includes(c));
  for (const a of remove) if (seen.addresses.includes(a)) steps.push({ kind: 'delete-address', dev: state.device, cidr: a });
  const left = state.addresses.filter((a) => !remove.includes(a));
  if (left.length) return { steps, state: { ...state, addresses: left }, kept };
  for (const s of state.sysctls) {
    const cur = seen.sysctls.get(key(s.path));
    if (cur !== undefined && cur !== s.original) steps.push({ kind: 'sysctl', path: s.path, value: s.original, from: cur });
  }
  if (state.linkWasUp === false && seen.link?.up) steps.push({ kind: 'link', dev: state.device, up: false });
  return { steps, kept };
}

/** The step that undoes `s` (for rolling back a setup that failed half-way). */
export function undo(s: Step): Step {
  switch (s.kind) {
    case 'sysctl': return { kind: 'sysctl', path: s.path, value: s.from, from: s.value };
    case 'add-address': return { kind: 'delete-address', dev: s.dev, cidr: s.cidr };
    case 'delete-address': return { kind: 'add-address', dev: s.dev, cidr: s.cidr };
    case 'link': return { kind: 'link', dev: s.dev, up: !s.up };
  }
}

export function describe(s: Step): string {
  switch (s.kind) {
    case 'sysctl': return `${sysctlName(s.path)} = ${s.value} (was ${s.from})`;
    case 'add-address': return `added ${s.cidr} on ${s.dev}`;
    case 'delete-address': return `removed ${s.cidr} from ${s.dev}`;
    case 'link': return `${s.dev} ${s.up ? 'up' : 'down'}`;
  }
}
