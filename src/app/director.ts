// The director: keepalived's checker process in the daemon. It owns every real server's health
// and every pool's quorum, feeds probe results through the check policy and the pool rules, and
// hands the resulting desired table to the one IPVS worker (director-ipvs.ts). Health changes are
// logged `{vs, rs, check, from, to, reason}` and run notify_up/notify_down/quorum_* scripts.
import type { Config, ScriptCommand } from '../config/model.js';
import type { CheckOutcome, ProbeFactory } from '../check/checker.js';
import { targetOf } from '../check/checker.js';
import { firstDelayMs, realServerUp, realServerWeight, stepCheck } from '../check/policy.js';
import { evaluatePool, initialPoolState } from '../check/pool.js';
import { CheckScheduler, type SchedulerHealth } from '../check/scheduler.js';
import { desiredFromConfig } from '../ipvs/desired.js';
import { wantedSyncDaemon } from '../ipvs/sync-daemon.js';
import { SerialQueue } from '../notify/serial-queue.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { LineSinkFactory } from '../ports/fifo.js';
import type { Logger } from '../ports/logger.js';
import type { ScriptRunner } from '../ports/script-runner.js';
import { CheckerFifo, rsFifoLine, vsFifoLine } from './director-fifo.js';
import { IpvsSync, type OpenIpvsPort } from './director-ipvs.js';
import { DirectorCheck, type CheckResultSink } from './director-check.js';
import {
  checkersSig, countFailure, flatString, haInstanceOf, rsKey, rsLabel, vsStatus, type CheckRt, type DirectorStatus, type FailureCount, type RsRt, type VsRt,
} from './director-state.js';

const SCRIPT_TIMEOUT_MS = 30_000;
/** How often lag and stalls are read (and the behind-schedule warning may be logged). */
const HEALTH_PERIOD_MS = 1000;
const WARN_EVERY_MS = 10_000;

export interface DirectorDeps {
  clock: Clock;
  logger: Logger;
  scripts: ScriptRunner;
  probes: ProbeFactory;
  openIpvs: OpenIpvsPort;
  /** VRRP state of an instance by name (ha_suspend, lvs_sync_daemon). */
  vrrpState(instance: string): string | undefined;
  /** enable_script_security: a reason to refuse running this command, if any. */
  refuse?(cmd: ScriptCommand): string | undefined;
  random?: () => number;
  /** --keep-ipvs: leave services and sync daemons in the kernel at stop. */
  keepIpvs?: boolean;
  /** notify_fifo / lvs_notify_fifo (absent: no lines written). */
  fifos?: LineSinkFactory;
  /** Told every check's duration (metrics). */
  observeCheck?(type: string, seconds: number): void;
  resyncMs?: number;
}

export class Director implements CheckResultSink {
  private vss = new Map<string, VsRt>();
  private readonly sched: CheckScheduler;
  private readonly ipvs: IpvsSync;
  private readonly queue = new SerialQueue();
  private readonly fifo: CheckerFifo;
  private readonly log: Logger;
  private healthTimer: TimerHandle | undefined;
  private lastHealth: SchedulerHealth = { maxLagMs: 0, behind: [], stalled: [] };
  private lastWarnAt = -Infinity;
  private failures = new Map<string, FailureCount>();
  /** Pools whose real servers changed since they were last evaluated (see onResult). */
  private dirty = new Set<VsRt>();
  private flushing: NodeJS.Immediate | undefined;
  private running = false;
  private poolFns = new Set<(vs: string) => void>();

  constructor(private readonly d: DirectorDeps, private cfg: Config) {
    this.log = d.logger.child({ component: 'director' });
    this.sched = new CheckScheduler(d.clock);
    this.fifo = new CheckerFifo(d.fifos, this.log);
    this.ipvs = new IpvsSync({ open: d.openIpvs, clock: d.clock, logger: this.log, ...(d.resyncMs ? { resyncMs: d.resyncMs } : {}) });
  }

  /** Whether this config needs the director at all (virtual servers or a sync daemon). */
  static wanted(cfg: Config): boolean {
    return cfg.virtualServers.length > 0 || cfg.global.lvsSyncDaemon !== undefined || cfg.global.lvsFlush;
  }

  start(): void {
    this.running = true;
    this.fifo.configure(CheckerFifo.specsOf(this.cfg));
    this.build(this.cfg, new Map());
    this.ipvs.start(this.cfg.global, () => this.desired(), this.syncDaemon());
    this.armHealth();
  }

