// Raw input -> model for global_defs and the VRRP side, taking every default from DEFAULTS.
import { DEFAULTS } from './defaults.js';
import type {
  Family, GarpTiming, GlobalDefs, NotifyScripts, SyncGroup, TrackFile, TrackInterface, TrackRef,
  UnicastPeer, VirtualIp, VrrpInstance, VrrpScript,
} from './model.js';
import type {
  GlobalInput, NotifyInput, PeerInput, SyncGroupInput, TrackFileInput, TrackInterfaceInput, TrackRefInput,
  VipInput, VrrpInstanceInput, VrrpScriptInput,
} from './input.js';
import { address, prefix, script, standIn, type Reporter } from './normalize.js';
import { buildVirtualRoutes, buildVirtualRules } from './build-virtual-routes.js';
import { applyVmac } from './build-vmac.js';

export function buildGlobal(g: GlobalInput = {}): GlobalDefs {
  const d = DEFAULTS.global;
  const out: GlobalDefs = {
    vrrpVersion: g.vrrpVersion ?? d.vrrpVersion,
    v3ChecksumAsV2: g.v3ChecksumAsV2 ?? d.v3ChecksumAsV2,
    scriptSecurity: g.scriptSecurity ?? d.scriptSecurity,
    mcastGroup4: g.mcastGroup4 ?? d.mcastGroup4,
    mcastGroup6: g.mcastGroup6 ?? d.mcastGroup6,
    defaultInterface: g.defaultInterface ?? d.defaultInterface,
    vrrpStrict: g.vrrpStrict ?? d.vrrpStrict,
    skipCheckAdvAddr: g.skipCheckAdvAddr ?? d.skipCheckAdvAddr,
    lvsFlush: g.lvsFlush ?? d.lvsFlush,
    lvsFlushOnStop: g.lvsFlushOnStop ?? d.lvsFlushOnStop,
  };
  if (g.lvsTimeouts) out.lvsTimeouts = { ...g.lvsTimeouts };
  if (g.lvsSyncDaemon) {
    const { vrrpInstance, ...rest } = g.lvsSyncDaemon;
    // A missing instance was refused by the reader; '' keeps the model total.
    out.lvsSyncDaemon = { ...rest, vrrpInstance: vrrpInstance ?? '' };
  }
  if (g.routerId !== undefined) out.routerId = g.routerId;
  if (g.scriptUser) out.scriptUser = { ...g.scriptUser };
  if (g.notifyFifo) out.notifyFifo = { ...g.notifyFifo };
  if (g.vrrpNotifyFifo) out.vrrpNotifyFifo = { ...g.vrrpNotifyFifo };
  if (g.lvsNotifyFifo) out.lvsNotifyFifo = { ...g.lvsNotifyFifo };
  if (g.vrrpStartupDelayMs) out.vrrpStartupDelayMs = g.vrrpStartupDelayMs;
  return out;
}

/** Instance garp_* over global vrrp_garp_* over DEFAULTS (vrrp_strict: no lower-priority repeats, as keepalived). */
export function buildGarp(own: Partial<GarpTiming> = {}, global: Partial<GarpTiming> = {}, strict = false): GarpTiming {
  const d = DEFAULTS.garp;
  const pick = <K extends keyof GarpTiming>(k: K): GarpTiming[K] | undefined => own[k] ?? global[k];
  const masterDelayMs = pick('masterDelayMs') ?? d.masterDelayMs;
  const masterRepeat = pick('masterRepeat') ?? d.masterRepeat;
  return {
    masterDelayMs,
    masterRepeat,
    lowerPrioDelayMs: pick('lowerPrioDelayMs') ?? (strict ? d.lowerPrioUnderStrict : masterDelayMs),
    lowerPrioRepeat: pick('lowerPrioRepeat') ?? (strict ? d.lowerPrioUnderStrict : masterRepeat),
    masterRefreshMs: pick('masterRefreshMs') ?? d.masterRefreshMs,
    masterRefreshRepeat: pick('masterRefreshRepeat') ?? d.masterRefreshRepeat,
    intervalMs: pick('intervalMs') ?? d.intervalMs,
    gnaIntervalMs: pick('gnaIntervalMs') ?? d.gnaIntervalMs,
  };
}

export function buildNotify(r: Reporter, path: string, n: NotifyInput = {}): NotifyScripts {
  const out: NotifyScripts = {};
  for (const k of ['any', 'master', 'backup', 'fault', 'stop', 'deleted', 'masterRxLowerPri'] as const) {
    const s = script(r, `${path}/${k}`, n[k], `notify ${k}`);
    if (s) out[k] = s;
  }
  return out;
}

