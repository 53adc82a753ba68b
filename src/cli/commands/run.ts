// vipkeeper run: the VRRP daemon in the foreground. Loads the same configuration as `check`,
// logs JSON (pretty on a terminal), stops gracefully on SIGTERM/SIGINT and reloads on SIGHUP.
import { unlinkSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { spawnSync } from 'node:child_process';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { loadConfig, formatDiagnostic } from '../../config/load.js';
import { composePlatform, LOG_LEVELS, makeLogger, type LogLevel } from '../../app/compose.js';
import { Runtime } from '../../app/runtime.js';
import type { Logger } from '../../ports/logger.js';

const usage = `usage: vipkeeper run -f FILE [--pid-file P] [--log-level L]

Runs the VRRP instances of FILE (keepalived.conf syntax, or YAML for .yaml/.yml) in the foreground.
  -f, --config FILE   configuration file
  --pid-file P        write the process id to P (removed on exit)
  --log-level L       ${LOG_LEVELS.join('|')} (default info)
  --rt-priority N     SCHED_RR priority 1-99 for the daemon's threads (default 10); 0 = nice -20 only
Signals: SIGTERM/SIGINT stop gracefully, SIGHUP reloads the configuration.`;

async function load(file: string, log?: Logger): Promise<{ model?: Awaited<ReturnType<typeof loadConfig>>['model']; errors: string[] }> {
  const r = await loadConfig(file);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  for (const d of r.diagnostics.filter((x) => x.severity === 'warning')) log?.warn({ diagnostic: formatDiagnostic(d) }, 'configuration warning');
  return { model: errors.length ? undefined : r.model, errors };
}

const DEFAULT_RT_PRIORITY = 10;

/**
 * A master that is not scheduled misses its adverts and the backup takes over for nothing (seen
 * at advert_int 0.01 with every core busy). Like keepalived's vrrp_rt_priority, run every thread
 * under SCHED_RR (via util-linux chrt; Node has no sched_setscheduler); --reset-on-fork keeps
 * notify and track scripts at normal priority. Falls back to nice -20.
 */
function raisePriority(rt: number, log: Logger): void {
  try { setPriority(-20); } catch { /* not permitted: keep the inherited priority */ }
  if (rt === 0) return;
  const r = spawnSync('chrt', ['--all-tasks', '--reset-on-fork', '--rr', '--pid', String(rt), String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) log.warn({ err: (r.stderr || r.error?.message || '').trim(), rtPriority: rt }, 'could not switch to real-time scheduling; running at nice -20');
}

/**
 * Last line of defence: the runtime guards its own callbacks, but an exception or rejection that
 * escapes an adapter callback must be logged, not end the daemon (a dead master leaves its VIPs
 * on the wire). Returns the uninstaller.
 */
export function installCrashGuards(log: Logger, proc: Pick<NodeJS.EventEmitter, 'on' | 'off'> = process): () => void {
  const report = (what: string) => (e: unknown): void => {
    log.error({ err: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined }, `${what} (daemon keeps running)`);
  };
  const onError = report('uncaught exception');
  const onRejection = report('unhandled promise rejection');
  proc.on('uncaughtException', onError);
  proc.on('unhandledRejection', onRejection);
  return () => { proc.off('uncaughtException', onError); proc.off('unhandledRejection', onRejection); };
}

const command: Command = {
  summary: 'run the VRRP daemon in the foreground',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      config: { type: 'string', short: 'f' }, 'pid-file': { type: 'string' }, 'log-level': { type: 'string' }, 'rt-priority': { type: 'string' },
    });
    if (!values.config) throw new UsageError('missing -f FILE');
    const level = (values['log-level'] ?? 'info') as LogLevel;
    if (!LOG_LEVELS.includes(level)) throw new UsageError(`unknown log level ${level}`);
    const rt = Number(values['rt-priority'] ?? DEFAULT_RT_PRIORITY);
    if (!Number.isInteger(rt) || rt < 0 || rt > 99) throw new UsageError(`--rt-priority must be 0-99: ${values['rt-priority']}`);
    const first = await load(values.config);
    if (!first.model) { for (const e of first.errors) io.err(e); return 1; }
    const log = makeLogger(level);
    raisePriority(rt, log);
    const platform = await composePlatform(log);
    const daemon = new Runtime(platform, first.model);
    try { daemon.start(); } catch (e) {
      // Stop what did start (trackers, instances) before reporting, so nothing keeps running.
      await daemon.stop(0).catch(() => {});
      platform.close();
      throw e;
    }
    const uninstallGuards = installCrashGuards(log);
    const pidFile = values['pid-file'];
    if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
    log.info({ config: values.config, instances: daemon.vrrp.instanceNames, pid: process.pid }, 'vipkeeper started');

    return await new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping');
        // Exit within one second whatever a script or the kernel does.
        setTimeout(() => { log.warn({}, 'stop took too long, exiting'); process.exit(0); }, 950).unref();
        // A reload in progress finishes first (reading a file and diffing is quick), so the instances
        // it starts are stopped too; the timer above still bounds the whole stop.
        void reloading.then(() => daemon.stop()).catch((e) => log.error({ err: (e as Error).message }, 'error while stopping')).finally(() => {
          try { platform.close(); } catch (e) { log.error({ err: (e as Error).message }, 'error while closing sockets'); }
          if (pidFile) { try { unlinkSync(pidFile); } catch { /* gone */ } }
          log.info({}, 'stopped');
          for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.removeAllListeners(s);
          uninstallGuards();
          resolve(0);
          setTimeout(() => process.exit(0), 50).unref();
        });
      };
      let reloading = Promise.resolve();
      const reload = (): void => {
        reloading = reloading.then(async () => {
          if (stopping) return;
          log.info({ config: values.config }, 'reloading');
          const next = await load(values.config!, log);
          if (stopping) return;
          if (!next.model) { for (const e of next.errors) log.error({ diagnostic: e }, 'configuration error: keeping the running configuration'); return; }
          await daemon.reload(next.model);
        }).catch((e) => log.error({ err: (e as Error).message }, 'reload failed'));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGHUP', reload);
    });
  },
};
export default command;
