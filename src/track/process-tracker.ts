// vrrp_track_process: counts the running processes that match, and is up while the count is
// within [quorum, quorum_max]. Changes come from the proc connector, so a started or killed
// process is seen at once, not at the next poll. As keepalived (track_process.c): a change caused
// by a fork of a counted process waits fork_delay, one caused by an exit waits terminate_delay
// (both absorb a restart that forks or re-execs), and a change back meanwhile cancels the wait;
// after lost notifications the table is read again after a second, when things have settled.
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { matchesProcess, type ProcessPattern } from './process-match.js';
import type { ProcessChange, ProcessInfo, ProcessMonitor } from './process-port.js';
import { Emitter, type TrackSource, type TrackStatus } from './source.js';

export interface ProcessTrackConfig extends ProcessPattern {
  name: string;
  quorum: number;
  /** undefined: no maximum */
  quorumMax?: number | undefined;
  forkDelayMs: number;
  terminateDelayMs: number;
}

const RESCAN_AFTER_OVERRUN_MS = 1000;
/** Without process events (the connector could not be opened): how often /proc is read instead. */
const POLL_WITHOUT_EVENTS_MS = 1000;

export function inQuorum(count: number, c: Pick<ProcessTrackConfig, 'quorum' | 'quorumMax'>): boolean {
  return count >= c.quorum && (c.quorumMax === undefined || count <= c.quorumMax);
}

type Cause = 'fork' | 'exit' | 'exec' | 'comm' | 'scan';

export class ProcessTracker implements TrackSource {
  readonly kind = 'process' as const;
  private pids = new Set<number>();
  private ok: boolean;
  private delay: TimerHandle | undefined;
  private rescan: TimerHandle | undefined;
  private unwatch: (() => void) | undefined;
  private poll: TimerHandle | undefined;
  private events = new Emitter<TrackStatus>();
  readonly stats = { overruns: 0 };

  constructor(private cfg: ProcessTrackConfig, private deps: { clock: Clock; monitor: ProcessMonitor | undefined; logger: Logger }) {
    if (!deps.monitor) deps.logger.error({ process: cfg.name }, 'vrrp_track_process: process events are not available; counting no processes');
    this.readAll();
    this.ok = inQuorum(this.pids.size, cfg);
  }

  get name(): string { return this.cfg.name; }
  /** The matching processes now counted. */
  get count(): number { return this.pids.size; }
  status(): TrackStatus { return { ok: this.ok }; }
  onChange(fn: (s: TrackStatus) => void): () => void { return this.events.on(fn); }

  start(): void {
    if (this.unwatch || this.poll || !this.deps.monitor) return;
    try {
      this.unwatch = this.deps.monitor.watch((c) => this.apply(c), { argv: this.cfg.fullCommand });
    } catch (e) {
      // Not the initial network namespace, no CAP_NET_ADMIN, or no CONFIG_PROC_EVENTS: still
      // right, a second late.
      this.deps.logger.error({ process: this.cfg.name, err: (e as Error).message }, 'vrrp_track_process: cannot receive process events; reading /proc every second instead');
      this.pollLoop();
      return;
    }
    // Read again now that changes are being delivered: a process started in between is not missed.
    this.readAll();
    this.settle('scan');
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    for (const t of [this.delay, this.rescan, this.poll]) if (t) this.deps.clock.clearTimer(t);
    this.delay = this.rescan = this.poll = undefined;
  }

  private pollLoop(): void {
    this.readAll();
    this.settle('scan');
    this.poll = this.deps.clock.setTimer(POLL_WITHOUT_EVENTS_MS, () => this.pollLoop());
  }

  /** One change from the monitor. */
  private apply(c: ProcessChange): void {
    switch (c.kind) {
      case 'fork':
        // The child runs the same program under the same name until it execs.
        if (this.pids.has(c.parent) && !this.pids.has(c.child)) { this.pids.add(c.child); this.settle('fork'); }
        return;
      case 'exec':
        if (c.info) this.recheck(c.pid, c.info, 'exec');
        return;
      case 'comm':
        // A new name says nothing about the command line: full_command trackers ignore it.
        if (!this.cfg.fullCommand) this.recheck(c.pid, { pid: c.pid, comm: c.comm }, 'comm');
        return;
      case 'exit':
        if (this.pids.delete(c.pid)) this.settle('exit');
        return;
      case 'overrun':
        this.stats.overruns++;
        this.deps.logger.warn({ process: this.cfg.name }, 'vrrp_track_process: process events were lost; reading the process table again');
        if (!this.rescan) {
          this.rescan = this.deps.clock.setTimer(RESCAN_AFTER_OVERRUN_MS, () => { this.rescan = undefined; this.readAll(); this.settle('scan'); });
        }
    }
  }

  private recheck(pid: number, info: ProcessInfo, cause: Cause): void {
    const now = matchesProcess(this.cfg, info), had = this.pids.has(pid);
    if (now === had) return;
    if (now) this.pids.add(pid); else this.pids.delete(pid);
    this.settle(cause);
  }

  private readAll(): void {
    const all = this.deps.monitor?.scan(this.cfg.fullCommand) ?? [];
    this.pids = new Set(all.filter((p) => matchesProcess(this.cfg, p)).map((p) => p.pid));
  }

  /** Decides the status after the count changed because of `cause`. */
  private settle(cause: Cause): void {
    const want = inQuorum(this.pids.size, this.cfg);
    if (want === this.ok) { this.cancelDelay(); return; }
    if (this.delay) return; // the pending delay decides when it ends
    const ms = cause === 'fork' ? this.cfg.forkDelayMs
      : cause === 'exit' || (cause === 'scan' && !want) ? this.cfg.terminateDelayMs : 0;
    if (ms > 0) {
      this.delay = this.deps.clock.setTimer(ms, () => { this.delay = undefined; this.set(inQuorum(this.pids.size, this.cfg)); });
      return;
    }
    this.set(want);
  }

  private cancelDelay(): void {
    if (this.delay) this.deps.clock.clearTimer(this.delay);
    this.delay = undefined;
  }

  private set(ok: boolean): void {
    if (ok === this.ok) return;
    this.ok = ok;
    this.deps.logger.info({ process: this.cfg.name, count: this.pids.size, ok }, ok ? 'vrrp_track_process quorum gained' : 'vrrp_track_process quorum lost');
    this.events.emit(this.status());
  }
}
