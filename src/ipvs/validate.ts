// What the kernel would refuse (or ipvsadm would not let through), checked before anything is sent,
// so that one bad real server cannot leave a table half programmed. Pure.
import { ipFamily } from '../lib/ip.js';
import { destKeyString, SERVICE_FLAGS, serviceKeyString, type DesiredService, type DestSpec } from './model.js';

const U32 = 0xffffffff;
const isInt = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;

/** Every problem with one desired service and its real servers, as readable sentences. */
export function serviceProblems(s: DesiredService): string[] {
  const where = serviceKeyString(s);
  const p: string[] = [];
  if (s.fwmark > 0) {
    if (!isInt(s.fwmark, 1, U32)) p.push(`${where}: firewall mark must be 1-4294967295`);
  } else {
    if (ipFamily(s.address) !== s.family) p.push(`${where}: address ${s.address} is not IPv${s.family}`);
    if (!isInt(s.port, 0, 65535)) p.push(`${where}: port must be 0-65535`);
  }
  for (const f of s.flags) if (!SERVICE_FLAGS.includes(f)) p.push(`${where}: unknown service flag '${f}' (one of ${SERVICE_FLAGS.join(', ')})`);
  if (!/^[a-z0-9_]{1,15}$/.test(s.scheduler)) p.push(`${where}: scheduler name '${s.scheduler}' is not a scheduler (1-15 letters)`);
  if (!isInt(s.timeout, 0, U32)) p.push(`${where}: persistence timeout must be a whole number of seconds`);
  if (!isInt(s.netmask, s.family === 6 ? 1 : 0, s.family === 6 ? 128 : 32)) p.push(`${where}: persistence netmask /${s.netmask} is out of range`);
  for (const d of s.dests) p.push(...destProblems(s, d).map((x) => `${where}: real server ${destKeyString(d)}: ${x}`));
  return p;
}

function destProblems(s: DesiredService, d: DestSpec): string[] {
  const p: string[] = [];
  if (ipFamily(d.address) !== d.family) p.push(`address ${d.address} is not IPv${d.family}`);
  if (d.family !== s.family && d.forward !== 'tunnel') p.push('only tunnelled real servers may be of another address family');
  if (!isInt(d.port, 0, 65535)) p.push('port must be 0-65535');
  if (!isInt(d.weight, 0, 65535)) p.push(`weight ${d.weight} must be 0-65535`);
  if (!isInt(d.upperThreshold, 0, U32) || !isInt(d.lowerThreshold, 0, U32)) p.push('thresholds must be 0-4294967295');
  else if (d.lowerThreshold > d.upperThreshold) p.push(`lower threshold ${d.lowerThreshold} is above the upper threshold ${d.upperThreshold}`);
  if (d.forward === 'tunnel' && d.tunnelType === 'gue' && !isInt(d.tunnelPort ?? 0, 1, 65535)) p.push('a GUE tunnel needs a tunnel port (1-65535)');
  return p;
}
