// vipkeeper run: the VRRP daemon in the foreground. Loads the same configuration as `check`,
// logs JSON (pretty on a terminal), stops gracefully on SIGTERM/SIGINT and reloads on SIGHUP.
// Signal and crash handlers exist from the first line; every way out (signal, crash, timeout)
// goes through one orderly stop that removes the VIPs, closes the platform and the pid file.
import { unlinkSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { allThreadsRoundRobin } from '../../lib/sched.js';
import { nodeOs } from '../../lib/node-os.js';
import { childProcess } from '../../lib/child-process.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { loadConfig, formatDiagnostic } from '../../config/load.js';
import { parseConfigId } from './check.js';
import { composePlatform, LOG_LEVELS, makeLogger, type LogLevel } from '../../app/compose.js';
import { Runtime } from '../../app/runtime.js';
import { Director } from '../../app/director.js';
import type { Logger } from '../../ports/logger.js';
import { startOperations, type Operations } from '../../app/operations.js';
import { StatusSource } from '../../app/status.js';
import { reloadResult, type ReloadResult } from '../../control/protocol.js';
import { parseListen } from '../../metrics/listen-address.js';
import { Metrics } from '../../metrics/registry.js';

const usage = `usage: vipkeeper run -f FILE [-i ID] [--pid-file P] [--log-level L] [--stop-timeout S] [--keep-ipvs]
                     [--control-socket P] [--metrics-listen ADDR:PORT]

Runs the VRRP instances and the director (health checks driving IPVS) of FILE (keepalived.conf
syntax, or YAML for .yaml/.yml) in the foreground.
  -f, --config FILE   configuration file
  -i, --config-id ID  keepalived's -i: @ID lines are kept for ID (default: the host name up to its first dot)
  --pid-file P        write the process id to P (removed on exit)
  --log-level L       ${LOG_LEVELS.join('|')} (default info)
  --rt-priority N     SCHED_RR priority 1-99 for the daemon's threads (default 10); 0 = nice -20 only
  --stop-timeout S    seconds an orderly stop may take (default 3); past it the VIPs are removed and
                      the exit code is 1
  -I, --keep-ipvs     leave the IPVS services in the kernel at stop (keepalived -I)
  --control-socket P  the control socket for \`vipkeeper status\` and \`vipkeeper reload\`
                      (default /run/vipkeeper/vipkeeper.sock)
  --metrics-listen A  serve GET /metrics (Prometheus) and GET /status on ADDR:PORT (a bare PORT
                      listens on 127.0.0.1)
Signals: SIGTERM/SIGINT stop gracefully (exit 0), SIGHUP reloads the configuration,
SIGUSR1 writes the status to /tmp/vipkeeper.data, SIGUSR2 the counters to /tmp/vipkeeper.stats.`;

async function load(file: string, log?: Logger, configId?: string): Promise<{ model?: Awaited<ReturnType<typeof loadConfig>>['model']; errors: string[] }> {
  const r = await loadConfig(file, configId === undefined ? {} : { configId });
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  for (const d of r.diagnostics.filter((x) => x.severity === 'warning')) log?.warn({ diagnostic: formatDiagnostic(d) }, 'configuration warning');
  return { model: errors.length ? undefined : r.model, errors };
}

const DEFAULT_RT_PRIORITY = 10;
const DEFAULT_STOP_TIMEOUT_S = 3;

/**
 * A master that is not scheduled misses its adverts and the backup takes over for nothing (seen
 * at advert_int 0.01 with every core busy). Like keepalived's vrrp_rt_priority, run every thread
 * under SCHED_RR (via util-linux chrt; Node has no sched_setscheduler); --reset-on-fork keeps
 * notify and track scripts at normal priority. Falls back to nice -20. Nothing to do when the
 * service manager started us so (conf/vipkeeper.service): a nice value does not apply to SCHED_RR.
 */
function raisePriority(rt: number, log: Logger): void {
  if (rt !== 0 && allThreadsRoundRobin(rt)) return;
  try { nodeOs().setPriority(-20); } catch { /* not permitted: keep the inherited priority */ }
  if (rt === 0) return;
  const r = childProcess().spawnSync('chrt', ['--all-tasks', '--reset-on-fork', '--rr', '--pid', String(rt), String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) log.warn({ err: (r.stderr || r.error?.message || '').trim(), rtPriority: rt }, 'could not switch to real-time scheduling; running at nice -20');
}

/**
 * Last line of defence: an exception or rejection that escapes every guard leaves the daemon in
 * an unknown state. Log it as fatal with the stack and hand over (`onFatal` runs the orderly stop
 * so the peer takes over cleanly; the exit code is 1 and a supervisor restarts us).
 */
export function installCrashGuards(log: Logger, onFatal: (e: unknown) => void, proc: Pick<NodeJS.EventEmitter, 'on' | 'off'> = process): () => void {
  const fatal = (log as Partial<Record<'fatal', Logger['error']>>).fatal?.bind(log) ?? log.error.bind(log);
  const report = (what: string) => (e: unknown): void => {
    fatal({ err: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined }, `${what}: stopping`);
    onFatal(e);
  };
  const onError = report('uncaught exception');
  const onRejection = report('unhandled promise rejection');
  proc.on('uncaughtException', onError);
  proc.on('unhandledRejection', onRejection);
  return () => { proc.off('uncaughtException', onError); proc.off('unhandledRejection', onRejection); };
}

/**
 * Test hook, inert unless set: VIPKEEPER_TEST_CRASH=exception:MS (or rejection:MS) throws an
 * uncaught exception (or leaves a rejection unhandled) MS ms after start, so tests can check the
 * crash path on the real process. Read only here.
 */
function armCrashHook(log: Logger): void {
  const m = /^(exception|rejection):(\d+)$/.exec(process.env.VIPKEEPER_TEST_CRASH ?? '');
  if (!m) return;
  log.warn({ hook: m[0] }, 'VIPKEEPER_TEST_CRASH is set: this daemon will crash on purpose');
  setTimeout(() => {
    const e = new Error(`injected crash (VIPKEEPER_TEST_CRASH=${m[0]})`);
    if (m[1] === 'exception') throw e;
    void Promise.reject(e);
  }, Number(m[2]));
}

export interface Stoppable {
  stop(notifyWaitMs?: number): Promise<void>;
  vrrp: { releaseVips(): Promise<void> };
}

/**
 * The orderly stop, bounded: waits for `before` (a reload in progress), then stops `rt` within
 * timeoutMs. When it fails or does not finish in time, the VIPs are removed anyway (bounded too),
 * so none stays on this box once we are gone; the caller exits 1 then.
 */
export async function boundedStop(rt: Stoppable, before: Promise<unknown>, timeoutMs: number, log: Logger): Promise<'done' | 'timeout' | 'error'> {
  const orderly = before.then(() => rt.stop(Math.min(1000, timeoutMs / 3)));
  const outcome = await race(
    orderly.then(() => 'done' as const, (e: unknown) => { log.error({ err: (e as Error)?.message, stack: (e as Error)?.stack }, 'error while stopping'); return 'error' as const; }),
    timeoutMs,
  );
  if (outcome === 'done') return outcome;
  if (outcome === 'timeout') log.error({ stopTimeoutMs: timeoutMs }, 'stop did not finish in time: removing the virtual addresses and exiting');
  await race(rt.vrrp.releaseVips().catch(() => {}), 1000);
  return outcome;
}

/** `p`, or 'timeout' after ms; the timer is cleared either way (it holds the process only while needed). */
async function race<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let h: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => { h = setTimeout(() => r('timeout'), ms); })]);
  } finally { clearTimeout(h); }
}

