// Raw input -> model for virtual servers and real servers (checkers: build-checker.ts).
import { DEFAULTS } from './defaults.js';
import type {
  Family, RealServer, SchedFlag, SorryServer, VirtualServer, VirtualServerGroup, VirtualServerGroupEntry,
} from './model.js';
import type { RealServerInput, TrackFileInput, VirtualServerGroupInput, VirtualServerInput } from './input.js';
import { buildChecker } from './build-checker.js';
import { address, groupAddress, script, standIn, type Reporter } from './normalize.js';

/** The display name: "10.0.0.1:80/TCP", "[2001:db8::1]:80/TCP", "fwmark 5/4", "group NAME/TCP". */
export function vsName(vs: Pick<VirtualServer, 'kind' | 'address' | 'port' | 'fwmark' | 'group' | 'family' | 'protocol'>): string {
  if (vs.kind === 'fwmark') return `fwmark ${vs.fwmark}/${vs.family === 6 ? 'inet6' : 'inet'}`;
  if (vs.kind === 'group') return `group ${vs.group}/${vs.protocol}`;
  const a = vs.family === 6 ? `[${vs.address}]` : vs.address;
  return `${a}:${vs.port}/${vs.protocol}`;
}

function buildRealServer(r: Reporter, path: string, x: RealServerInput, vs: VirtualServerInput, vsPort: number, lbKind: RealServer['lbKind'], inhibit: boolean, files: TrackFileInput[]): RealServer {
  const parsed = address(r, `${path}/address`, x.address, 'real_server') ?? standIn(x.address);
  const d = DEFAULTS.realServer;
  const rs: RealServer = {
    address: parsed.address,
    family: parsed.family,
    port: x.port ?? vsPort,
    weight: x.weight ?? d.weight,
    lbKind: x.lbKind ?? lbKind,
    inhibitOnFailure: x.inhibitOnFailure ?? inhibit,
    upperThreshold: x.upperThreshold ?? d.upperThreshold,
    lowerThreshold: x.lowerThreshold ?? d.lowerThreshold,
    checkers: (x.checkers ?? []).map((c, i) => buildChecker(r, `${path}/checkers/${i}`, c, x, vs, files)),
  };
  // Asked only when written: the paths would be built for each of 10,000 real servers otherwise.
  const up = x.notifyUp === undefined ? undefined : script(r, `${path}/notifyUp`, x.notifyUp, 'notify_up');
  if (up) rs.notifyUp = up;
  const down = x.notifyDown === undefined ? undefined : script(r, `${path}/notifyDown`, x.notifyDown, 'notify_down');
  if (down) rs.notifyDown = down;
  return rs;
}

function groupFamily(groups: VirtualServerGroupInput[] | undefined, name: string): Family | undefined {
  const g = groups?.find((x) => x.name === name);
  for (const e of g?.entries ?? []) {
    if (e.family) return e.family;
    if (e.address) return e.address.includes(':') ? 6 : 4;
  }
  return undefined;
}

/** keepalived's protocol rules: address services default to UDP (it warns), fwmark ones ignore it. */
function warnProtocol(r: Reporter, path: string, x: VirtualServerInput, vs: VirtualServer, groups?: VirtualServerGroupInput[]): void {
  if (x.protocol !== undefined && vs.kind === 'fwmark') r.warn(`${path}/protocol`, `virtual_server ${vs.name}: protocol is ignored for a fwmark service (the mark selects the packets)`);
  // Most people who leave it out of an address service meant TCP, so say what it will be.
  const byAddress = vs.kind === 'addr' || (groups?.find((g) => g.name === x.group)?.entries ?? []).some((e) => e.address !== undefined);
  if (x.protocol === undefined && byAddress) r.warn(path, `virtual_server ${vs.name}: no protocol set; defaulting to ${DEFAULTS.virtualServer.protocol} as keepalived does (write 'protocol TCP' for a TCP service)`);
}

/**
 * sh and mh share their flag bits (IP_VS_SVC_F_SCHED1 = *-fallback, SCHED2 = *-port), so keepalived
 * accepts either spelling on either scheduler; the model carries the scheduler's own name.
 */
function schedFlags(r: Reporter, path: string, lbAlgo: string, flags: SchedFlag[] = []): SchedFlag[] {
  const out: SchedFlag[] = [];
  flags.forEach((f, i) => {
    const other = lbAlgo === 'mh' ? 'sh-' : lbAlgo === 'sh' ? 'mh-' : undefined;
    let flag = f;
    if (other && f.startsWith(other)) {
      flag = `${lbAlgo}-${f.slice(3)}` as SchedFlag;
      r.warn(`${path}/${i}`, `${f} on lb_algo ${lbAlgo}: the same kernel flag as ${flag}; write ${flag}`);
    }
    if (!out.includes(flag)) out.push(flag);
    r.alias(`${path}/${out.indexOf(flag)}`, `${path}/${i}`);
  });
  return out;
}

