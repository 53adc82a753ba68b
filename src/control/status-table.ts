// The status object as `vipkeeper status` prints it for people: one table of VRRP instances, then
// each virtual server with its real servers. Pure: status in, text out.
import { realServerLabel, type CheckStatus, type InstanceStatus, type RealServerStatus, type Status, type VirtualServerStatus } from '../app/status.js';

/** Columns padded to their widest cell; the last column is not padded (no trailing blanks). */
export function table(rows: string[][], indent = ''): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** 4.2 -> "4.2 s", 125 -> "2 min 5 s", 7300 -> "2 h 1 min". */
export function formatAge(s: number): string {
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

function masterSeen(i: InstanceStatus): string {
  if (i.state === 'MASTER') return '(this director)';
  if (!i.masterSeen) return '-';
  return i.masterSeen.priority === null ? i.masterSeen.address : `${i.masterSeen.address} (priority ${i.masterSeen.priority})`;
}

function lastTransition(i: InstanceStatus): string {
  const t = i.lastTransition;
  return t ? `${t.from} -> ${t.to} (${t.reason}), ${formatAge(t.ageS)} ago` : '-';
}

function instances(list: InstanceStatus[]): string[] {
  if (list.length === 0) return ['VRRP instances: none'];
  const rows = [['NAME', 'INTERFACE', 'VRID', 'STATE', 'PRIORITY', 'EFFECTIVE', 'MASTER SEEN', 'LAST TRANSITION']];
  for (const i of list) rows.push([i.name, i.interface, String(i.vrid), i.state, String(i.priority), String(i.effectivePriority), masterSeen(i), lastTransition(i)]);
  return ['VRRP instances', ...table(rows, '  ')];
}

/** The check worth showing: the latest failing one (it says why a server is down), else the latest. */
function shownCheck(rs: RealServerStatus): CheckStatus | null {
  const failing = rs.checks.filter((c) => c.ok === false && c.ageS !== null).sort((a, b) => a.ageS! - b.ageS!);
  return failing[0] ?? rs.lastCheck;
}

function checkText(c: CheckStatus | null): string {
  if (!c || c.ok === null) return 'not checked yet';
  const what = c.ok ? 'ok' : `failed${c.reason ? `: ${c.reason}` : ''}`;
  return `${c.type} ${what}${c.ageS !== null ? `, ${formatAge(c.ageS)} ago` : ''}`;
}

function virtualServer(vs: VirtualServerStatus): string[] {
  const flags = [vs.quorumUp ? 'quorum up' : 'QUORUM DOWN', ...(vs.sorryActive ? ['sorry server active'] : []), ...(vs.suspended ? ['checks suspended (not master)'] : [])];
  const head = `  ${vs.name}: ${flags.join(', ')}`;
  if (vs.realServers.length === 0) return [head, '    (no real servers)'];
  const rows = [['REAL SERVER', 'HEALTH', 'WEIGHT', 'LATENCY', 'LAST CHECK']];
  for (const rs of vs.realServers) {
    const c = shownCheck(rs);
    const latency = c?.latencyMs != null ? `${Math.round(c.latencyMs * 10) / 10} ms` : '-';
    rows.push([realServerLabel(rs), rs.up ? 'up' : 'DOWN', String(rs.weight), latency, checkText(c)]);
  }
  return [head, ...table(rows, '    ')];
}

export function formatStatus(s: Status): string {
  const out = [...instances(s.instances), ''];
  if (s.virtualServers.length === 0) out.push('Virtual servers: none');
  else out.push('Virtual servers', ...s.virtualServers.flatMap(virtualServer));
  if (s.ipvsAvailable === false) out.push('', 'IPVS is not available in this kernel: real servers are checked but nothing is programmed (load the ip_vs module)');
  return out.join('\n');
}