  /** Resolves when the IPVS worker has nothing pending (tests). */
  idle(): Promise<void> { return this.ipvs.idle(); }

  /** omega: down notifiers at shutdown; then IPVS is cleaned up (unless --keep-ipvs) and scripts waited for. */
  async stop(scriptWaitMs = 600): Promise<void> {
    // Changes not yet evaluated are, so that omega's scripts and lines see the last quorum.
    if (this.flushing) { clearImmediate(this.flushing); this.flushDirty(); }
    this.running = false;
    if (this.healthTimer) this.d.clock.clearTimer(this.healthTimer);
    this.sched.clear();
    for (const v of this.vss.values()) {
      for (const r of v.rss) for (const c of r.checks) { c.closed = true; c.probe.close(); }
      if (!v.vs.omega) continue;
      for (const r of v.rss) {
        if (!r.up) continue;
        this.script(r.key, r.rs.notifyDown, { vs: v.vs.name, rs: r.label, event: 'notify_down' });
        this.fifo.write(rsFifoLine(v.vs, r.rs, false, this.cfg.virtualServerGroups));
      }
      if (v.pool.quorumUp) this.script(v.vs.name, v.vs.quorumDown, { vs: v.vs.name, event: 'quorum_down' });
      // keepalived (update_vs_notifies when stopping) writes this line whatever the quorum was.
      this.fifo.write(vsFifoLine(v.vs, false));
    }
    await this.ipvs.stop({ keep: this.d.keepIpvs ?? false, flushAll: this.cfg.global.lvsFlushOnStop });
    let timer: TimerHandle | undefined;
    await Promise.race([Promise.all([this.queue.idle(), this.fifo.close()]), new Promise<void>((r) => { timer = this.d.clock.setTimer(scriptWaitMs, r); })]);
    if (timer) this.d.clock.clearTimer(timer);
  }

  /** Unchanged real servers keep their health and checkers; the rest start over; IPVS follows by one reconcile. */
  reload(next: Config): void {
    const old = new Map<string, RsRt>();
    for (const v of this.vss.values()) for (const r of v.rss) old.set(r.key, r);
    const oldVs = this.vss;
    this.cfg = next;
    this.vss = new Map();
    const before = old.size;
    this.fifo.configure(CheckerFifo.specsOf(next));
    this.build(next, old, oldVs);
    // What is left in `old` was removed or had its checkers changed (those were rebuilt).
    for (const r of old.values()) for (const c of r.checks) { c.closed = true; c.probe.close(); this.sched.remove(c.id); }
    this.log.info({ realServersKept: before - old.size, realServersReplaced: old.size, virtualServers: next.virtualServers.length }, 'director reloaded');
    this.ipvs.setDesired(() => this.desired());
    this.ipvs.setSyncDaemon(this.syncDaemon());
  }

  /** A VRRP transition: ha_suspend and the sync daemon follow the instance's state. */
  onVrrpState(instance: string): void {
    if (!this.running) return;
    for (const v of this.vss.values()) if (v.haInstance === instance) this.applySuspend(v);
    if (this.cfg.global.lvsSyncDaemon?.vrrpInstance === instance) this.ipvs.setSyncDaemon(this.syncDaemon());
  }

  /** Calls fn(vsName) whenever a pool may have crossed its quorum or got its first results. */
  onPoolChange(fn: (vs: string) => void): () => void { this.poolFns.add(fn); return () => { this.poolFns.delete(fn); }; }

  /**
   * A pool's quorum, unknown until every checker of the pool has reported once (the pool starts
   * with quorum, which must not announce a route before a single check ran).
   */
  isPoolUp(name: string): boolean | undefined {
    const v = this.vss.get(name);
    if (!v || v.rss.some((r) => r.checks.some((c) => !c.state.hasRun))) return undefined;
    return v.pool.quorumUp;
  }

  private poolChanged(name: string): void { for (const fn of this.poolFns) fn(name); }

  /** Checks on time (the systemd watchdog asks). */
  onTime(): boolean { return this.lastHealth.behind.length === 0 && this.lastHealth.stalled.length === 0; }

  status(): DirectorStatus {
    const ipvsOps = [...this.ipvs.opCounts].map(([k, count]) => { const [op, result] = k.split('|'); return { op: op!, result: result!, count }; });
    const checkFailures = [...this.failures.values()].map((f) => ({ ...f }));
    return { ipvsAvailable: this.ipvs.available, virtualServers: [...this.vss.values()].map(vsStatus), ipvsOps, checkFailures, schedulerLagMs: this.lastHealth.maxLagMs };
  }

