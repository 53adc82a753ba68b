// Rules for vrrp_track_process and the track_process references to it. keepalived ignores a bad
// value with a log line; we refuse it. A name longer than the kernel's 15-byte comm could never
// match without full_command, which keepalived accepts silently: refused, saying why.
import type { Config, TrackRef } from './model.js';
import type { Reporter } from './normalize.js';
import { duplicates, msRange, range } from './semantic-vrrp.js';

const COMM_MAX = 15;

export function checkTrackProcesses(r: Reporter, c: Config): void {
  const defs = c.trackProcesses ?? [];
  duplicates(r, defs, (x) => x.name, (i) => `/trackProcesses/${i}/name`, 'vrrp_track_process name');
  defs.forEach((t, i) => {
    const p = `/trackProcesses/${i}`, what = `vrrp_track_process ${t.name}`;
    range(r, `${p}/weight`, `${what}: weight`, t.weight, -254, 254);
    if (t.quorum === 0 && t.quorumMax !== 0) r.error(`${p}/quorum`, `${r.subject(`${p}/quorum`, `${what}: quorum`)} must be 1-65535, got 0 (for "must not run", set quorum_max 0)`);
    else range(r, `${p}/quorum`, `${what}: quorum`, t.quorum, 0, 65535);
    range(r, `${p}/quorumMax`, `${what}: quorum_max`, t.quorumMax, 0, 65535);
    if (t.quorumMax !== undefined && t.quorum > t.quorumMax) r.error(`${p}/quorumMax`, `${r.subject(`${p}/quorumMax`, `${what}: quorum_max`)} ${t.quorumMax} is below quorum ${t.quorum}: it could never be up`);
    msRange(r, `${p}/forkDelayMs`, `${what}: fork_delay`, t.forkDelayMs, 0, 3_600_000);
    msRange(r, `${p}/terminateDelayMs`, `${what}: terminate_delay`, t.terminateDelayMs, 0, 3_600_000);
    if (!t.fullCommand && Buffer.byteLength(t.process) > COMM_MAX) {
      r.error(`${p}/process`, `${what}: process name '${t.process}' is longer than the ${COMM_MAX} bytes the kernel keeps of a name, so it never matches; add full_command to match the command line`);
    }
  });
  const names = new Set(defs.map((d) => d.name));
  const refs = (p: string, list: TrackRef[] | undefined): void => (list ?? []).forEach((t, j) => {
    const at = `${p}/trackProcesses/${j}`;
    if (!names.has(t.name)) r.error(at, `${r.subject(at, 'track_process')} '${t.name}' is not defined`);
    range(r, `${at}/weight`, 'track_process weight', t.weight, -254, 254);
  });
  c.vrrpInstances.forEach((x, i) => refs(`/vrrpInstances/${i}`, x.trackProcesses));
  c.syncGroups.forEach((g, i) => refs(`/syncGroups/${i}`, g.trackProcesses));
  // As for the other trackers (semantic-vrrp.ts): keepalived drops weights inside a sync group.
  const weightOf = new Map(defs.map((d) => [d.name, d.weight]));
  c.vrrpInstances.forEach((x, i) => {
    if (x.syncGroup === undefined) return;
    (x.trackProcesses ?? []).forEach((t, j) => {
      if ((t.weight ?? weightOf.get(t.name) ?? 0) !== 0) r.warn(`/vrrpInstances/${i}/trackProcesses/${j}`, `vrrp_instance ${x.name} is in vrrp_sync_group ${x.syncGroup}: keepalived ignores the weight of tracked process '${t.name}' there (a failure faults the group) unless sync_group_tracking_weight is set`);
    });
  });
}