export function buildVirtualServer(r: Reporter, i: number, x: VirtualServerInput, groups?: VirtualServerGroupInput[], files: TrackFileInput[] = []): VirtualServer | undefined {
  const path = `/virtualServers/${i}`;
  const d = DEFAULTS.virtualServer;
  const ids = [x.address !== undefined, x.fwmark !== undefined, x.group !== undefined].filter(Boolean).length;
  if (ids !== 1) { r.error(path, 'a virtual server needs exactly one of: address (+port), fwmark, group'); return undefined; }
  const kind = x.address !== undefined ? 'addr' : x.fwmark !== undefined ? 'fwmark' : 'group';
  const a = x.address !== undefined ? address(r, `${path}/address`, x.address, 'virtual_server') : undefined;
  if (kind === 'addr' && !a) return undefined;
  const lbKind = x.lbKind ?? d.lbKind;
  const inhibit = x.inhibitOnFailure ?? d.inhibitOnFailure;
  const port = x.port ?? 0;
  const realServers = (x.realServers ?? [])
    .map((rs, j) => buildRealServer(r, `${path}/realServers/${j}`, rs, x, port, lbKind, inhibit, files));
  const rsFamilies = new Set(realServers.map((rs) => rs.family));
  const inferred = rsFamilies.size === 1 ? [...rsFamilies][0] : undefined;
  const family: Family = a?.family ?? x.family ?? (kind === 'group' ? groupFamily(groups, x.group!) : undefined) ?? inferred ?? d.family;
  const vs: VirtualServer = {
    name: '', kind, family,
    protocol: x.protocol ?? d.protocol,
    lbAlgo: x.lbAlgo ?? d.lbAlgo,
    schedFlags: schedFlags(r, `${path}/schedFlags`, x.lbAlgo ?? d.lbAlgo, x.schedFlags),
    ops: x.ops ?? d.ops,
    lbKind,
    quorum: x.quorum ?? d.quorum,
    hysteresis: x.hysteresis ?? d.hysteresis,
    alpha: x.alpha ?? d.alpha,
    omega: x.omega ?? d.omega,
    haSuspend: x.haSuspend ?? d.haSuspend,
    inhibitOnFailure: inhibit,
    realServers,
  };
  if (a) { vs.address = a.address; vs.port = port; }
  if (x.fwmark !== undefined) vs.fwmark = x.fwmark;
  if (x.group !== undefined) vs.group = x.group;
  if (x.persistenceTimeoutS !== undefined) vs.persistenceTimeoutS = x.persistenceTimeoutS;
  if (x.persistenceGranularity !== undefined) vs.persistenceGranularity = x.persistenceGranularity;
  const up = script(r, `${path}/quorumUp`, x.quorumUp, 'quorum_up');
  if (up) vs.quorumUp = up;
  const down = script(r, `${path}/quorumDown`, x.quorumDown, 'quorum_down');
  if (down) vs.quorumDown = down;
  if (x.sorryServer) {
    const s = x.sorryServer;
    if (s.address === undefined) r.error(`${path}/sorryServer`, `${s.lbKind !== undefined ? 'sorry_server_lvs_method' : 'sorry_server_inhibit'} without a sorry_server`);
    const sa = s.address !== undefined ? address(r, `${path}/sorryServer/address`, s.address, 'sorry_server') : undefined;
    if (sa) {
      const sorry: SorryServer = { ...sa, port: s.port ?? port, lbKind: s.lbKind ?? lbKind, inhibit: s.inhibit ?? DEFAULTS.sorryServer.inhibit };
      vs.sorryServer = sorry;
    }
  }
  vs.name = vsName(vs);
  warnProtocol(r, path, x, vs, groups);
  return vs;
}

export function buildVsGroup(r: Reporter, i: number, x: VirtualServerGroupInput): VirtualServerGroup {
  const entries: VirtualServerGroupEntry[] = [];
  (x.entries ?? []).forEach((e, j) => {
    const p = `/virtualServerGroups/${i}/entries/${j}`;
    if ((e.address === undefined) === (e.fwmark === undefined)) { r.error(p, 'a group entry needs exactly one of address or fwmark'); return; }
    if (e.fwmark !== undefined) {
      const ent: VirtualServerGroupEntry = { fwmark: e.fwmark, family: e.family ?? DEFAULTS.virtualServer.family };
      entries.push(ent);
      return;
    }
    const a = groupAddress(r, `${p}/address`, e.address!) ?? standIn(e.address!);
    const ent: VirtualServerGroupEntry = { address: e.address!, family: a.family };
    if (e.port !== undefined) ent.port = e.port;
    entries.push(ent);
  });
  return { name: x.name, entries };
}