  private build(cfg: Config, old: Map<string, RsRt>, oldVs?: Map<string, VsRt>): void {
    for (const vs of cfg.virtualServers) {
      const prev = oldVs?.get(vs.name);
      const v: VsRt = { vs, rss: [], pool: prev?.pool ?? initialPoolState(), dests: [], sorryActive: prev?.sorryActive ?? false, suspended: false };
      const ha = haInstanceOf(vs, cfg);
      if (ha) v.haInstance = ha;
      v.suspended = ha !== undefined && this.d.vrrpState(ha) !== 'MASTER';
      for (const rs of vs.realServers) {
        const key = rsKey(vs, rs);
        const kept = old.get(key);
        if (kept && checkersSig(kept.rs) === checkersSig(rs)) {
          old.delete(key);
          kept.rs = rs;
          kept.weight = realServerWeight(rs.weight, kept.checks);
          v.rss.push(kept);
          for (const c of kept.checks) { if (v.suspended) this.sched.pause(c.id); else this.sched.resume(c.id, firstDelayMs(c.timing, this.random)); }
          continue;
        }
        const r: RsRt = { key: flatString(key), vsName: vs.name, label: flatString(rsLabel(rs)), rs, checks: [], up: true, weight: rs.weight };
        const checks = rs.checkers.map((check, i) => new DirectorCheck(flatString(`${key}#${i}`), check, this.d.probes(check, { vs, rs, target: targetOf(check, rs) }), r, this));
        r.checks = checks;
        r.up = realServerUp(checks);
        v.rss.push(r);
        for (const c of checks) this.schedule(v, c);
      }
      this.vss.set(vs.name, v);
      this.evaluate(v);
      if (v.haInstance && (prev ? prev.suspended !== v.suspended : v.suspended)) this.log.info({ vs: vs.name, instance: v.haInstance, suspended: v.suspended }, v.suspended ? 'checks suspended (ha_suspend)' : 'checks resumed');
    }
  }

  private get random(): () => number { return this.d.random ?? Math.random; }

  private schedule(v: VsRt, c: DirectorCheck): void {
    this.sched.add(c.id, c, firstDelayMs(c.timing, this.random), v.suspended);
  }

  /** A settled run of a checker (DirectorCheck.run): the next run's delay, or undefined to stop. */
  checkResult(r: RsRt, c: DirectorCheck, out: CheckOutcome): number | undefined {
    const cur = this.vss.get(r.vsName);
    return c.closed || !cur ? undefined : this.onResult(cur, r, c, out);
  }

  // Runs for every check (thousands a second at scale), so the usual path, a result that changes
  // nothing, allocates nothing here beyond the policy's new state: no keys built, no arrays mapped.
  private onResult(v: VsRt, r: RsRt, c: CheckRt, out: CheckOutcome): number {
    const first = !c.state.hasRun;
    this.d.observeCheck?.(c.check.type, out.latencyMs / 1000);
    const step = stepCheck(c.timing, c.state, out, this.d.clock.now());
    c.state = step.state;
    if (!out.ok) countFailure(this.failures, v, r, c, out.code);
    if (step.edge) this.log.debug({ vs: v.vs.name, rs: r.label, check: c.check.type, edge: step.edge, reason: out.reason }, 'checker state changed');
    const up = realServerUp(r.checks);
    const weight = realServerWeight(r.rs.weight, r.checks);
    if (up !== r.up) {
      this.log.info({ vs: v.vs.name, rs: r.label, check: c.check.type, from: r.up ? 'up' : 'down', to: up ? 'up' : 'down', reason: out.reason }, `real server ${up ? 'up' : 'down'}`);
      this.script(r.key, up ? r.rs.notifyUp : r.rs.notifyDown, { vs: v.vs.name, rs: r.label, event: up ? 'notify_up' : 'notify_down' });
      this.fifo.write(rsFifoLine(v.vs, r.rs, up, this.cfg.virtualServerGroups));
    }
    if (up !== r.up || weight !== r.weight) {
      r.up = up;
      r.weight = weight;
      this.markDirty(v);
    } else if (first) this.poolChanged(v.vs.name);
    return step.nextInMs;
  }