function vips(r: Reporter, path: string, list: VipInput[] = [], dev: string, what: string): VirtualIp[] {
  const out: VirtualIp[] = [];
  list.forEach((v, i) => {
    const o = typeof v === 'string' ? { address: v } : v;
    const p = prefix(r, `${path}/${i}/address`, o.address, what) ?? standIn(o.address);
    // Written out, not spread: see build-checker.ts typed().
    const vip: VirtualIp = { address: p.address, family: p.family, prefixLen: p.prefixLen, dev: o.dev ?? dev, scope: o.scope ?? DEFAULTS.vip.scope, noTrack: o.noTrack ?? DEFAULTS.vip.noTrack };
    if (o.label !== undefined) vip.label = o.label;
    if (o.broadcast !== undefined) {
      const b = address(r, `${path}/${i}/broadcast`, o.broadcast, `${what} brd`);
      if (b) vip.broadcast = b.address;
    }
    out.push(vip);
  });
  return out;
}

function peers(r: Reporter, path: string, list: PeerInput[] = []): UnicastPeer[] {
  const out: UnicastPeer[] = [];
  list.forEach((v, i) => {
    const o = typeof v === 'string' ? { address: v } : v;
    const a = address(r, `${path}/${i}`, o.address, 'unicast_peer') ?? standIn(o.address);
    const peer: UnicastPeer = { address: a.address, family: a.family };
    if (o.minTtl !== undefined) peer.minTtl = o.minTtl;
    if (o.maxTtl !== undefined) peer.maxTtl = o.maxTtl;
    out.push(peer);
  });
  return out;
}

export function trackInterfaces(list: TrackInterfaceInput[] = []): TrackInterface[] {
  return list.map((v) => {
    const o = typeof v === 'string' ? { name: v } : v;
    return { name: o.name, weight: o.weight ?? DEFAULTS.trackInterfaceWeight, reverse: o.reverse ?? DEFAULTS.trackReverse };
  });
}

export function trackRefs(list: TrackRefInput[] = []): TrackRef[] {
  return list.map((v) => {
    const o = typeof v === 'string' ? { name: v } : v;
    const ref: TrackRef = { name: o.name, reverse: o.reverse ?? DEFAULTS.trackReverse };
    if (o.weight !== undefined) ref.weight = o.weight;
    return ref;
  });
}

function optAddress(r: Reporter, path: string, text: string | undefined, what: string): string | undefined {
  return text === undefined ? undefined : address(r, path, text, what)?.address;
}

/**
 * The family an instance runs: its first VIP's as written (as keepalived decides it, and so that
 * one bad VIP does not turn every other line into a family error), else its peers' or source
 * address's, else IPv4.
 */
function instanceFamily(x: VrrpInstanceInput, p: UnicastPeer[], src: string | undefined): Family {
  const first = x.virtualIps?.[0];
  const text = typeof first === 'string' ? first : first?.address;
  if (text !== undefined) return text.includes(':') ? 6 : 4;
  return p[0]?.family ?? (src?.includes(':') ? 6 : DEFAULTS.instance.family);
}

