// Ordered notifier: for each transition of an instance or sync group it runs the state's own script
// (notify_master/backup/fault/stop), then the generic `notify` script, then writes the notify_fifo
// line — all through one queue per instance, so scripts for one instance never overlap and run in
// transition order. Scripts run with a timeout, as the configured user, and are refused when
// script security is on and the file is writable by others.
import type { Logger } from '../ports/logger.js';
import type { LineSink } from '../ports/fifo.js';
import type { ScriptRunner, ScriptSecurity } from '../ports/script-runner.js';
import { fifoLine, genericArgs, type NotifyEvent, type NotifyEventName, type NotifyState } from './format.js';
import { SerialQueue } from './serial-queue.js';

/** A script with its own user (keepalived `notify_master "/x arg" user group`). */
export interface NotifyScript { argv: string[]; user?: string; group?: string }

export interface NotifyScripts {
  master?: NotifyScript;
  backup?: NotifyScript;
  fault?: NotifyScript;
  stop?: NotifyScript;
  /** notify_deleted SCRIPT: run when a reload removed the instance (state DELETED). */
  deleted?: NotifyScript;
  /** notify_master_rx_lower_pri: run, without extra arguments, when a master hears a lower priority. */
  masterRxLowerPri?: NotifyScript;
  /** The generic script; TYPE NAME STATE PRIORITY are appended. */
  generic?: NotifyScript;
}

export interface NotifyTarget {
  scripts: NotifyScripts;
  /** Default user/group (script_user) for scripts that name none; else the daemon's own. */
  user?: string;
  group?: string;
}

export interface NotifierOptions {
  runner: ScriptRunner;
  logger: Logger;
  timeoutMs: number;
  /** Present when script security is on. */
  security?: ScriptSecurity;
  /** The notify_fifo sink, if configured. */
  fifo?: LineSink;
  /** Told the outcome of every script run (metrics). */
  onResult?(result: 'ok' | 'failed' | 'timeout'): void;
}

function who(s: NotifyScript, t: NotifyTarget): { user?: string; group?: string } {
  if (s.user) return { user: s.user, ...(s.group ? { group: s.group } : {}) };
  return { ...(t.user ? { user: t.user } : {}), ...(t.group ? { group: t.group } : {}) };
}

const byState: Record<NotifyState, keyof NotifyScripts> = { MASTER: 'master', BACKUP: 'backup', FAULT: 'fault', STOP: 'stop', DELETED: 'deleted' };

export class Notifier {
  private queue = new SerialQueue();
  /** Queued notifications per FIFO sink: a replaced sink is closed when its last line is written. */
  private sinkUsers = new Map<LineSink, number>();
  private retired = new Set<LineSink>();
  readonly stats = { run: 0, failed: 0, refused: 0, timedOut: 0 };

  constructor(private opts: NotifierOptions) {}

  /** Queues the notifications of one transition; the promise settles when they have run. */
  notify(e: NotifyEvent, target: NotifyTarget): Promise<void> {
    // The FIFO line goes to the sink in force when the transition happened (a reload that moves
    // the FIFO does not redirect lines already queued); script security is read when a script runs.
    const fifo = this.opts.fifo;
    if (fifo) this.sinkUsers.set(fifo, (this.sinkUsers.get(fifo) ?? 0) + 1);
    return this.queue.push(`${e.kind}:${e.name}`, async () => {
      try { await this.runAll(e, target, fifo); } finally { if (fifo) this.release(fifo); }
    });
  }

