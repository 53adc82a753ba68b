// Everything `vipkeeper run` keeps running, behind one start/stop/reload: the VRRP daemon and the
// director (checkers driving IPVS). run.ts owns the process lifecycle (signals, exit codes) and
// talks only to this.
import type { Config, ScriptCommand } from '../config/model.js';
import type { ProbeFactory } from '../check/checker.js';
import { failingProbe } from '../check/factory.js';
import { VipError } from '../lib/errors.js';
import { IPVS_UNAVAILABLE } from '../ipvs/client.js';
import { Daemon } from './daemon.js';
import { Director } from './director.js';
import type { DirectorStatus } from './director-state.js';
import { Watchdog } from './director-watchdog.js';
import type { Platform } from './platform.js';
import type { ReloadPlan } from './reload.js';

export interface RuntimeOptions {
  /** --keep-ipvs: leave the IPVS services in the kernel at stop. */
  keepIpvs?: boolean;
}

export class Runtime {
  readonly vrrp: Daemon;
  private director: Director | undefined;
  private watchdog: Watchdog | undefined;

  constructor(private readonly p: Platform, cfg: Config, readonly opts: RuntimeOptions = {}) {
    this.vrrp = new Daemon(p, cfg);
    this.vrrp.onTransition((t) => this.director?.onVrrpState(t.instance));
    if (Director.wanted(cfg)) this.director = this.makeDirector(cfg);
  }

  get config(): Config { return this.vrrp.config; }

  start(): void {
    this.vrrp.start();
    this.director?.start();
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
    // The director stops first (synchronously it stops following VRRP, so the instances' STOPPED
    // transitions start no backup sync daemon), then VRRP hands over while IPVS is cleaned up.
    const director = this.director?.stop(notifyWaitMs);
    await Promise.all([this.vrrp.stop(notifyWaitMs), director]);
  }

  async reload(next: Config): Promise<ReloadPlan> {
    const plan = await this.vrrp.reload(next);
    if (this.director) this.director.reload(next);
    else if (Director.wanted(next)) { this.director = this.makeDirector(next); this.director.start(); }
    return plan;
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
    return new Director({
      clock: p.clock, logger: p.logger, scripts: p.scripts, probes,
      openIpvs: p.openIpvs ?? (() => Promise.reject(new VipError('ipvs-unavailable', IPVS_UNAVAILABLE))),
      vrrpState: (name) => this.vrrp.stateOf(name),
      refuse,
      keepIpvs: this.opts.keepIpvs ?? false,
    }, cfg);
  }
}
