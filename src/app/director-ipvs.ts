// The director's only way to change IPVS: one worker that takes the desired table, reconciles it
// against a shadow of what it applied and applies the difference. Requests made while it works
// coalesce into one more pass, so a burst of health changes costs one reconcile. A failed apply is
// logged with its errno in words, the shadow is re-read from the kernel and the pass retried; a
// kernel without ip_vs is reported once and every pass becomes a no-op (health is still tracked).
import type { GlobalDefs } from '../config/model.js';
import { VipError } from '../lib/errors.js';
import type { ApplyOptions } from '../ipvs/client.js';
import { keyOf, serviceKeyString, type DesiredService, type ServiceEntry, type ServiceKey, type Timeouts } from '../ipvs/model.js';
import type { IpvsOp } from '../ipvs/ops.js';
import { reconcile } from '../ipvs/reconcile.js';
import type { SyncDaemonSpec, SyncRole } from '../ipvs/sync-daemon.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { applyToShadow, keysOfShadow, shadowOf, type Shadow } from './director-shadow.js';
import { SyncDaemons } from './director-syncd.js';

/** What the director needs of the IPVS client (src/ipvs/client.ts); tests use the fake kernel. */
export interface IpvsPort {
  list(): Promise<ServiceEntry[]>;
  apply(ops: readonly IpvsOp[], opts?: ApplyOptions): Promise<void>;
  flush(): Promise<void>;
  setTimeouts(t: Partial<Timeouts>): Promise<void>;
  deleteService(k: ServiceKey): Promise<void>;
  startDaemon(d: SyncDaemonSpec): Promise<void>;
  stopDaemon(role: SyncRole): Promise<void>;
  listDaemons(): Promise<SyncDaemonSpec[]>;
  close(): void;
}
export type OpenIpvsPort = () => Promise<IpvsPort>;

export const IPVS_UNAVAILABLE_LOG = 'ipvs: unavailable (load the ip_vs module)';

/** Services whose changes are applied at once (each its own pipelined batch). */
const GROUP_WINDOW = 8;
/** A failing pass is retried after retryMs, doubling up to this. */
const MAX_RETRY_MS = 30_000;

export interface IpvsSyncOptions {
  open: OpenIpvsPort;
  clock: Clock;
  logger: Logger;
  /** Re-read the kernel table this often to repair drift (ms). */
  resyncMs?: number;
  /** Retry a failed pass after this long (ms). */
  retryMs?: number;
}

export class IpvsSync {
  private client: IpvsPort | undefined;
  private ready: Promise<void> = Promise.resolve();
  private shadow: Shadow = new Map();
  /** Services this process added: the only ones removed at stop. */
  readonly created = new Set<string>();
  /** Services of the last desired table applied: deleted once they leave the desired table. */
  private managed: ServiceKey[] = [];
  private desired: () => DesiredService[] = () => [];
  private global: GlobalDefs | undefined;
  private readonly syncd: SyncDaemons;
  private dirty = false;
  private working: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  private retryDelay: number | undefined;
  private resyncTimer: TimerHandle | undefined;
  private stopped = false;
  private warnedUnavailable = false;
  /** `op|result` -> count. */
  readonly opCounts = new Map<string, number>();

  constructor(private readonly o: IpvsSyncOptions) {
    this.syncd = new SyncDaemons(o.logger, (op, result) => this.count(op, result));
  }

  get available(): boolean { return this.client !== undefined; }

  /** Opens IPVS and runs the start-up steps (lvs_flush, lvs_timeouts); never rejects. */
  start(g: GlobalDefs, desired: () => DesiredService[], daemon: SyncDaemonSpec | undefined): void {
    this.global = g;
    this.desired = desired;
    this.syncd.wanted = daemon;
    this.ready = this.connect(g);
    this.armResync();
    this.request();
  }

  setDesired(desired: () => DesiredService[]): void { this.desired = desired; this.request(); }
  setSyncDaemon(d: SyncDaemonSpec | undefined): void { this.syncd.wanted = d; this.request(); }

