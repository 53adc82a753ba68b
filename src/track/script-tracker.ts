// vrrp_script: runs the check every `interval`, kills it after `timeout` (a timeout counts as a
// failure), and changes status only after `rise` successes or `fall` failures in a row. A run that
// is still going when the next is due is not doubled up.
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ScriptRunner, ScriptSecurity } from '../ports/script-runner.js';
import { Emitter, type TrackSource, type TrackStatus } from './source.js';

export interface ScriptTrackConfig {
  name: string;
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  user?: string;
  group?: string;
  /** Start as failed until `rise` successes (keepalived's init_fail); default: start as good. */
  initFail?: boolean;
}

export class ScriptTracker implements TrackSource {
  readonly kind = 'script' as const;
  private ok: boolean;
  private streak = 0;
  private running = false;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private events = new Emitter<TrackStatus>();
  readonly stats = { runs: 0, failures: 0, timeouts: 0 };

  constructor(
    private cfg: ScriptTrackConfig,
    private deps: { clock: Clock; runner: ScriptRunner; logger: Logger; security?: ScriptSecurity },
  ) { this.ok = !cfg.initFail; }

  get name(): string { return this.cfg.name; }
  status(): TrackStatus { return { ok: this.ok }; }
  onChange(fn: (s: TrackStatus) => void): () => void { return this.events.on(fn); }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimer(ms, () => { this.timer = undefined; void this.runOnce(); });
  }

  /** One check; exported behaviour is only through status changes. */
  async runOnce(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const started = this.deps.clock.now();
    let good = false;
    // Whatever goes wrong in one run (a runner or security check throwing), the next is scheduled.
    try { good = await this.check(); } catch (e) {
      this.deps.logger.error({ script: this.cfg.name, err: (e as Error)?.message }, 'vrrp_script run failed');
    } finally { this.running = false; }
    this.record(good);
    const spent = this.deps.clock.now() - started;
    this.schedule(Math.max(0, this.cfg.intervalMs - spent));
  }

  private async check(): Promise<boolean> {
    const refused = this.deps.security?.check(this.cfg.argv[0]!);
    if (refused) {
      this.deps.logger.error({ script: this.cfg.name, reason: refused }, 'vrrp_script refused by script security');
      return false;
    }
    this.stats.runs++;
    const r = await this.deps.runner.run({ argv: this.cfg.argv, timeoutMs: this.cfg.timeoutMs, user: this.cfg.user, group: this.cfg.group });
    if (r.timedOut) this.stats.timeouts++;
    const good = !r.timedOut && !r.error && r.code === 0;
    if (!good) this.stats.failures++;
    if (r.error) this.deps.logger.warn({ script: this.cfg.name, error: r.error }, 'vrrp_script could not run');
    return good;
  }

  private record(good: boolean): void {
    if (good === this.ok) { this.streak = 0; return; }
    this.streak++;
    const need = good ? Math.max(1, this.cfg.rise) : Math.max(1, this.cfg.fall);
    if (this.streak < need) return;
    this.ok = good;
    this.streak = 0;
    this.deps.logger.info({ script: this.cfg.name, ok: good }, good ? 'vrrp_script succeeded' : 'vrrp_script failed');
    this.events.emit(this.status());
  }
}
