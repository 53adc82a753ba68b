// Cross-field and range rules for global_defs and the VRRP side. Where keepalived would quietly
// fall back to a default for a bad value, we refuse it and name the valid range.
import { isMulticast, parseIP } from '../lib/ip.js';
import type { Config, TrackRef, VrrpInstance } from './model.js';
import type { Reporter } from './normalize.js';
import { checkVirtualRoutes } from './semantic-virtual-routes.js';
import { checkVmac, checkVmacNames } from './semantic-vmac.js';
import { checkTrackProcesses } from './semantic-track-process.js';
import { inMsRange, inRange } from './in-range.js';

export function range(r: Reporter, path: string, what: string, v: number | undefined, min: number, max: number, unit = ''): boolean {
  if (inRange(v, min, max)) return true;
  r.error(path, `${r.subject(path, what)} must be ${min}-${max}${unit}, got ${v}${unit}`);
  return false;
}

/** Durations are ms in the model; keepalived writes seconds, so messages say both. */
export function msRange(r: Reporter, path: string, what: string, v: number | undefined, minMs: number, maxMs: number): void {
  if (v === undefined || inMsRange(v, minMs, maxMs)) return;
  if (r.format === 'yaml') r.error(path, `${r.subject(path, what)} must be ${minMs}-${maxMs} ms, got ${v} ms`);
  else r.error(path, `${what} must be ${minMs / 1000}-${maxMs / 1000} s, got ${v / 1000} s`);
}

export function duplicates<T>(r: Reporter, items: T[], key: (t: T) => string | undefined, path: (i: number) => string, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((t, i) => {
    const k = key(t);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first === undefined) { seen.set(k, i); return; }
    const firstPos = r.sources.get(path(first));
    r.error(path(i), `duplicate ${r.subject(path(i), what)} '${k}'${firstPos ? ` (first defined at line ${firstPos.line})` : ''}`);
  });
}

/** Linux interface names: 1-15 bytes (IFNAMSIZ - 1), no '/', ':' or white space. */
export function ifname(r: Reporter, path: string, what: string, name: string | undefined): void {
  if (name === undefined) return;
  if (!/^[^\s/:]{1,15}$/.test(name) || name === '.' || name === '..') r.error(path, `${what}: '${name}' is not a valid interface name (1-15 characters, no '/', ':' or spaces)`);
}

const SCOPES = new Set(['host', 'link', 'site', 'global', 'nowhere']);

function checkGlobal(r: Reporter, c: Config): void {
  const g = c.global;
  if (g.vrrpVersion !== 2 && g.vrrpVersion !== 3) r.error('/global/vrrpVersion', `vrrp_version must be 2 or 3, got ${g.vrrpVersion}`);
  for (const [k, fam] of [['mcastGroup4', 4], ['mcastGroup6', 6]] as const) {
    let ok = false;
    try { const p = parseIP(g[k]); ok = p.family === fam && isMulticast(p.addr); } catch { ok = false; }
    if (!ok) r.error(`/global/${k}`, `${k === 'mcastGroup4' ? 'vrrp_mcast_group4' : 'vrrp_mcast_group6'} must be an IPv${fam} multicast address, got '${g[k]}'`);
  }
}

function checkAdvert(r: Reporter, p: string, x: VrrpInstance): void {
  const v = x.advertIntervalMs;
  if (x.version === 2) {
    // RFC 3768 §5.3.7: an 8-bit count of whole seconds.
    if (v % 1000 !== 0 || v < 1000 || v > 255_000) {
      r.error(`${p}/advertIntervalMs`, r.format === 'yaml'
        ? `${r.subject(`${p}/advertIntervalMs`, '')} for VRRPv2 must be whole seconds, 1000-255000 in steps of 1000, got ${v}`
        : `advert_int for VRRPv2 must be whole seconds 1-255, got ${v / 1000} s`);
    }
  } else if (v % 10 !== 0 || v < 10 || v > 40_950) {
    // RFC 5798 §5.2.7: a 12-bit count of centiseconds.
    r.error(`${p}/advertIntervalMs`, r.format === 'yaml'
      ? `${r.subject(`${p}/advertIntervalMs`, '')} for VRRPv3 must be 10-40950 in steps of 10, got ${v}`
      : `advert_int for VRRPv3 must be 0.01-40.95 s in steps of 0.01 s, got ${v / 1000} s`);
  }
}