  /**
   * A non-transition event of an instance, on the same ordered queue as its transitions, as
   * keepalived's send_event_notify / send_instance_priority_notifies: MASTER_RX_LOWER_PRI runs the
   * notify_master_rx_lower_pri script (its own arguments only; the generic script is not run)
   * then writes the FIFO line; the priority events only write the FIFO line.
   */
  event(name: string, ev: NotifyEventName, priority: number, target: NotifyTarget): Promise<void> {
    const fifo = this.opts.fifo;
    if (fifo) this.sinkUsers.set(fifo, (this.sinkUsers.get(fifo) ?? 0) + 1);
    return this.queue.push(`INSTANCE:${name}`, async () => {
      try {
        const s = ev === 'MASTER_RX_LOWER_PRI' ? target.scripts.masterRxLowerPri : undefined;
        if (s?.argv.length) await this.runOne(s.argv, who(s, target), { state: ev });
        if (fifo) await this.writeLine(fifo, fifoLine({ kind: 'INSTANCE', name, state: ev, priority }));
      } finally { if (fifo) this.release(fifo); }
    });
  }

  /**
   * Reload: new script security (undefined = off) reaches every script run from now on; a new
   * FIFO sink receives the lines of later transitions, and the old one is closed once the lines
   * already queued for it are written.
   */
  configure(o: { security?: ScriptSecurity; fifo?: LineSink }): void {
    const old = this.opts.fifo;
    this.opts = { ...this.opts, security: o.security, fifo: o.fifo };
    if (old && old !== o.fifo) { this.retired.add(old); if (!this.sinkUsers.get(old)) this.closeSink(old); }
  }

  /** Resolves when every queued notification has finished (used on stop). */
  idle(): Promise<void> { return this.queue.idle(); }

  /** Closes every sink (stop); lines still queued are dropped by their sinks. */
  close(): void {
    for (const s of [...this.retired, ...(this.opts.fifo ? [this.opts.fifo] : [])]) this.closeSink(s);
  }

  private release(sink: LineSink): void {
    const n = (this.sinkUsers.get(sink) ?? 1) - 1;
    if (n > 0) { this.sinkUsers.set(sink, n); return; }
    this.sinkUsers.delete(sink);
    if (this.retired.has(sink)) this.closeSink(sink);
  }

  private closeSink(sink: LineSink): void {
    this.retired.delete(sink);
    try { sink.close(); } catch (err) { this.opts.logger.warn({ err: (err as Error).message }, 'closing notify_fifo failed'); }
  }

  private async runAll(e: NotifyEvent, target: NotifyTarget, fifo: LineSink | undefined): Promise<void> {
    const own = target.scripts[byState[e.state]];
    if (own?.argv.length) await this.runOne(own.argv, who(own, target), e);
    const generic = target.scripts.generic;
    // keepalived runs the generic script for MASTER/BACKUP/FAULT and for STOP alike.
    if (generic?.argv.length) await this.runOne([...generic.argv, ...genericArgs(e)], who(generic, target), e);
    if (fifo) await this.writeLine(fifo, fifoLine(e));
  }

  private async writeLine(fifo: LineSink, line: string): Promise<void> {
    try { await fifo.write(line); } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'notify_fifo write failed');
    }
  }

  private async runOne(argv: string[], target: { user?: string; group?: string }, e: { state: string }): Promise<void> {
    const log = this.opts.logger;
    const refused = this.opts.security?.check(argv[0]!);
    if (refused) {
      this.stats.refused++;
      log.error({ script: argv[0], reason: refused, state: e.state }, 'notify script refused by script security');
      return;
    }
    this.stats.run++;
    const r = await this.opts.runner.run({ argv, timeoutMs: this.opts.timeoutMs, ...target });
    if (r.timedOut) this.stats.timedOut++;
    this.opts.onResult?.(r.timedOut ? 'timeout' : r.error || r.code !== 0 ? 'failed' : 'ok');
    if (r.error || r.timedOut || r.code !== 0) {
      this.stats.failed++;
      log.warn({ script: argv[0], state: e.state, code: r.code, signal: r.signal, timedOut: r.timedOut, error: r.error }, 'notify script failed');
    } else {
      log.debug({ script: argv[0], state: e.state }, 'notify script done');
    }
  }
}