  /** Asks for a pass; passes never overlap and requests made during one coalesce into the next. */
  request(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (!this.working) this.working = this.pump().finally(() => { this.working = undefined; });
  }

  /** Resolves when no pass is pending (tests, stop). */
  async idle(): Promise<void> { while (this.working) await this.working; }

  private async connect(g: GlobalDefs): Promise<void> {
    try {
      this.client = await this.o.open();
    } catch (e) {
      this.unavailable(e);
      return;
    }
    await this.afterOpen(g);
  }

  /** The start-up steps, also when ip_vs appears later (the module loaded after the daemon started). */
  private async afterOpen(g: GlobalDefs): Promise<void> {
    const c = this.client!;
    await this.step('flush', g.lvsFlush, () => c.flush());
    const t = g.lvsTimeouts;
    if (t) await this.step('timeouts', true, () => c.setTimeouts({ tcp: t.tcpS ?? 0, tcpFin: t.tcpFinS ?? 0, udp: t.udpS ?? 0 }));
    await this.reread();
    if (g.lvsSyncDaemon) await this.syncd.adopt(c);
  }

  private unavailable(e: unknown): void {
    if (e instanceof VipError && e.code === 'ipvs-unavailable') {
      if (!this.warnedUnavailable) this.o.logger.warn({}, IPVS_UNAVAILABLE_LOG);
      this.warnedUnavailable = true;
    } else {
      this.o.logger.error({ err: (e as Error).message }, 'ipvs: cannot open the IPVS netlink family; retrying later');
    }
  }

  private async step(what: string, when: boolean, fn: () => Promise<void>): Promise<void> {
    if (!when) return;
    try { await fn(); this.count(what, 'ok'); } catch (e) { this.count(what, 'error'); this.o.logger.error({ err: (e as Error).message }, `ipvs: ${what} failed`); }
  }

  private async reread(): Promise<boolean> {
    if (!this.client) return false;
    try {
      this.shadow = shadowOf(await this.client.list());
      return true;
    } catch (e) {
      this.o.logger.error({ err: (e as Error).message }, 'ipvs: reading the table failed');
      return false;
    }
  }