function checkGarp(r: Reporter, p: string, x: VrrpInstance): void {
  const g = x.garp;
  msRange(r, `${p}/garp/masterDelayMs`, 'garp_master_delay', g.masterDelayMs, 0, 1_000_000);
  msRange(r, `${p}/garp/lowerPrioDelayMs`, 'garp_lower_prio_delay', g.lowerPrioDelayMs, 0, 1_000_000);
  msRange(r, `${p}/garp/masterRefreshMs`, 'garp_master_refresh', g.masterRefreshMs, 0, 1_000_000);
  msRange(r, `${p}/garp/intervalMs`, 'garp_interval', g.intervalMs, 0, 1_000);
  msRange(r, `${p}/garp/gnaIntervalMs`, 'gna_interval', g.gnaIntervalMs, 0, 1_000);
  range(r, `${p}/garp/masterRepeat`, 'garp_master_repeat', g.masterRepeat, 1, 255);
  range(r, `${p}/garp/lowerPrioRepeat`, 'garp_lower_prio_repeat', g.lowerPrioRepeat, 0, 255);
  range(r, `${p}/garp/masterRefreshRepeat`, 'garp_master_refresh_repeat', g.masterRefreshRepeat, 1, 255);
}

function checkRefs(r: Reporter, p: string, refs: TrackRef[], field: string, known: Set<string>, what: string, min: number, max: number): void {
  refs.forEach((t, i) => {
    if (!known.has(t.name)) r.error(`${p}/${field}/${i}`, `${r.subject(`${p}/${field}/${i}`, what)} '${t.name}' is not defined`);
    range(r, `${p}/${field}/${i}/weight`, `${what} weight`, t.weight, min, max);
  });
}

function checkInstance(r: Reporter, c: Config, i: number, scripts: Set<string>, files: Set<string>): void {
  const x = c.vrrpInstances[i]!;
  const p = `/vrrpInstances/${i}`;
  const name = r.subject(p, `vrrp_instance ${x.name}`);
  range(r, `${p}/vrid`, `${name}: virtual_router_id`, x.vrid, 1, 255);
  range(r, `${p}/priority`, `${name}: priority`, x.priority, 1, 255);
  if (x.version !== 2 && x.version !== 3) r.error(`${p}/version`, `${name}: version must be 2 or 3, got ${x.version}`);
  else {
    if (x.family === 6 && x.version === 2) r.error(`${p}/version`, `${name}: IPv6 instances must use VRRP version 3 (RFC 5798)`);
    checkAdvert(r, p, x);
  }
  if (x.state === 'MASTER' && !x.preempt) r.error(`${p}/preempt`, `${name}: nopreempt requires 'state BACKUP' (a MASTER start always preempts)`);
  if (x.priority === 255 && x.state === 'BACKUP') r.warn(`${p}/priority`, `${name}: priority 255 (address owner) always starts as MASTER`);
  msRange(r, `${p}/preemptDelayMs`, `${name}: preempt_delay`, x.preemptDelayMs, 0, 1_000_000);
  // keepalived quietly drops the delay in this case; say which of the two the config meant.
  if (!x.preempt && x.preemptDelayMs > 0) r.error(`${p}/preemptDelayMs`, `${name}: preempt_delay has no effect with nopreempt; remove one of them`);
  range(r, `${p}/downTimerAdverts`, `${name}: down_timer_adverts`, x.downTimerAdverts, 1, 100);
  if (x.authPass !== undefined) {
    if (x.version === 3) r.error(`${p}/authPass`, `${name}: authentication is not part of VRRPv3 (RFC 5798); remove it or use version 2`);
    else if (x.authPass.length === 0) r.error(`${p}/authPass`, `${name}: auth_pass must be 1-8 bytes, got 0`);
    // keepalived truncates the same way (and says so), so peers still agree on the 8 bytes sent.
    else if (Buffer.byteLength(x.authPass) > 8) r.warn(`${p}/authPass`, `${name}: auth_pass is ${Buffer.byteLength(x.authPass)} bytes; only the first 8 are sent, as in keepalived`);
  }
  checkAh(r, p, name, x);
  if (x.interface !== '') ifname(r, `${p}/interface`, `${name}: interface`, x.interface);
  if (x.virtualIps.length === 0) r.warn(`${p}`, `${name}: no virtual_ipaddress`);
  for (const field of ['virtualIps', 'excludedVips'] as const) {
    x[field].forEach((v, j) => {
      const vp = `${p}/${field}/${j}`;
      if (v.dev !== x.interface) ifname(r, `${vp}/dev`, `${name}: dev`, v.dev);
      if (!SCOPES.has(v.scope) && !/^\d{1,3}$/.test(v.scope)) r.error(`${vp}/scope`, `${name}: scope must be host, link, site, global, nowhere or 0-255, got '${v.scope}'`);
      if (v.label !== undefined && (v.label.length === 0 || v.label.length > 15)) r.error(`${vp}/label`, `${name}: label must be 1-15 characters, got '${v.label}'`);
    });
  }
  x.virtualIps.forEach((v, j) => {
    if (v.family !== x.family) r.error(`${p}/virtualIps/${j}`, `${name}: all virtual_ipaddress entries must be one family (IPv${x.family}); mix them with virtual_ipaddress_excluded`);
  });
  x.unicastPeers.forEach((u, j) => {
    if (u.family !== x.family) r.error(`${p}/unicastPeers/${j}`, `${name}: unicast_peer ${u.address} is IPv${u.family}, the instance is IPv${x.family}`);
    range(r, `${p}/unicastPeers/${j}/minTtl`, 'min_ttl', u.minTtl, 0, 255);
    range(r, `${p}/unicastPeers/${j}/maxTtl`, 'max_ttl', u.maxTtl, 0, 255);
    if (u.minTtl !== undefined && u.maxTtl !== undefined && u.minTtl > u.maxTtl) r.error(`${p}/unicastPeers/${j}/minTtl`, `${name}: unicast_peer ${u.address}: min_ttl ${u.minTtl} is above max_ttl ${u.maxTtl}, so every advert would be dropped`);
    // keepalived: min_ttl / max_ttl turn check_unicast_src on; say so rather than ignore either.
    if ((u.minTtl !== undefined || u.maxTtl !== undefined) && x.checkUnicastSrc === false) r.warn(`${p}/checkUnicastSrc`, `${name}: unicast_peer ${u.address} has min_ttl/max_ttl, which turns the unicast source check on (as in keepalived)`);
  });
  if (x.unicastSrcIp && x.unicastSrcIp.includes(':') !== (x.family === 6)) r.error(`${p}/unicastSrcIp`, `${name}: unicast_src_ip family differs from the instance's (IPv${x.family})`);
  x.trackInterfaces.forEach((t, j) => {
    ifname(r, `${p}/trackInterfaces/${j}`, 'track_interface', t.name);
    range(r, `${p}/trackInterfaces/${j}/weight`, 'track_interface weight', t.weight, -254, 254);
  });
  checkRefs(r, p, x.trackScripts, 'trackScripts', scripts, 'track_script', -253, 253);
  checkRefs(r, p, x.trackFiles, 'trackFiles', files, 'track_file', -254, 254);
  checkGarp(r, p, x);
  checkVirtualRoutes(r, p, name, x);
  checkVmac(r, p, name, x);
}

