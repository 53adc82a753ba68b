// The kernel's IPVS connection-sync daemon, pure: which daemon should run given the VRRP state
// (keepalived's lvs_sync_daemon: master while the instance is MASTER, backup otherwise), and the
// start/stop commands that take the running set there. A master never runs next to a backup of
// the same director: the backup is stopped before the master starts and the other way round.
import type { GlobalDefs, VrrpInstance } from '../config/model.js';

export type SyncRole = 'master' | 'backup';

export interface SyncDaemonSpec {
  role: SyncRole;
  /** Interface the sync messages go out on / are received from. */
  iface: string;
  /** Sync id 0-255: directors exchange connections only within one id. */
  syncId: number;
  maxLen?: number;
  /** Multicast group; unset = the kernel's 224.0.0.81. */
  group?: string;
  port?: number;
  ttl?: number;
}

export interface SyncDaemonChange {
  stop: SyncRole[];
  start: SyncDaemonSpec[];
}

/** The daemon that should run: none without lvs_sync_daemon; master only while the instance is MASTER. */
export function wantedSyncDaemon(
  g: Pick<GlobalDefs, 'lvsSyncDaemon'>, instances: readonly Pick<VrrpInstance, 'name' | 'vrid'>[], stateOf: (instance: string) => string | undefined,
): SyncDaemonSpec | undefined {
  const s = g.lvsSyncDaemon;
  if (!s) return undefined;
  const vrid = instances.find((i) => i.name === s.vrrpInstance)?.vrid;
  const spec: SyncDaemonSpec = {
    role: stateOf(s.vrrpInstance) === 'MASTER' ? 'master' : 'backup',
    iface: s.interface,
    syncId: s.syncId ?? vrid ?? 0,
  };
  if (s.maxLen !== undefined) spec.maxLen = s.maxLen;
  if (s.group !== undefined) spec.group = s.group;
  if (s.port !== undefined) spec.port = s.port;
  if (s.ttl !== undefined) spec.ttl = s.ttl;
  return spec;
}

/** Same daemon settings (role included): nothing to restart. */
export function sameSyncDaemon(a: SyncDaemonSpec, b: SyncDaemonSpec): boolean {
  return a.role === b.role && a.iface === b.iface && a.syncId === b.syncId && a.maxLen === b.maxLen
    && a.group === b.group && a.port === b.port && a.ttl === b.ttl;
}

/**
 * Commands from the daemons running (as this director started them) to the wanted one. A changed
 * setting restarts the daemon: the kernel cannot edit a running sync thread.
 */
export function syncDaemonChange(running: readonly SyncDaemonSpec[], wanted: SyncDaemonSpec | undefined): SyncDaemonChange {
  const stop = running.filter((r) => !wanted || !sameSyncDaemon(r, wanted)).map((r) => r.role);
  const start = wanted && !running.some((r) => sameSyncDaemon(r, wanted)) ? [wanted] : [];
  return { stop, start };
}