  private async pump(): Promise<void> {
    await this.ready;
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      if (!this.client) return;
      const services = await this.syncServices();
      const daemons = await this.syncd.sync(this.client);
      if (services && daemons) this.retryDelay = undefined;
      else this.retryLater();
    }
  }

  private async syncServices(): Promise<boolean> {
    const c = this.client!;
    let desired: DesiredService[], ops: IpvsOp[];
    try {
      desired = this.desired();
      // The shadow holds the kernel's table in canonical form; reconcile reads only those fields.
      ops = reconcile(desired, [...this.shadow.values()] as unknown as ServiceEntry[], { previouslyManaged: this.managed });
    } catch (e) {
      // A config reconcile refuses (duplicate service) cannot be fixed by retrying.
      this.o.logger.error({ err: (e as Error).message }, 'ipvs: desired table refused');
      return true;
    }
    if (ops.length === 0) { this.managed = desired.map(keyOf); return true; }
    // One service's refusal (an unknown scheduler, say) must not hold back the others' health
    // changes: each service's operations are applied as their own batch.
    const groups = new Map<string, IpvsOp[]>();
    for (const op of ops) {
      const k = serviceKeyString(op.service);
      groups.set(k, [...(groups.get(k) ?? []), op]);
    }
    const before = new Set(this.shadow.keys());
    const failedKeys = new Set<string>();
    await inParallel([...groups], GROUP_WINDOW, async ([k, g]) => {
      try {
        await c.apply(g, { window: 32 });
      } catch (e) {
        failedKeys.add(k);
        const failed = (e as { context?: { failed?: IpvsOp } }).context?.failed;
        this.count(failed?.op ?? 'apply', 'error');
        this.o.logger.error({ err: (e as Error).message }, 'ipvs: applying changes failed; re-reading the table and retrying');
        return;
      }
      for (const op of g) this.count(op.op, 'ok');
      applyToShadow(this.shadow, g);
      if (g[0]!.op === 'add-service') this.created.add(k);
      if (g[0]!.op === 'delete-service') this.created.delete(k);
    });
    this.o.logger.debug({ ops: ops.length, services: groups.size, failed: failedKeys.size }, 'ipvs: applied');
    // Services whose removal failed stay managed, so the next pass deletes them.
    const stillManaged = this.managed.filter((k) => failedKeys.has(serviceKeyString(k)));
    this.managed = [...desired.map(keyOf), ...stillManaged];
    if (failedKeys.size === 0) return true;
    if (await this.reread()) {
      for (const k of failedKeys) if (groups.get(k)![0]!.op === 'add-service' && !before.has(k) && this.shadow.has(k)) this.created.add(k);
    }
    return false;
  }

  /** Retries a failed pass with a doubling delay, so a lasting refusal is not logged every second. */
  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    const base = this.o.retryMs ?? 1000;
    this.retryDelay = this.retryDelay === undefined ? base : Math.min(this.retryDelay * 2, MAX_RETRY_MS);
    this.retryTimer = this.o.clock.setTimer(this.retryDelay, () => { this.retryTimer = undefined; this.request(); });
  }

  private armResync(): void {
    if (this.stopped) return;
    this.resyncTimer = this.o.clock.setTimer(this.o.resyncMs ?? 60_000, () => {
      this.resyncTimer = undefined;
      void this.resync().finally(() => this.armResync());
    });
  }

  /** Re-reads the kernel (repairs drift), or tries again to open IPVS if it was unavailable. */
  private async resync(): Promise<void> {
    await this.ready;
    if (this.stopped) return;
    if (!this.client) {
      try { this.client = await this.o.open(); } catch { return; }
      this.o.logger.info({}, 'ipvs: available now');
      await this.afterOpen(this.global!);
    }
    await this.idle();
    if (await this.reread()) this.request();
  }

  private count(op: string, result: string): void {
    const k = `${op}|${result}`;
    this.opCounts.set(k, (this.opCounts.get(k) ?? 0) + 1);
  }

  /**
   * Stop: unless `keep` (--keep-ipvs), lvs_flush_on_stop flushes everything, else the services
   * this process created are removed; its sync daemons are stopped.
   */
  async stop(opts: { keep: boolean; flushAll: boolean }): Promise<void> {
    // No new pass from here; one in flight finishes before the clean-up.
    this.stopped = true;
    await this.idle();
    if (this.retryTimer) this.o.clock.clearTimer(this.retryTimer);
    if (this.resyncTimer) this.o.clock.clearTimer(this.resyncTimer);
    this.retryTimer = this.resyncTimer = undefined;
    await this.ready;
    const c = this.client;
    if (!c) return;
    try {
      // --keep-ipvs wins over lvs_flush_on_stop: the operator asked for the table to stay.
      if (opts.keep) return;
      if (opts.flushAll) await this.step('flush', true, () => c.flush());
      else {
        const gone = keysOfShadow(this.shadow).filter((k) => this.created.has(serviceKeyString(k)));
        await Promise.all(gone.map((k) => c.deleteService(k).then(() => this.count('delete-service', 'ok'), (e) => {
          if ((e as { errno?: string }).errno === 'ESRCH') return;
          this.count('delete-service', 'error');
          this.o.logger.error({ err: (e as Error).message }, 'ipvs: removing a service at stop failed');
        })));
      }
      await this.syncd.stopAll(c);
    } finally {
      c.close();
      this.client = undefined;
    }
  }
}

/** Runs fn over items with at most `window` at once; fn reports its own failures. */
async function inParallel<T>(items: readonly T[], window: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => { while (next < items.length) await fn(items[next++]!); };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, worker));
}