/** A VRID may be reused on one interface and family only by unicast instances with disjoint peers. */
function checkVridReuse(r: Reporter, c: Config): void {
  const seen = new Map<string, number>();
  c.vrrpInstances.forEach((x, i) => {
    const key = `${x.interface}/${x.family}/${x.vrid}`;
    const j = seen.get(key);
    if (j === undefined) { seen.set(key, i); return; }
    const y = c.vrrpInstances[j]!;
    const disjoint = x.unicastPeers.length > 0 && y.unicastPeers.length > 0
      && !x.unicastPeers.some((a) => y.unicastPeers.some((b) => a.address === b.address));
    if (!disjoint) r.error(`/vrrpInstances/${i}/vrid`, `${r.subject(`/vrrpInstances/${i}/vrid`, `vrrp_instance ${x.name}: virtual_router_id`)} ${x.vrid} is already used on ${x.interface} (IPv${x.family}) by ${r.subject(`/vrrpInstances/${j}`, 'vrrp_instance')} ${y.name}`);
  });
}

function checkScripts(r: Reporter, c: Config): void {
  c.vrrpScripts.forEach((s, i) => {
    const p = `/vrrpScripts/${i}`;
    range(r, `${p}/weight`, `vrrp_script ${s.name}: weight`, s.weight, -253, 253);
    range(r, `${p}/rise`, `vrrp_script ${s.name}: rise`, s.rise, 1, 1_000_000);
    range(r, `${p}/fall`, `vrrp_script ${s.name}: fall`, s.fall, 1, 1_000_000);
    msRange(r, `${p}/intervalMs`, `vrrp_script ${s.name}: interval`, s.intervalMs, 1, 86_400_000);
    msRange(r, `${p}/timeoutMs`, `vrrp_script ${s.name}: timeout`, s.timeoutMs, 1, 86_400_000);
  });
  c.trackFiles.forEach((t, i) => range(r, `/trackFiles/${i}/weight`, `vrrp_track_file ${t.name}: weight`, t.weight, -254, 254));
}

