// Raw input -> model for virtual servers, real servers and checkers. Checker timing cascades
// virtual server -> real server -> checker (keepalived.conf(5)), then falls back to DEFAULTS.
import { DEFAULTS, defaultDelayBeforeRetryMs, defaultRetry } from './defaults.js';
import type {
  Checker, CheckerCommon, Family, HttpUrl, RealServer, SorryServer, VirtualServer, VirtualServerGroup, VirtualServerGroupEntry,
} from './model.js';
import type { CascadeInput, CheckerInput, RealServerInput, VirtualServerGroupInput, VirtualServerInput } from './input.js';
import { address, groupAddress, script, standIn, statusRanges, type Reporter } from './normalize.js';

/** The display name: "10.0.0.1:80/TCP", "[2001:db8::1]:80/TCP", "fwmark 5/4", "group NAME/TCP". */
export function vsName(vs: Pick<VirtualServer, 'kind' | 'address' | 'port' | 'fwmark' | 'group' | 'family' | 'protocol'>): string {
  if (vs.kind === 'fwmark') return `fwmark ${vs.fwmark}/${vs.family === 6 ? 'inet6' : 'inet'}`;
  if (vs.kind === 'group') return `group ${vs.group}/${vs.protocol}`;
  const a = vs.family === 6 ? `[${vs.address}]` : vs.address;
  return `${a}:${vs.port}/${vs.protocol}`;
}

const CASCADED = ['connectTimeoutMs', 'retry', 'delayBeforeRetryMs', 'delayLoopMs', 'warmupMs', 'alpha'] as const;

/** A timer a checker inherits (or defaults from delay_loop) is reported at the line that wrote it. */
function inheritPositions(r: Reporter, path: string): void {
  const owners = [path.slice(0, path.lastIndexOf('/checkers/')), path.slice(0, path.lastIndexOf('/realServers/'))];
  for (const f of CASCADED) for (const o of owners) r.alias(`${path}/${f}`, `${o}/${f}`);
  for (const f of ['warmupMs', 'miscTimeoutMs', 'delayBeforeRetryMs']) r.alias(`${path}/${f}`, `${path}/delayLoopMs`);
}

function common(c: CheckerInput, rs: CascadeInput, vs: CascadeInput, path: string, r: Reporter): CheckerCommon {
  inheritPositions(r, path);
  const d = DEFAULTS.checker;
  const delayLoopMs = c.delayLoopMs ?? rs.delayLoopMs ?? vs.delayLoopMs ?? d.delayLoopMs;
  const out: CheckerCommon = {
    connectTimeoutMs: c.connectTimeoutMs ?? rs.connectTimeoutMs ?? vs.connectTimeoutMs ?? d.connectTimeoutMs,
    retry: c.retry ?? rs.retry ?? vs.retry ?? defaultRetry(c.type),
    delayBeforeRetryMs: c.delayBeforeRetryMs ?? rs.delayBeforeRetryMs ?? vs.delayBeforeRetryMs ?? defaultDelayBeforeRetryMs(c.type, delayLoopMs),
    delayLoopMs,
    warmupMs: c.warmupMs ?? rs.warmupMs ?? vs.warmupMs ?? delayLoopMs,
    alpha: c.alpha ?? rs.alpha ?? vs.alpha ?? DEFAULTS.virtualServer.alpha,
  };
  if (c.connectIp !== undefined) {
    const a = address(r, `${path}/connectIp`, c.connectIp, 'connect_ip');
    if (a) out.connectIp = a.address;
  }
  if (c.bindTo !== undefined) {
    const a = address(r, `${path}/bindTo`, c.bindTo, 'bindto');
    if (a) out.bindTo = a.address;
  }
  if (c.connectPort !== undefined) out.connectPort = c.connectPort;
  if (c.bindPort !== undefined) out.bindPort = c.bindPort;
  if (c.bindIf !== undefined) out.bindIf = c.bindIf;
  if (c.fwmark !== undefined) out.fwmark = c.fwmark;
  return out;
}

