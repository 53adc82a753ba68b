// Drives the pure decisions (decide.ts) with the real inputs: pool health, VRRP states, a clock
// for hold-downs, and the kernel table through a RoutePort. Kernel operations run one at a time,
// in order, as a reconciliation of "should be announced" against "is installed": a failed
// operation is retried on a timer instead of being lost, and nothing is installed before the
// start-up flush has succeeded.
import type { Announcements, AnnouncedRoute } from '../config/announcements.js';
import { conditionText } from '../config/announcements.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { initialState, reloadState, step, type AnnounceAction, type AnnounceEvent, type EngineState } from './decide.js';
import type { PoolHealth, VrrpStates } from './inputs.js';
import type { AnnounceRoute, RoutePort } from './route-port.js';

export interface EngineDeps {
  routes: RoutePort;
  clock: Clock;
  /** Needed when a route has a virtualServer condition. */
  pools?: PoolHealth;
  /** Needed when a route has a vrrpInstance condition. */
  vrrp?: VrrpStates;
  logger?: Logger;
  /** Wall-clock time for `since` in snapshots (default Date.now); decisions use `clock` only. */
  wallNow?: () => number;
  /** Delay before a failed kernel operation is tried again (default 1000 ms). */
  retryMs?: number;
}

/** One route's status, for `vipkeeper status` and the vipkeeper_announce_active{prefix} gauge. */
export interface AnnouncementStatus {
  prefix: string;
  table: number;
  metric: number;
  /** "virtualServer 10.20.0.1:80/TCP", "vrrpInstance VI_1", "always". */
  condition: string;
  /** The condition holds now. */
  conditionMet: boolean;
  /** The route is in the kernel table (as far as the last operation told). */
  active: boolean;
  /** Waiting out the hold-down. */
  holdingDown: boolean;
  /** Wall-clock ms when the route was last announced or withdrawn (or the engine started). */
  since: number;
}

export class AnnouncementEngine {
  private state: EngineState;
  private readonly timers = new Map<number, TimerHandle>();
  private installed: (AnnounceRoute | undefined)[];
  private flushed = false;
  private queue: Promise<void> = Promise.resolve();
  private retry: TimerHandle | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly log: Logger;
  private readonly wallNow: () => number;

  constructor(private cfg: Announcements, private readonly deps: EngineDeps) {
    this.state = initialState(cfg.routes, deps.clock.now());
    this.installed = cfg.routes.map(() => undefined);
    this.log = (deps.logger ?? silentLogger).child({ component: 'announce' });
    this.wallNow = deps.wallNow ?? Date.now;
    this.checkInputs(cfg);
  }

  private checkInputs(cfg: Announcements): void {
    for (const r of cfg.routes) {
      if (r.condition.kind === 'virtualServer' && !this.deps.pools) throw new Error(`announcement ${r.prefix}: a virtualServer condition needs pool health`);
      if (r.condition.kind === 'vrrpInstance' && !this.deps.vrrp) throw new Error(`announcement ${r.prefix}: a vrrpInstance condition needs VRRP states`);
    }
  }

  /** Flushes our routes left from an earlier run, then announces what holds. Resolves when that is applied (or failed and scheduled for retry). */
  async start(): Promise<void> {
    const offPools = this.deps.pools?.onChange((vs) => this.recheck((c) => c.kind === 'virtualServer' && c.virtualServer === vs));
    if (offPools) this.unsubscribe.push(offPools);
    const offVrrp = this.deps.vrrp?.onTransition((t) => this.recheck((c) => c.kind === 'vrrpInstance' && c.vrrpInstance === t.instance));
    if (offVrrp) this.unsubscribe.push(offVrrp);
    this.feed({ type: 'start', met: this.cfg.routes.map((r) => this.met(r)) });
    await this.idle();
  }

