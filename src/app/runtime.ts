// Everything `vipkeeper run` keeps running, behind one start/stop/reload: the VRRP daemon and the
// director (checkers driving IPVS). run.ts owns the process lifecycle (signals, exit codes) and
// talks only to this.
import type { Config } from '../config/model.js';
import { Daemon } from './daemon.js';
import type { Platform } from './platform.js';
import type { ReloadPlan } from './reload.js';

export interface RuntimeOptions {
  /** --keep-ipvs: leave the IPVS services in the kernel at stop. */
  keepIpvs?: boolean;
}

export class Runtime {
  readonly vrrp: Daemon;

  constructor(p: Platform, cfg: Config, readonly opts: RuntimeOptions = {}) {
    this.vrrp = new Daemon(p, cfg);
  }

  get config(): Config { return this.vrrp.config; }

  start(): void { this.vrrp.start(); }

  async stop(notifyWaitMs?: number): Promise<void> { await this.vrrp.stop(notifyWaitMs); }

  async reload(next: Config): Promise<ReloadPlan> { return this.vrrp.reload(next); }
}