function checkSyncGroups(r: Reporter, c: Config, scripts: Set<string>, files: Set<string>): void {
  const names = new Set(c.vrrpInstances.map((x) => x.name));
  const member = new Map<string, string>();
  c.syncGroups.forEach((g, i) => {
    const p = `/syncGroups/${i}`;
    if (g.instances.length === 0) r.error(p, `vrrp_sync_group ${g.name}: 'group' lists no instances`);
    g.instances.forEach((n, j) => {
      if (!names.has(n)) r.error(`${p}/instances/${j}`, `vrrp_sync_group ${g.name}: vrrp_instance '${n}' is not defined`);
      const other = member.get(n);
      if (other !== undefined && other !== g.name) r.error(`${p}/instances/${j}`, `vrrp_instance '${n}' is already in vrrp_sync_group ${other}`);
      member.set(n, g.name);
    });
    checkRefs(r, p, g.trackScripts, 'trackScripts', scripts, 'track_script', -253, 253);
    checkRefs(r, p, g.trackFiles, 'trackFiles', files, 'track_file', -254, 254);
  });
}

/**
 * keepalived 2.2 drops the weights of whatever a sync-group member tracks (a failure faults the
 * whole group) unless sync_group_tracking_weight is set; an operator migrating should know.
 */
function warnSyncGroupWeights(r: Reporter, c: Config): void {
  const scriptWeight = new Map(c.vrrpScripts.map((s) => [s.name, s.weight]));
  const fileWeight = new Map(c.trackFiles.map((t) => [t.name, t.weight]));
  c.vrrpInstances.forEach((x, i) => {
    if (x.syncGroup === undefined) return;
    const weighted: Array<[string, string, number]> = [
      ...x.trackInterfaces.map((t, j): [string, string, number] => [`trackInterfaces/${j}`, t.name, t.weight]),
      ...x.trackScripts.map((t, j): [string, string, number] => [`trackScripts/${j}`, t.name, t.weight ?? scriptWeight.get(t.name) ?? 0]),
      ...x.trackFiles.map((t, j): [string, string, number] => [`trackFiles/${j}`, t.name, t.weight ?? fileWeight.get(t.name) ?? 0]),
    ];
    for (const [at, name, weight] of weighted) {
      if (weight !== 0) r.warn(`/vrrpInstances/${i}/${at}`, `vrrp_instance ${x.name} is in vrrp_sync_group ${x.syncGroup}: keepalived ignores the weight of tracked '${name}' there (a failure faults the group) unless sync_group_tracking_weight is set`);
    }
  });
}

export function checkVrrp(r: Reporter, c: Config): void {
  checkGlobal(r, c);
  const scripts = new Set(c.vrrpScripts.map((s) => s.name));
  const files = new Set(c.trackFiles.map((t) => t.name));
  duplicates(r, c.vrrpInstances, (x) => x.name, (i) => `/vrrpInstances/${i}/name`, 'vrrp_instance name');
  duplicates(r, c.vrrpScripts, (x) => x.name, (i) => `/vrrpScripts/${i}/name`, 'vrrp_script name');
  duplicates(r, c.trackFiles, (x) => x.name, (i) => `/trackFiles/${i}/name`, 'vrrp_track_file name');
  duplicates(r, c.syncGroups, (x) => x.name, (i) => `/syncGroups/${i}/name`, 'vrrp_sync_group name');
  for (let i = 0; i < c.vrrpInstances.length; i++) checkInstance(r, c, i, scripts, files);
  checkVridReuse(r, c);
  checkVmacNames(r, c);
  checkScripts(r, c);
  checkSyncGroups(r, c, scripts, files);
  warnSyncGroupWeights(r, c);
  checkTrackProcesses(r, c);
}

/**
 * auth_type AH (RFC 2338 §5.3.6.3) exists only in VRRPv2 over IPv4 and needs auth_pass as its
 * key. keepalived clears an initial MASTER with AH, because a fresh sequence counter would be a
 * replay to peers that heard the last master; vipkeeper does the same (instance-config.ts).
 */
function checkAh(r: Reporter, p: string, name: string, x: VrrpInstance): void {
  if (x.authType === undefined) return;
  if (x.authPass === undefined) { r.error(`${p}/authType`, `${name}: auth_type ${x.authType} needs auth_pass`); return; }
  if (x.authType !== 'AH') return;
  if (x.version === 3) r.error(`${p}/authType`, `${name}: auth_type AH is VRRPv2 only (RFC 5798 has no authentication); use version 2 or remove it`);
  else if (x.family === 6) r.error(`${p}/authType`, `${name}: auth_type AH is IPv4 only (VRRPv2); remove it for an IPv6 instance`);
  if (x.state === 'MASTER') r.warn(`${p}/state`, `${name}: state MASTER is incompatible with auth_type AH: the instance starts as BACKUP and becomes master by election (as keepalived does)`);
}