  /**
   * The pool is evaluated once for all the results of one turn of the event loop (setImmediate
   * runs after the poll phase that delivered them): evaluating it is O(real servers), so a switch
   * failing under 10,000 real servers would otherwise cost 10,000 x 10,000 steps at once.
   */
  private markDirty(v: VsRt): void {
    this.dirty.add(v);
    this.flushing ??= setImmediate(() => this.flushDirty());
  }

  private flushDirty(): void {
    this.flushing = undefined;
    const list = [...this.dirty];
    this.dirty.clear();
    let changed = false;
    for (const v of list) {
      // A reload since may have replaced the record; the new one was evaluated when it was built.
      if (this.vss.get(v.vs.name) !== v) continue;
      this.evaluate(v);
      changed = true;
    }
    if (changed && this.running) this.ipvs.request();
  }

  /** The pool's rules: quorum events (logged, scripts run), sorry server, destinations. */
  private evaluate(v: VsRt): void {
    // A RsRt is a RsView (rs, up, weight): no view array per evaluation.
    const res = evaluatePool(v.vs, v.rss, v.pool);
    v.pool = res.state;
    v.dests = res.dests;
    for (const e of res.events) {
      const up = e.type === 'quorum-up';
      this.log.info({ vs: v.vs.name, event: e.type, weightSum: e.weightSum, threshold: e.threshold }, up ? 'quorum gained' : 'quorum lost');
      this.script(v.vs.name, up ? v.vs.quorumUp : v.vs.quorumDown, { vs: v.vs.name, event: up ? 'quorum_up' : 'quorum_down' });
      this.fifo.write(vsFifoLine(v.vs, up));
    }
    this.poolChanged(v.vs.name);
    if (res.sorryActive !== v.sorryActive) {
      v.sorryActive = res.sorryActive;
      const s = v.vs.sorryServer;
      this.log.info({ vs: v.vs.name, sorryServer: s ? rsLabel(s) : undefined, active: res.sorryActive }, res.sorryActive ? 'sorry server in' : 'sorry server out');
    }
  }

  private applySuspend(v: VsRt): void {
    const suspended = this.d.vrrpState(v.haInstance!) !== 'MASTER';
    if (suspended === v.suspended) return;
    v.suspended = suspended;
    this.log.info({ vs: v.vs.name, instance: v.haInstance, suspended }, suspended ? 'checks suspended (ha_suspend)' : 'checks resumed');
    for (const r of v.rss) for (const c of r.checks) { if (suspended) this.sched.pause(c.id); else this.sched.resume(c.id, firstDelayMs(c.timing, this.random)); }
  }

  private desired() {
    return desiredFromConfig(this.cfg, { dests: (vs) => this.vss.get(vs.name)?.dests ?? [] });
  }

  private syncDaemon() {
    return wantedSyncDaemon(this.cfg.global, this.cfg.vrrpInstances, (n) => this.d.vrrpState(n));
  }

  /** notify_up/down and quorum_up/down: argv as configured, one at a time per real server / virtual server. */
  private script(key: string, cmd: ScriptCommand | undefined, what: Record<string, unknown>): void {
    if (!cmd || !cmd.argv.length) return;
    const refusal = this.d.refuse?.(cmd);
    if (refusal) { this.log.warn({ ...what, script: cmd.argv[0], refusal }, 'script refused by script security'); return; }
    const user = cmd.user ?? this.cfg.global.scriptUser?.user;
    const group = cmd.user ? cmd.group : this.cfg.global.scriptUser?.group;
    void this.queue.push(key, async () => {
      const res = await this.d.scripts.run({ argv: [...cmd.argv], timeoutMs: SCRIPT_TIMEOUT_MS, ...(user ? { user } : {}), ...(group ? { group } : {}) });
      if (res.error || res.timedOut || res.code !== 0) this.log.warn({ ...what, argv: cmd.argv, code: res.code, signal: res.signal, timedOut: res.timedOut, err: res.error }, 'script failed');
    });
  }

  private armHealth(): void {
    this.healthTimer = this.d.clock.setTimer(HEALTH_PERIOD_MS, () => {
      this.lastHealth = this.sched.takeHealth();
      const h = this.lastHealth;
      const now = this.d.clock.now();
      if ((h.behind.length || h.stalled.length) && now - this.lastWarnAt >= WARN_EVERY_MS) {
        this.lastWarnAt = now;
        this.log.warn({ lagMs: Math.round(h.maxLagMs), behind: h.behind.length, stalled: h.stalled.slice(0, 5), checkers: this.sched.size }, 'checks are behind schedule');
      }
      if (this.running) this.armHealth();
    });
  }
}
