// Everything `vipkeeper run` keeps running, behind one start/stop/reload: the VRRP daemon and the
// director (checkers driving IPVS). run.ts owns the process lifecycle (signals, exit codes) and
// talks only to this.
import type { Config, ScriptCommand } from '../config/model.js';
import type { ProbeFactory } from '../check/checker.js';
import { failingProbe } from '../check/failing-probe.js';
import { VipError } from '../lib/errors.js';
import { IPVS_UNAVAILABLE } from '../ipvs/client.js';
import { Daemon } from './daemon.js';
import { Director } from './director.js';
import type { DirectorStatus } from './director-state.js';
import { Watchdog } from './director-watchdog.js';
import { AcceptFilter } from '../vrrp/accept-filter.js';
import type { Platform } from './platform.js';
import type { ReloadPlan } from './reload.js';
import { AnnouncementEngine, type AnnouncementStatus } from '../announce/engine.js';
import type { PoolHealth } from '../announce/inputs.js';
import type { MetricsEvents } from '../metrics/registry.js';
import type { Announcements } from '../config/model.js';

const noRoutes = (): Promise<never> => Promise.reject(new Error('no route port in this platform'));

export interface RuntimeOptions {
  /** --keep-ipvs: leave the IPVS services in the kernel at stop. */
  keepIpvs?: boolean;
}

export class Runtime {
  readonly vrrp: Daemon;
  private director: Director | undefined;
  private watchdog: Watchdog | undefined;
  private announce: AnnouncementEngine | undefined;
  private poolFns = new Set<(vs: string) => void>();
  /** The director's pool health, whichever director runs (one may be created by a reload). */
  private readonly pools: PoolHealth = {
    onChange: (fn) => { this.poolFns.add(fn); return () => { this.poolFns.delete(fn); }; },
    isUp: (vs) => this.director?.isPoolUp(vs),
  };

  private metrics: MetricsEvents | undefined;
  /** no_accept: the nftables drop of traffic to the VIPs. */
  readonly accept: AcceptFilter;

  constructor(private readonly p: Platform, cfg: Config, readonly opts: RuntimeOptions = {}) {
    this.vrrp = new Daemon(p, cfg);
    this.accept = new AcceptFilter(p.nft, p.logger.child({ component: 'accept' }));
    this.vrrp.onTransition((t) => this.director?.onVrrpState(t.instance));
    if (Director.wanted(cfg)) this.director = this.makeDirector(cfg);
    if (cfg.announcements?.routes.length) this.announce = this.makeAnnouncements(cfg.announcements);
  }

  get config(): Config { return this.vrrp.config; }

  /** Where GARPs, notify runs and check durations are counted (the metrics, once they exist). */
  setMetrics(m: MetricsEvents): void { this.metrics = m; this.vrrp.events = m; }

  start(): void {
    // Started first: nft takes milliseconds, a BACKUP start holds no VIP for Master_Down_Interval.
    void this.accept.apply(this.config);
    this.vrrp.start();
    this.director?.start();
    // Logs its own errors; nothing is announced before its start-up flush succeeded.
    void this.announce?.start();
    const sd = this.p.systemd;
    if (sd) {
      sd.send('READY=1');
      if (sd.watchdogMs) {
        this.watchdog = new Watchdog(this.p.clock, sd.watchdogMs / 2, sd.send, () => this.director?.onTime() ?? true, this.p.logger.child({ component: 'watchdog' }));
        this.watchdog.start();
      }
    }
  }

  async stop(notifyWaitMs?: number): Promise<void> {
    this.watchdog?.stop();
    this.p.systemd?.send('STOPPING=1');
    // Withdraw first, so the routers stop sending traffic here before IPVS and the VIPs go.
    await this.announce?.stop();
    // The director stops first (synchronously it stops following VRRP, so the instances' STOPPED
    // transitions start no backup sync daemon), then VRRP hands over while IPVS is cleaned up.
    const director = this.director?.stop(notifyWaitMs);
    await Promise.all([this.vrrp.stop(notifyWaitMs), director]);
    // Only once the VIPs are gone: removing it earlier would let traffic in to a leaving master.
    await this.accept.remove();
  }

  async reload(next: Config): Promise<ReloadPlan> {
    // Before anything changes: a first director needs the probes' modules (loaded on demand).
    if (!this.director && Director.wanted(next)) await this.p.prepareProbes?.();
    const plan = await this.vrrp.reload(next);
    await this.accept.apply(next);
    if (this.director) this.director.reload(next);
    else if (Director.wanted(next)) { this.director = this.makeDirector(next); this.director.start(); }
    const a = next.announcements?.routes.length ? next.announcements : undefined;
    if (this.announce && a) await this.announce.reload(a);
    else if (a) { this.announce = this.makeAnnouncements(a); void this.announce.start(); }
    else if (this.announce) { const old = this.announce; this.announce = undefined; await old.stop(); }
    return plan;
  }

  /** Each announced prefix with its condition and whether the route is in the kernel table. */
  announcements(): AnnouncementStatus[] | undefined { return this.announce?.snapshot(); }

  private makeAnnouncements(cfg: Announcements): AnnouncementEngine {
    const p = this.p;
    return new AnnouncementEngine(cfg, {
      routes: p.routes ?? { install: noRoutes, remove: noRoutes, list: noRoutes },
      clock: p.clock, vrrp: this.vrrp, logger: p.logger, pools: this.pools,
    });
  }

  /** Health of every virtual server and real server, IPVS op and check failure counters. */
  status(): DirectorStatus | undefined { return this.director?.status(); }

  private makeDirector(cfg: Config): Director {
    const p = this.p;
    const refuse = (cmd: ScriptCommand): string | undefined => {
      if (!this.config.global.scriptSecurity || !cmd.argv[0]) return undefined;
      return p.security(p.uidOf(cmd.user ?? this.config.global.scriptUser?.user)).check(cmd.argv[0]);
    };
    const base: ProbeFactory = p.probes ?? ((c) => failingProbe(`${c.type}: no probe factory in this platform`));
    // MISC_CHECK scripts fall under enable_script_security like notify scripts (checked once, at build).
    const probes: ProbeFactory = (c, ctx) => {
      const refusal = c.type === 'MISC_CHECK' ? refuse(c.script) : undefined;
      return refusal ? failingProbe(`refused by script security: ${refusal}`) : base(c, ctx);
    };
    const director = new Director({
      clock: p.clock, logger: p.logger, scripts: p.scripts, probes,
      openIpvs: p.openIpvs ?? (() => Promise.reject(new VipError('ipvs-unavailable', IPVS_UNAVAILABLE))),
      vrrpState: (name) => this.vrrp.stateOf(name),
      refuse,
      keepIpvs: this.opts.keepIpvs ?? false,
      // notify_fifo / lvs_notify_fifo: RS and VS lines as keepalived writes them (director-fifo.ts).
      fifos: p.fifos,
      observeCheck: (type, seconds) => this.metrics?.observeCheck(type, seconds),
    }, cfg);
    director.onPoolChange((vs) => { for (const fn of this.poolFns) fn(vs); });
    return director;
  }
}
