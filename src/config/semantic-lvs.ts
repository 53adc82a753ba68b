// Cross-field and range rules for virtual servers, real servers and checkers.
import { LB_KINDS, SCHEDULERS, type Config, type VirtualServer } from './model.js';
import type { Reporter } from './normalize.js';
import { duplicates, range } from './semantic-vrrp.js';
import { checkChecker } from './semantic-checker.js';
import { inRange } from './in-range.js';
import { ipFamily } from '../lib/ip.js';

const port = (r: Reporter, path: string, what: string, v: number | undefined) => range(r, path, what, v, 0, 65535);

/** persistence_granularity: an IPv4 netmask (contiguous) or an IPv6 prefix length 1-128. */
function granularityOk(text: string, family: 4 | 6): boolean {
  if (family === 6) return /^\d{1,3}$/.test(text) && Number(text) >= 1 && Number(text) <= 128;
  if (ipFamily(text) !== 4) return false;
  const n = text.split('.').reduce((a, o) => (a << 8) | Number(o), 0) >>> 0;
  const inv = ~n >>> 0;
  return (inv & (inv + 1)) === 0; // ones then zeros
}

function checkFlags(r: Reporter, p: string, vs: VirtualServer): void {
  vs.schedFlags.forEach((f, i) => {
    const needs = f.startsWith('sh-') ? 'sh' : f.startsWith('mh-') ? 'mh' : undefined;
    if (needs && vs.lbAlgo !== needs) r.error(`${p}/schedFlags/${i}`, `scheduler flag ${f} needs lb_algo ${needs}, not ${vs.lbAlgo}`);
  });
  if (vs.ops && vs.protocol !== 'UDP' && vs.kind !== 'fwmark') r.error(`${p}/ops`, 'ops (one-packet scheduling) needs protocol UDP');
  // keepalived quietly clears ha_suspend here: there is no address whose presence it could follow.
  if (vs.haSuspend && vs.kind === 'fwmark') r.error(`${p}/haSuspend`, `virtual_server ${vs.name}: ha_suspend needs an address service, not a fwmark`);
}

/**
 * Whether two real servers may share address and port: compared directly when there are few (a
 * virtual server's usual handful), so the keyed search (a string per server) runs only for a
 * list that has a repeat or is long.
 */
function mayRepeat(list: ReadonlyArray<{ address: string; port: number }>): boolean {
  if (list.length > 32) return true;
  for (let a = 1; a < list.length; a++) {
    for (let b = 0; b < a; b++) if (list[a]!.port === list[b]!.port && list[a]!.address === list[b]!.address) return true;
  }
  return false;
}

const rsPath = (p: string, j: number, rest: string) => `${p}/realServers/${j}/${rest}`;