  /** Withdraws every announced route; resolves once the kernel has answered (failures are logged). */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.feed({ type: 'stop' });
    if (this.retry) { this.deps.clock.clearTimer(this.retry); this.retry = undefined; }
    await this.idle();
  }

  /**
   * A new configuration (SIGHUP). Routes that continue (same prefix, metric, condition and table)
   * keep their state and stay announced; removed ones are withdrawn; new ones start as when the
   * engine starts (hold-down included). A new table is not flushed: only the start flushes.
   */
  async reload(next: Announcements): Promise<void> {
    if (this.state.phase !== 'running') { this.checkInputs(next); this.cfg = next; this.state = initialState(next.routes, this.deps.clock.now()); this.installed = next.routes.map(() => undefined); return; }
    this.checkInputs(next);
    const sameTable = next.table === this.cfg.table;
    const r = reloadState(this.cfg.routes, this.state, next.routes, sameTable, this.deps.clock.now());
    for (const t of this.timers.values()) this.deps.clock.clearTimer(t);
    this.timers.clear();
    const oldInstalled = this.installed;
    const dropped = r.map.dropped.map((i) => oldInstalled[i]).filter((x): x is AnnounceRoute => x !== undefined);
    this.cfg = next;
    this.state = r.state;
    this.installed = next.routes.map((_, i) => (r.map.from[i] === undefined ? undefined : oldInstalled[r.map.from[i]!]));
    for (const d of dropped) this.log.info({ prefix: d.prefix, table: d.table }, `withdrawing ${d.prefix}: no longer configured`);
    this.enqueue(async () => {
      for (const d of dropped) {
        try { await this.deps.routes.remove(d); } catch (e) {
          this.log.error({ prefix: d.prefix, table: d.table, err: errText(e) }, `cannot remove route ${d.prefix} from table ${d.table}; the next start flushes it`);
        }
      }
    });
    for (const a of r.actions) this.perform(a, this.state);
    next.routes.forEach((route, index) => { if (r.map.from[index] === undefined) this.feed({ type: 'condition', index, met: this.met(route) }); });
    this.enqueue(() => this.reconcile());
    await this.idle();
  }

  /** Resolves when every kernel operation asked for so far has been tried. */
  idle(): Promise<void> { return this.queue; }

  snapshot(): AnnouncementStatus[] {
    const now = this.deps.clock.now(), wall = this.wallNow();
    return this.cfg.routes.map((r, i) => {
      const s = this.state.routes[i]!;
      return {
        prefix: r.prefix, table: this.cfg.table, metric: r.metric, condition: conditionText(r.condition),
        conditionMet: s.met, active: this.installed[i] !== undefined, holdingDown: s.holding, since: wall - (now - s.since),
      };
    });
  }

  private met(r: AnnouncedRoute): boolean {
    const c = r.condition;
    switch (c.kind) {
      case 'always': return true;
      case 'virtualServer': return this.deps.pools!.isUp(c.virtualServer) === true;
      case 'vrrpInstance': return this.deps.vrrp!.stateOf(c.vrrpInstance) === 'MASTER';
    }
  }

  private recheck(which: (c: AnnouncedRoute['condition']) => boolean): void {
    this.cfg.routes.forEach((r, index) => {
      if (which(r.condition)) this.feed({ type: 'condition', index, met: this.met(r) });
    });
  }

  private feed(ev: AnnounceEvent): void {
    const before = this.state;
    const { state, actions } = step(this.cfg.routes, this.state, ev, this.deps.clock.now());
    this.state = state;
    for (const a of actions) this.perform(a, before);
  }

  private perform(a: AnnounceAction, before: EngineState): void {
    switch (a.type) {
      case 'arm-hold': {
        const r = this.cfg.routes[a.index]!;
        this.log.info({ prefix: r.prefix, condition: conditionText(r.condition), holdDownMs: a.ms }, `${r.prefix}: condition holds; announcing after the hold-down`);
        this.timers.set(a.index, this.deps.clock.setTimer(a.ms, () => { this.timers.delete(a.index); this.feed({ type: 'hold-expired', index: a.index }); }));
        break;
      }
      case 'cancel-hold': {
        const t = this.timers.get(a.index);
        if (t) { this.deps.clock.clearTimer(t); this.timers.delete(a.index); }
        break;
      }
      case 'flush': this.enqueue(() => this.flush()); break;
      case 'announce':
      case 'withdraw': {
        const r = this.cfg.routes[a.index]!;
        const why = a.type === 'withdraw' && this.state.phase === 'stopped' ? 'stopping' : `condition ${conditionText(r.condition)} ${a.type === 'announce' ? 'holds' : 'failed'}`;
        if (before.routes[a.index]!.announced !== (a.type === 'announce')) this.log.info({ prefix: r.prefix, table: this.cfg.table, action: a.type }, `${a.type === 'announce' ? 'announcing' : 'withdrawing'} ${r.prefix}: ${why}`);
        this.enqueue(() => this.reconcile());
        break;
      }
    }
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((e) => { this.log.error({ err: String(e) }, 'announcement engine: unexpected error'); });
  }

  /** Removes every route of ours in the table; until it succeeds nothing is installed. */
  private async flush(): Promise<void> {
    try {
      const left = await this.deps.routes.list(this.cfg.table);
      for (const r of left) {
        await this.deps.routes.remove(r);
        this.log.info({ prefix: r.prefix, table: r.table }, `removed ${r.prefix} left in table ${r.table} by an earlier run`);
      }
      this.flushed = true;
    } catch (e) {
      this.log.error({ table: this.cfg.table, err: errText(e) }, `cannot flush announcement table ${this.cfg.table}; nothing is announced until it can be`);
      this.scheduleRetry();
    }
  }

  /** Brings the table in line with the decisions, one operation at a time. */
  private async reconcile(): Promise<void> {
    if (!this.flushed) { if (this.state.phase === 'running') await this.flush(); if (!this.flushed) return; }
    for (let i = 0; i < this.cfg.routes.length; i++) {
      const want = this.state.routes[i]!.announced;
      const have = this.installed[i];
      const route: AnnounceRoute = { prefix: this.cfg.routes[i]!.prefix, table: this.cfg.table, metric: this.cfg.routes[i]!.metric };
      try {
        if (want && !have) { await this.deps.routes.install(route); this.installed[i] = route; }
        else if (!want && have) { await this.deps.routes.remove(have); this.installed[i] = undefined; }
      } catch (e) {
        this.log.error({ prefix: route.prefix, table: route.table, err: errText(e) }, `cannot ${want ? 'install' : 'remove'} route ${route.prefix} in table ${route.table}; retrying`);
        this.scheduleRetry();
      }
    }
  }

  private scheduleRetry(): void {
    // At stop a failure is logged, not retried: the next start flushes whatever was left.
    if (this.retry || this.state.phase === 'stopped') return;
    this.retry = this.deps.clock.setTimer(this.deps.retryMs ?? 1000, () => { this.retry = undefined; this.enqueue(() => this.reconcile()); });
  }
}

function errText(e: unknown): string { return e instanceof Error ? e.message : String(e); }
