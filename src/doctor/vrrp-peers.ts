// Who else speaks VRRP on the config's interfaces. A speaker on a configured VRID with the same
// virtual addresses is the expected peer; with other addresses it is another cluster using our
// VRID, which would fight over the election. Pure: the adverts are heard by the DoctorHost.
import type { Family } from '../config/model.js';
import type { HeardAdvert } from './host.js';
import type { HostNeeds, VridUse } from './needs.js';
import type { Finding } from './checks.js';

/** One listening session: which interface and family, how long, and what was heard (or why not). */
export interface Listening { iface: string; family: Family; group?: string; durationMs: number; heard: HeardAdvert[] | { error: string } }

/** The sessions to run: one per interface and family; join the group when an instance there is multicast. */
export function listenPlan(needs: HostNeeds, overrideMs?: number): Omit<Listening, 'heard'>[] {
  const by = new Map<string, Omit<Listening, 'heard'>>();
  for (const v of needs.vrids) {
    const key = `${v.iface}/${v.family}`;
    // Three advert intervals: a live master is heard at least twice; capped so doctor stays quick.
    const ms = overrideMs ?? Math.min(10_000, Math.max(1000, 3 * v.advertIntervalMs));
    const cur = by.get(key) ?? { iface: v.iface, family: v.family, durationMs: 0 };
    cur.durationMs = Math.max(cur.durationMs, ms);
    if (v.multicast) cur.group = v.family === 4 ? needs.mcastGroup4 : needs.mcastGroup6;
    by.set(key, cur);
  }
  return [...by.values()];
}

const sameSet = (a: string[], b: string[]): boolean => {
  const x = [...new Set(a)].sort(), y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};
const list = (a: string[]): string => (a.length ? a.join(', ') : 'no addresses');
const secs = (ms: number): string => `${+(ms / 1000).toFixed(2)} s`;

/** Distinct speakers (by source and VRID), keeping the last advert of each. */
function speakers(heard: HeardAdvert[]): HeardAdvert[] {
  const m = new Map<string, HeardAdvert>();
  for (const h of heard) m.set(`${h.vrid}/${h.src}`, h);
  return [...m.values()].sort((a, b) => a.vrid - b.vrid || a.src.localeCompare(b.src));
}

function findingsFor(use: VridUse, l: Listening, heard: HeardAdvert[], local: Set<string>): Finding[] {
  const check = `VRID ${use.vrid} on ${use.iface}`;
  const on = heard.filter((h) => h.vrid === use.vrid);
  if (on.length === 0) return [{ level: 'ok', check, message: `no other VRRP speaker heard in ${secs(l.durationMs)} (${use.instance})` }];
  return on.map((h): Finding => {
    const who = `${h.src} (VRRPv${h.version}, priority ${h.priority}) advertises ${list(h.addresses)}`;
    if (local.has(h.src)) return { level: 'ok', check, message: `${who}: this host, a director already running here (${use.instance})` };
    if (sameSet(h.addresses, use.vips)) return { level: 'ok', check, message: `${who}: the expected peer of ${use.instance}` };
    return {
      level: 'fail', check,
      message: `another VRRP cluster uses this VRID: ${who}, but ${use.instance} has ${list(use.vips)}`,
      fix: `give ${use.instance} a virtual_router_id no other cluster on this network uses`,
    };
  });
}

export function peerFindings(needs: HostNeeds, sessions: Listening[], localAddresses: string[]): Finding[] {
  const local = new Set(localAddresses);
  const out: Finding[] = [];
  for (const l of sessions) {
    const uses = needs.vrids.filter((v) => v.iface === l.iface && v.family === l.family);
    if (!Array.isArray(l.heard)) {
      out.push({ level: 'warn', check: `VRRP on ${l.iface}`, message: `could not listen for other VRRP speakers (IPv${l.family}): ${l.heard.error}`, fix: 'run doctor as root' });
      continue;
    }
    const heard = speakers(l.heard);
    for (const u of uses) out.push(...findingsFor(u, l, heard, local));
    const others = heard.filter((h) => !uses.some((u) => u.vrid === h.vrid));
    if (others.length) {
      out.push({
        level: 'ok', check: `VRRP on ${l.iface}`,
        message: `other clusters on VRIDs this config does not use (no conflict): ${others.map((h) => `VRID ${h.vrid} from ${h.src}`).join(', ')}`,
      });
    }
  }
  return out;
}