export function buildInstance(r: Reporter, i: number, x: VrrpInstanceInput, g: GlobalDefs, gi: GlobalInput = {}): VrrpInstance {
  const path = `/vrrpInstances/${i}`;
  const d = DEFAULTS.instance;
  if (x.interface === undefined) r.missing(`${path}/interface`, `vrrp_instance ${x.name}`, 'interface');
  if (x.vrid === undefined) r.missing(`${path}/vrid`, `vrrp_instance ${x.name}`, 'virtual_router_id', ' (1-255)');
  const ifname = x.interface ?? '';
  const virtualIps = vips(r, `${path}/virtualIps`, x.virtualIps, ifname, 'virtual_ipaddress');
  const unicastPeers = peers(r, `${path}/unicastPeers`, x.unicastPeers);
  const unicastSrcIp = optAddress(r, `${path}/unicastSrcIp`, x.unicastSrcIp, 'unicast_src_ip');
  const family = instanceFamily(x, unicastPeers, unicastSrcIp);
  const strict = x.strictMode ?? g.vrrpStrict;
  const inst: VrrpInstance = {
    name: x.name,
    interface: ifname,
    vrid: x.vrid ?? 0,
    priority: x.priority ?? d.priority,
    state: x.state ?? d.state,
    version: x.version ?? (family === 6 ? d.versionForIPv6 : g.vrrpVersion),
    family,
    advertIntervalMs: x.advertIntervalMs ?? d.advertIntervalMs,
    preempt: x.preempt ?? d.preempt,
    preemptDelayMs: x.preemptDelayMs ?? d.preemptDelayMs,
    unicastPeers,
    virtualIps,
    excludedVips: vips(r, `${path}/excludedVips`, x.excludedVips, ifname, 'virtual_ipaddress_excluded'),
    trackInterfaces: trackInterfaces(x.trackInterfaces),
    trackScripts: trackRefs(x.trackScripts),
    trackFiles: trackRefs(x.trackFiles),
    ...(x.trackProcesses ? { trackProcesses: trackRefs(x.trackProcesses) } : {}),
    garp: buildGarp(x.garp, gi.garp, strict),
    notify: buildNotify(r, `${path}/notify`, x.notify),
    v3ChecksumAsV2: g.v3ChecksumAsV2,
    accept: x.accept ?? !strict,
    dontTrackPrimary: x.dontTrackPrimary ?? d.dontTrackPrimary,
    downTimerAdverts: x.downTimerAdverts ?? d.downTimerAdverts,
    ...(x.notifyDeleted || x.notify?.deleted !== undefined ? { notifyDeleted: true as const } : {}),
    ...(x.notifyPriorityChanges ?? gi.vrrpNotifyPriorityChanges ? { notifyPriorityChanges: true as const } : {}),
    ...(x.unicastFaultNoPeer ? { unicastFaultNoPeer: true as const } : {}),
    // keepalived (vrrp_complete_instance): unset, strict decides (on / off), else the global;
    // set against strict, semantic-strict.ts refuses it.
    ...(strict ? { strictMode: true as const } : {}),
    ...(x.lowerPrioNoAdvert ?? (strict || gi.vrrpLowerPrioNoAdvert === true) ? { lowerPrioNoAdvert: true as const } : {}),
    ...(x.higherPrioSendAdvert ?? (strict ? false : gi.vrrpHigherPrioSendAdvert ?? true) ? {} : { higherPrioSendAdvert: false as const }),
  };
  if (unicastSrcIp !== undefined) inst.unicastSrcIp = unicastSrcIp;
  const mcastSrcIp = optAddress(r, `${path}/mcastSrcIp`, x.mcastSrcIp, 'mcast_src_ip');
  if (mcastSrcIp !== undefined) inst.mcastSrcIp = mcastSrcIp;
  if (x.authPass !== undefined) inst.authPass = x.authPass;
  if (x.authType !== undefined) inst.authType = x.authType;
  const checkSrc = x.checkUnicastSrc ?? gi.checkUnicastSrc;
  if (checkSrc !== undefined) inst.checkUnicastSrc = checkSrc;
  if (x.virtualRoutes?.length) inst.virtualRoutes = buildVirtualRoutes(r, `${path}/virtualRoutes`, x.virtualRoutes);
  if (x.virtualRules?.length) inst.virtualRules = buildVirtualRules(r, `${path}/virtualRules`, x.virtualRules, family);
  applyVmac(r, path, inst, x);
  return inst;
}

export function buildScript(r: Reporter, i: number, x: VrrpScriptInput): VrrpScript {
  const path = `/vrrpScripts/${i}`;
  const d = DEFAULTS.script;
  if (x.script === undefined) r.missing(`${path}/script`, `vrrp_script ${x.name}`, 'script');
  const intervalMs = x.intervalMs ?? d.intervalMs;
  r.alias(`${path}/timeoutMs`, `${path}/intervalMs`); // timeout defaults to interval
  return {
    name: x.name,
    script: script(r, `${path}/script`, x.script, `vrrp_script ${x.name}`) ?? { argv: [] },
    intervalMs,
    timeoutMs: x.timeoutMs ?? intervalMs,
    weight: x.weight ?? d.weight,
    reverse: x.reverse ?? d.reverse,
    rise: x.rise ?? d.rise,
    fall: x.fall ?? d.fall,
    initFail: x.initFail ?? d.initFail,
  };
}

export function buildTrackFile(r: Reporter, i: number, x: TrackFileInput): TrackFile {
  if (x.path === undefined) r.missing(`/trackFiles/${i}/path`, `vrrp_track_file ${x.name}`, 'file');
  return { name: x.name, path: x.path ?? '', weight: x.weight ?? DEFAULTS.trackFile.weight, reverse: x.reverse ?? DEFAULTS.trackFile.reverse };
}

export function buildSyncGroup(r: Reporter, i: number, x: SyncGroupInput): SyncGroup {
  return {
    name: x.name,
    instances: [...(x.instances ?? [])],
    notify: buildNotify(r, `/syncGroups/${i}/notify`, x.notify),
    trackInterfaces: trackInterfaces(x.trackInterfaces),
    trackScripts: trackRefs(x.trackScripts),
    trackFiles: trackRefs(x.trackFiles),
    ...(x.trackProcesses ? { trackProcesses: trackRefs(x.trackProcesses) } : {}),
  };
}