/** Signals and crashes from the first line of run: nothing is lost (or fatal) while starting. */
class ProcessEvents extends EventEmitter {
  private offs: (() => void)[] = [];
  constructor(log: Logger) {
    super();
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const fn = (): void => { this.emit(s === 'SIGHUP' ? 'reload' : 'stop', s); };
      process.on(s, fn);
      this.offs.push(() => process.off(s, fn));
    }
    this.offs.push(installCrashGuards(log, (e) => this.emit('fatal', e)));
  }
  dispose(): void { for (const off of this.offs.splice(0)) off(); this.removeAllListeners(); }
}

const command: Command = {
  summary: 'run the VRRP daemon and the director in the foreground',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      config: { type: 'string', short: 'f' }, 'pid-file': { type: 'string' }, 'log-level': { type: 'string' }, 'rt-priority': { type: 'string' },
      'stop-timeout': { type: 'string' }, 'keep-ipvs': { type: 'boolean', short: 'I' },
      'control-socket': { type: 'string' }, 'metrics-listen': { type: 'string' }, 'config-id': { type: 'string', short: 'i' },
    });
    if (!values.config) throw new UsageError('missing -f FILE');
    const configId = parseConfigId(values['config-id']);
    const level = (values['log-level'] ?? 'info') as LogLevel;
    if (!LOG_LEVELS.includes(level)) throw new UsageError(`unknown log level ${level}`);
    const rt = Number(values['rt-priority'] ?? DEFAULT_RT_PRIORITY);
    if (!Number.isInteger(rt) || rt < 0 || rt > 99) throw new UsageError(`--rt-priority must be 0-99: ${values['rt-priority']}`);
    const stopTimeoutS = Number(values['stop-timeout'] ?? DEFAULT_STOP_TIMEOUT_S);
    if (!Number.isFinite(stopTimeoutS) || stopTimeoutS <= 0 || stopTimeoutS > 3600) throw new UsageError(`--stop-timeout must be a number of seconds, 0 < S <= 3600: ${values['stop-timeout']}`);
    const stopTimeoutMs = stopTimeoutS * 1000;
    const metricsListen = values['metrics-listen'];
    if (metricsListen !== undefined) { const l = parseListen(metricsListen); if (!l.ok) throw new UsageError(l.error); }
    if (values['control-socket'] === '') throw new UsageError('--control-socket needs a path');
    const log = makeLogger(level);
    // Handlers before anything that awaits: a SIGHUP or SIGTERM while loading or opening sockets
    // must not kill the process with the default disposition.
    const events = new ProcessEvents(log);
    let stopRequest: { why: string; code: number } | undefined;
    let reloadRequested = false;
    events.on('stop', (s: string) => { stopRequest ??= { why: s, code: 0 }; });
    events.on('fatal', () => { stopRequest = { why: 'fatal error', code: 1 }; });
    events.on('reload', () => { reloadRequested = true; });
    log.info({ config: values.config, pid: process.pid }, 'vipkeeper starting');

    const first = await load(values.config, undefined, configId);
    if (!first.model) { events.dispose(); for (const e of first.errors) io.err(e); return 1; }
    raisePriority(rt, log);
    const director = Director.wanted(first.model);
    let platform: Awaited<ReturnType<typeof composePlatform>>;
    // A VRRP-only file never loads the health-check probes (a reload that adds a director does).
    try { platform = await composePlatform(log, { probes: director }); } catch (e) { events.dispose(); throw e; }
    const daemon = new Runtime(platform, first.model, { keepIpvs: values['keep-ipvs'] === true });
    // Before start: the startup transitions are recorded, and a second daemon is refused (another
    // one answers on the control socket) before it sends a single advertisement.
    const status = new StatusSource(daemon.vrrp, { director: () => daemon.status(), announcements: () => daemon.announcements(), monotonic: () => platform.clock.now() });
    let reloadNow: () => Promise<ReloadResult> = async () => ({ ok: false, errors: ['the daemon is still starting'] });
    let ops: Operations;
    try {
      // prom-client (~12 MiB, a 10 ms event-loop monitor) only for an endpoint that serves it; the
      // stats file (SIGUSR2) reads the plain event counts.
      const metrics = new Metrics(status, { prometheus: metricsListen !== undefined });
      if (metricsListen !== undefined) await metrics.prometheus();
      ops = await startOperations({
        status, logger: log, reload: () => reloadNow(), metrics,
        ...(values['control-socket'] ? { controlSocket: values['control-socket'] } : {}),
        ...(metricsListen ? { metricsListen } : {}),
      });
    } catch (e) {
      try { platform.close(); } catch { /* reporting the start error matters more */ }
      events.dispose();
      throw e;
    }
    daemon.setMetrics(ops.metrics);
    try { daemon.start(); } catch (e) {
      // Stop what did start (trackers, instances) before reporting, so nothing keeps running.
      await race(daemon.stop(0).catch(() => {}), stopTimeoutMs);
      await ops.close().catch(() => {});
      try { platform.close(); } catch { /* reporting the start error matters more */ }
      events.dispose();
      throw e;
    }
    const pidFile = values['pid-file'];
    if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
    log.info({ config: values.config, instances: daemon.vrrp.instanceNames, virtualServers: first.model.virtualServers.length, pid: process.pid }, 'vipkeeper started');
    armCrashHook(log);

    // A daemon whose instances all wait (no source address yet) has no socket or timer open: hold
    // the event loop so it stays up until it is told to stop.
    const keepAlive = setInterval(() => {}, 1 << 30);
    return await new Promise<number>((resolve) => {
      let stopping = false;
      let code = 0;
      let reloading = Promise.resolve();
      const stop = (why: string, exit: number): void => {
        code = Math.max(code, exit); // a crash during the stop still exits 1
        if (stopping) return;
        stopping = true;
        log.info({ signal: why }, 'stopping');
        void (async () => {
          // A reload in progress finishes first (reading a file and diffing is quick), so the
          // instances it starts are stopped too; the stop timeout bounds both.
          if (await boundedStop(daemon, reloading, stopTimeoutMs, log) !== 'done') code = 1;
          await race(ops.close(), 1000);
          try { platform.close(); } catch (e) { log.error({ err: (e as Error).message }, 'error while closing sockets'); }
          if (pidFile) { try { unlinkSync(pidFile); } catch { /* gone */ } }
          log.info({ exitCode: code }, 'stopped');
          events.dispose();
          clearInterval(keepAlive);
          resolve(code);
          // Whatever handle is left (a stuck socket), the process ends with this code.
          setTimeout(() => process.exit(code), 50).unref();
        })();
      };
      // SIGHUP and `vipkeeper reload` (control socket) share one queue; the socket gets the outcome.
      const reload = (): Promise<ReloadResult> => {
        const stoppingNow: ReloadResult = { ok: false, errors: ['the daemon is stopping'] };
        const outcome = reloading.then(async (): Promise<ReloadResult> => {
          if (stopping) return stoppingNow;
          log.info({ config: values.config }, 'reloading');
          const next = await load(values.config!, log, configId);
          if (stopping) return stoppingNow;
          if (!next.model) {
            for (const e of next.errors) log.error({ diagnostic: e }, 'configuration error: keeping the running configuration');
            return { ok: false, errors: next.errors };
          }
          return reloadResult(await daemon.reload(next.model));
        }).catch((e): ReloadResult => {
          log.error({ err: (e as Error).message }, 'reload failed: keeping the running configuration');
          return { ok: false, errors: [`reload failed, keeping the running configuration: ${(e as Error).message}`] };
        });
        reloading = outcome.then(() => undefined);
        return outcome;
      };
      reloadNow = reload;
      events.removeAllListeners('stop').removeAllListeners('fatal').removeAllListeners('reload');
      events.on('stop', (s: string) => stop(s, 0));
      events.on('fatal', () => stop('fatal error', 1));
      events.on('reload', () => { void reload(); });
      // What arrived while starting: a stop wins over a reload.
      if (stopRequest) stop(stopRequest.why, stopRequest.code);
      else if (reloadRequested) void reload();
    });
  },
};
export default command;
