// The operations that change the IPVS table, as data: the reconciler produces them, the client runs
// them, the plan command prints them.
import { destKeyString, serviceKeyString, type DestSpec, type ServiceKey, type ServiceSpec } from './model.js';

export type IpvsOp =
  | { op: 'add-service'; service: ServiceSpec }
  | { op: 'edit-service'; service: ServiceSpec; was: ServiceSpec }
  | { op: 'delete-service'; service: ServiceKey }
  | { op: 'add-dest'; service: ServiceKey; dest: DestSpec }
  | { op: 'edit-dest'; service: ServiceKey; dest: DestSpec; was: DestSpec }
  | { op: 'delete-dest'; service: ServiceKey; dest: DestSpec };

/** One line per operation, e.g. "~ tcp 10.0.0.1:80 -> 10.0.1.2:80 weight 1 -> 3". */
export function describeOp(op: IpvsOp): string {
  switch (op.op) {
    case 'add-service': return `+ service ${serviceKeyString(op.service)} ${serviceSummary(op.service)}`;
    case 'edit-service': return `~ service ${serviceKeyString(op.service)} ${changes(serviceFields(op.was), serviceFields(op.service))}`;
    case 'delete-service': return `- service ${serviceKeyString(op.service)}`;
    case 'add-dest': return `+ real server ${destKeyString(op.dest)} in ${serviceKeyString(op.service)} ${destSummary(op.dest)}`;
    case 'edit-dest': return `~ real server ${destKeyString(op.dest)} in ${serviceKeyString(op.service)} ${changes(destFields(op.was), destFields(op.dest))}`;
    case 'delete-dest': return `- real server ${destKeyString(op.dest)} in ${serviceKeyString(op.service)}`;
  }
}

function serviceFields(s: ServiceSpec): Record<string, string> {
  return {
    scheduler: s.scheduler,
    flags: s.flags.length ? s.flags.join(',') : 'none',
    timeout: String(s.timeout),
    netmask: `/${s.netmask}`,
    pe: s.pe ?? 'none',
  };
}

function destFields(d: DestSpec): Record<string, string> {
  const f: Record<string, string> = {
    forward: d.forward,
    weight: String(d.weight),
    'upper-threshold': String(d.upperThreshold),
    'lower-threshold': String(d.lowerThreshold),
  };
  if (d.forward === 'tunnel') {
    f['tunnel-type'] = d.tunnelType ?? 'ipip';
    if (d.tunnelPort !== undefined) f['tunnel-port'] = String(d.tunnelPort);
    if (d.tunnelChecksum !== undefined) f['tunnel-checksum'] = d.tunnelChecksum;
  }
  return f;
}

function serviceSummary(s: ServiceSpec): string {
  const f = serviceFields(s);
  return `scheduler ${f.scheduler}${s.flags.length ? ` flags ${f.flags}` : ''}${s.flags.includes('persistent') ? ` timeout ${s.timeout} netmask /${s.netmask}` : ''}`;
}

function destSummary(d: DestSpec): string {
  return Object.entries(destFields(d)).filter(([k, v]) => !(k.endsWith('threshold') && v === '0')).map(([k, v]) => `${k} ${v}`).join(' ');
}

function changes(a: Record<string, string>, b: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => a[k] !== b[k]).map((k) => `${k} ${a[k] ?? '-'} -> ${b[k] ?? '-'}`).join(', ');
}