function checkVirtualServer(r: Reporter, c: Config, i: number, groups: Set<string>): void {
  const vs = c.virtualServers[i];
  if (!vs) return; // could not be built; already reported
  const p = `/virtualServers/${i}`;
  const name = `virtual_server ${vs.name}`;
  if (!(SCHEDULERS as readonly string[]).includes(vs.lbAlgo)) r.error(`${p}/lbAlgo`, `${name}: lb_algo must be one of ${SCHEDULERS.join(' ')}, got '${vs.lbAlgo}'`);
  if (!(LB_KINDS as readonly string[]).includes(vs.lbKind)) r.error(`${p}/lbKind`, `${name}: lb_kind must be one of ${LB_KINDS.join(' ')}, got '${vs.lbKind}'`);
  port(r, `${p}/port`, `${name}: port`, vs.port);
  // IPVS takes a port-0 (all ports) service only when persistent; keepalived quietly turns persistence on.
  if (vs.kind === 'addr' && vs.port === 0 && vs.persistenceTimeoutS === undefined) r.error(`${p}/port`, `${name}: port 0 (all ports) needs persistence_timeout; give a port 1-65535 or add persistence_timeout`);
  range(r, `${p}/fwmark`, `${name}: fwmark`, vs.fwmark, 1, 0xffffffff);
  if (vs.kind === 'group' && !groups.has(vs.group!)) r.error(`${p}/group`, `${name}: virtual_server_group '${vs.group}' is not defined`);
  range(r, `${p}/persistenceTimeoutS`, `${name}: persistence_timeout`, vs.persistenceTimeoutS, 1, 2_678_400, ' s');
  if (vs.persistenceGranularity !== undefined && !granularityOk(vs.persistenceGranularity, vs.family)) {
    r.error(`${p}/persistenceGranularity`, `${name}: persistence_granularity must be ${vs.family === 4 ? 'an IPv4 netmask such as 255.255.255.0' : 'an IPv6 prefix length 1-128'}, got '${vs.persistenceGranularity}'`);
  }
  range(r, `${p}/quorum`, `${name}: quorum`, vs.quorum, 1, 0x7fffffff);
  range(r, `${p}/hysteresis`, `${name}: hysteresis`, vs.hysteresis, 0, Math.max(0, vs.quorum - 1));
  checkFlags(r, p, vs);
  if (vs.sorryServer) {
    port(r, `${p}/sorryServer/port`, `${name}: sorry_server port`, vs.sorryServer.port);
    if (vs.sorryServer.lbKind === 'NAT' && vs.sorryServer.family !== vs.family) r.error(`${p}/sorryServer/address`, `${name}: a NAT sorry_server must be IPv${vs.family} like the virtual server`);
  }
  if (vs.realServers.length === 0 && !vs.sorryServer) r.warn(p, `${name}: no real_server and no sorry_server`);
  const total = vs.realServers.reduce((n, rs) => n + rs.weight, 0);
  // keepalived lowers such a quorum to the total; we keep it, so the service could never be up.
  if (vs.realServers.length > 0 && vs.quorum > total) r.warn(`${p}/quorum`, `${name}: quorum ${vs.quorum} exceeds the total weight ${total} of its real servers, so it can never be met`);
  if (mayRepeat(vs.realServers)) duplicates(r, vs.realServers, (rs) => `${rs.address}:${rs.port}`, (j) => `${p}/realServers/${j}`, `real_server in ${name}`);
  for (let j = 0; j < vs.realServers.length; j++) {
    // Paths and messages are built only for a value that fails: this runs for every real server.
    const rs = vs.realServers[j]!;
    if (!inRange(rs.port, 0, 65535)) port(r, rsPath(p, j, 'port'), `real_server ${rs.address}: port`, rs.port);
    if (!inRange(rs.weight, 0, 65535)) range(r, rsPath(p, j, 'weight'), `real_server ${rs.address}: weight`, rs.weight, 0, 65535);
    if (!inRange(rs.upperThreshold, 0, 0x7fffffff)) range(r, rsPath(p, j, 'upperThreshold'), 'uthreshold', rs.upperThreshold, 0, 0x7fffffff);
    if (!inRange(rs.lowerThreshold, 0, 0x7fffffff)) range(r, rsPath(p, j, 'lowerThreshold'), 'lthreshold', rs.lowerThreshold, 0, 0x7fffffff);
    if (rs.upperThreshold && rs.lowerThreshold > rs.upperThreshold) r.error(rsPath(p, j, 'lowerThreshold'), `real_server ${rs.address}: lthreshold must not exceed uthreshold`);
    if (rs.lbKind === 'NAT' && vs.kind === 'addr' && rs.family !== vs.family) r.error(rsPath(p, j, 'address'), `real_server ${rs.address}: NAT needs the virtual server's family (IPv${vs.family})`);
    // keepalived quietly resets such a port to the service's; we ask for the config to say so.
    if (rs.lbKind === 'DR' && vs.kind === 'addr' && rs.port !== vs.port && rs.port !== 0) r.error(rsPath(p, j, 'port'), `real_server ${rs.address}: DR cannot translate ports; port must be ${vs.port} like the virtual server (or left out), got ${rs.port}`);
    for (let k = 0; k < rs.checkers.length; k++) checkChecker(r, rsPath(p, j, `checkers/${k}`), rs.checkers[k]!);
  }
}

export function checkLvs(r: Reporter, c: Config): void {
  const groups = new Set(c.virtualServerGroups.map((g) => g.name));
  duplicates(r, c.virtualServerGroups, (g) => g.name, (i) => `/virtualServerGroups/${i}/name`, 'virtual_server_group name');
  c.virtualServerGroups.forEach((g, i) => g.entries.forEach((e, j) => {
    port(r, `/virtualServerGroups/${i}/entries/${j}/port`, `virtual_server_group ${g.name}: port`, e.port);
    range(r, `/virtualServerGroups/${i}/entries/${j}/fwmark`, `virtual_server_group ${g.name}: fwmark`, e.fwmark, 1, 0xffffffff);
  }));
  duplicates(r, c.virtualServers, (vs) => vs?.name, (i) => `/virtualServers/${i}`, 'virtual_server');
  for (let i = 0; i < c.virtualServers.length; i++) checkVirtualServer(r, c, i, groups);
}
