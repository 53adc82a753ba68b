// The director's side of the kernel's connection-sync daemon: what it started, what it wants
// (master while the VRRP instance is MASTER, see src/ipvs/sync-daemon.ts), and the commands that
// take the kernel from one to the other. Driven by the IPVS worker (director-ipvs.ts), one pass at a time.
import { syncDaemonChange, type SyncDaemonSpec, type SyncRole } from '../ipvs/sync-daemon.js';
import type { Logger } from '../ports/logger.js';

export interface SyncDaemonPort {
  startDaemon(d: SyncDaemonSpec): Promise<void>;
  stopDaemon(role: SyncRole): Promise<void>;
  listDaemons(): Promise<SyncDaemonSpec[]>;
}

export class SyncDaemons {
  wanted: SyncDaemonSpec | undefined;
  /** Daemons running in the kernel as far as this director knows. */
  private running: SyncDaemonSpec[] = [];

  constructor(private readonly log: Logger, private readonly count: (op: string, result: string) => void) {}

  /** At start: what the kernel already runs (a previous run), so a matching daemon is not restarted. */
  async adopt(c: SyncDaemonPort): Promise<void> { this.running = await c.listDaemons().catch(() => []); }

  /** One step towards `wanted`; false when a command failed (the worker retries). */
  async sync(c: SyncDaemonPort): Promise<boolean> {
    const ch = syncDaemonChange(this.running, this.wanted);
    for (const role of ch.stop) {
      try { await c.stopDaemon(role); this.count('stop-daemon', 'ok'); } catch (e) {
        if ((e as { errno?: string }).errno !== 'ESRCH') {
          this.count('stop-daemon', 'error');
          this.log.error({ err: (e as Error).message }, 'ipvs: stopping the sync daemon failed');
          return false;
        }
      }
      this.running = this.running.filter((d) => d.role !== role);
    }
    for (const d of ch.start) {
      try { await c.startDaemon(d); this.count('start-daemon', 'ok'); } catch (e) {
        this.count('start-daemon', 'error');
        this.log.error({ err: (e as Error).message }, 'ipvs: starting the sync daemon failed');
        return false;
      }
      this.running.push(d);
      this.log.info({ role: d.role, iface: d.iface, syncId: d.syncId }, 'ipvs: sync daemon started');
    }
    return true;
  }

  /** At stop: every daemon this director knows of. */
  async stopAll(c: SyncDaemonPort): Promise<void> {
    for (const d of this.running.splice(0)) await c.stopDaemon(d.role).catch(() => undefined);
  }
}