function buildChecker(r: Reporter, path: string, c: CheckerInput, rs: RealServerInput, vs: VirtualServerInput): Checker {
  const base = common(c, rs, vs, path, r);
  const d = DEFAULTS.checker;
  switch (c.type) {
    case 'TCP_CHECK': return { type: 'TCP_CHECK', ...base };
    case 'PING_CHECK': return { type: 'PING_CHECK', ...base };
    case 'HTTP_GET':
    case 'SSL_GET': {
      if (!c.urls?.length) r.error(path, `${c.type} needs at least one url { path ... } block`);
      const urls: HttpUrl[] = (c.urls ?? []).map((u, i) => {
        if (u.path === undefined) r.error(`${path}/urls/${i}`, `${c.type} url: 'path' is required`);
        const url: HttpUrl = {
          path: u.path ?? '/',
          statusCodes: u.statusCodes ? statusRanges(r, `${path}/urls/${i}/statusCodes`, u.statusCodes) : d.statusCodes.map(([a, b]) => [a, b] as [number, number]),
        };
        if (u.digest !== undefined) url.digest = u.digest.toLowerCase();
        if (u.virtualhost !== undefined) url.virtualhost = u.virtualhost;
        return url;
      });
      const http: Checker = { type: c.type, ...base, urls, httpProtocol: c.httpProtocol ?? d.httpProtocol, enableSni: c.enableSni ?? d.enableSni };
      const vh = c.virtualhost ?? rs.virtualhost ?? vs.virtualhost;
      if (vh !== undefined) http.virtualhost = vh;
      return http;
    }
    case 'MISC_CHECK': {
      if (c.script === undefined) r.error(`${path}/script`, "MISC_CHECK: 'misc_path' is required");
      return {
        type: 'MISC_CHECK', ...base,
        script: script(r, `${path}/script`, c.script, 'misc_path') ?? { argv: [] },
        miscTimeoutMs: c.miscTimeoutMs ?? base.delayLoopMs,
        dynamic: c.dynamic ?? d.miscDynamic,
      };
    }
    case 'UDP_CHECK': {
      const u: Checker = {
        type: 'UDP_CHECK', ...base,
        requireReply: c.requireReply ?? false,
        minReplyLength: c.minReplyLength ?? d.udpMinReplyLength,
        maxReplyLength: c.maxReplyLength ?? d.udpMaxReplyLength,
      };
      if (c.payloadHex !== undefined) u.payloadHex = c.payloadHex;
      if (c.replyHex !== undefined) u.replyHex = c.replyHex;
      return u;
    }
    case 'DNS_CHECK':
      return { type: 'DNS_CHECK', ...base, queryType: c.queryType ?? d.dnsQueryType, name: c.name ?? d.dnsName };
    default:
      // SMTP_CHECK, FILE_CHECK and GRPC_CHECK: not read from the configuration yet.
      r.error(`${path}/type`, `${c.type} is not supported yet`);
      return { type: 'TCP_CHECK', ...base };
  }
}

function buildRealServer(r: Reporter, path: string, x: RealServerInput, vs: VirtualServerInput, vsPort: number, lbKind: RealServer['lbKind'], inhibit: boolean): RealServer {
  const parsed = address(r, `${path}/address`, x.address, 'real_server') ?? standIn(x.address);
  const a = { address: parsed.address, family: parsed.family };
  const d = DEFAULTS.realServer;
  const rs: RealServer = {
    ...a,
    port: x.port ?? vsPort,
    weight: x.weight ?? d.weight,
    lbKind: x.lbKind ?? lbKind,
    inhibitOnFailure: x.inhibitOnFailure ?? inhibit,
    upperThreshold: x.upperThreshold ?? d.upperThreshold,
    lowerThreshold: x.lowerThreshold ?? d.lowerThreshold,
    checkers: (x.checkers ?? []).map((c, i) => buildChecker(r, `${path}/checkers/${i}`, c, x, vs)),
  };
  const up = script(r, `${path}/notifyUp`, x.notifyUp, 'notify_up');
  if (up) rs.notifyUp = up;
  const down = script(r, `${path}/notifyDown`, x.notifyDown, 'notify_down');
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

export function buildVirtualServer(r: Reporter, i: number, x: VirtualServerInput, groups?: VirtualServerGroupInput[]): VirtualServer | undefined {
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
    .map((rs, j) => buildRealServer(r, `${path}/realServers/${j}`, rs, x, port, lbKind, inhibit));
  const rsFamilies = new Set(realServers.map((rs) => rs.family));
  const inferred = rsFamilies.size === 1 ? [...rsFamilies][0] : undefined;
  const family: Family = a?.family ?? x.family ?? (kind === 'group' ? groupFamily(groups, x.group!) : undefined) ?? inferred ?? d.family;
  const vs: VirtualServer = {
    name: '', kind, family,
    protocol: x.protocol ?? d.protocol,
    lbAlgo: x.lbAlgo ?? d.lbAlgo,
    schedFlags: [...(x.schedFlags ?? [])],
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
    if (s.address === undefined) r.error(`${path}/sorryServer`, 'sorry_server_inhibit without a sorry_server');
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
