// Everything an operator uses to see and steer a running director, started by `vipkeeper run` in
// one call: the control socket (status, reload), the optional metrics/status HTTP endpoint, and
// keepalived's signals SIGUSR1 (status JSON to the data file) and SIGUSR2 (counters to the stats
// file). close() undoes all of it.
import { openSync, closeSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { VipError } from '../lib/errors.js';
import type { Logger } from '../ports/logger.js';
import { startControlServer, type ControlServer } from '../control/server.js';
import { DEFAULT_CONTROL_SOCKET, type ReloadResult } from '../control/protocol.js';
import type { MetricsHttpServer } from '../metrics/http.js';
import { parseListen, type ListenAddress } from '../metrics/listen-address.js';
import { Metrics } from '../metrics/registry.js';
import type { StatusSource } from './status.js';
import { isoTime } from '../lib/iso-time.js';

export const DEFAULT_DATA_FILE = '/tmp/vipkeeper.data';
export const DEFAULT_STATS_FILE = '/tmp/vipkeeper.stats';

export interface OperationsOptions {
  status: StatusSource;
  reload(): Promise<ReloadResult>;
  /** Control socket path; false disables it (default /run/vipkeeper/vipkeeper.sock). */
  controlSocket?: string | false;
  /** ADDR:PORT or PORT for GET /metrics and /status; absent: no HTTP server. */
  metricsListen?: string;
  /** Pass one to feed it events before operations start; otherwise one is made. */
  metrics?: Metrics;
  dataFile?: string;
  statsFile?: string;
  logger: Logger;
  /** Where the signal handlers go (tests pass an EventEmitter). */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

export interface Operations {
  readonly metrics: Metrics;
  /** Where the HTTP endpoint listens (the port when 0 was asked for). */
  readonly metricsAddress: ListenAddress | undefined;
  /** Writes the data (SIGUSR1) or stats (SIGUSR2) file now. */
  dump(which: 'data' | 'stats'): Promise<string>;
  close(): Promise<void>;
}

/**
 * /tmp is writable by everyone: write a new file exclusively (O_EXCL never follows a planted
 * symlink) and rename it over the old one, so a reader never sees half a file either.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try { unlinkSync(tmp); } catch { /* none left over */ }
  const fd = openSync(tmp, 'wx', 0o644);
  try { writeSync(fd, text); } finally { closeSync(fd); }
  try { renameSync(tmp, file); } catch (e) { try { unlinkSync(tmp); } catch { /* keep the first error */ } throw e; }
}

/** The SIGUSR2 stats: VRRP counters and transitions per instance, plus event counters. */
export async function statsObject(status: StatusSource, metrics: Metrics): Promise<unknown> {
  const transitions = status.transitionCounts();
  return {
    generatedAt: isoTime(Date.now()),
    instances: status.instances().map((i) => ({
      name: i.name, state: i.state, counters: i.counters,
      transitions: transitions.filter((t) => t.instance === i.name).map(({ from, to, count }) => ({ from, to, count })),
    })),
    director: status.directorCounters(),
    events: await metrics.eventCounts(),
  };
}

export async function startOperations(o: OperationsOptions): Promise<Operations> {
  const log = o.logger.child({ component: 'operations' });
  const listen = o.metricsListen !== undefined ? parseListen(o.metricsListen) : undefined;
  if (listen && !listen.ok) throw new VipError('metrics-listen', listen.error);
  const metrics = o.metrics ?? new Metrics(o.status);
  const dataFile = o.dataFile ?? DEFAULT_DATA_FILE;
  const statsFile = o.statsFile ?? DEFAULT_STATS_FILE;
  const signals = o.signals ?? process;

  let control: ControlServer | undefined;
  let http: MetricsHttpServer | undefined;
  const socketPath = o.controlSocket === undefined ? DEFAULT_CONTROL_SOCKET : o.controlSocket;
  if (socketPath !== false) {
    control = await startControlServer({ path: socketPath, logger: log, handlers: { status: () => o.status.snapshot(), reload: () => o.reload() } });
  }
  if (listen?.ok) {
    try {
      const { startMetricsServer } = await import('../metrics/http.js');
      http = await startMetricsServer(listen.value, {
        metrics: async () => ({ contentType: metrics.contentType, body: await metrics.text() }),
        status: () => o.status.snapshot(),
      }, log);
    } catch (e) {
      await control?.close();
      const err = e as NodeJS.ErrnoException;
      throw new VipError('metrics-listen', `cannot listen on ${listen.value.host}:${listen.value.port} for metrics: ${err.code ?? err.message}`);
    }
  }

  const dump = async (which: 'data' | 'stats'): Promise<string> => {
    const file = which === 'data' ? dataFile : statsFile;
    const obj = which === 'data' ? o.status.snapshot() : await statsObject(o.status, metrics);
    writeFileAtomic(file, `${JSON.stringify(obj, null, 2)}\n`);
    return file;
  };
  const onSignal = (which: 'data' | 'stats') => (): void => {
    dump(which).then(
      (file) => log.info({ file }, `${which} written`),
      (e: unknown) => log.error({ err: (e as Error)?.message ?? String(e), which }, `writing the ${which} file failed`),
    );
  };
  const usr1 = onSignal('data');
  const usr2 = onSignal('stats');
  signals.on('SIGUSR1', usr1);
  signals.on('SIGUSR2', usr2);

  let closing: Promise<void> | undefined;
  return {
    metrics,
    metricsAddress: http?.address,
    dump,
    close() {
      closing ??= (async () => {
        signals.off('SIGUSR1', usr1);
        signals.off('SIGUSR2', usr2);
        await Promise.all([control?.close(), http?.close()]);
      })();
      return closing;
    },
  };
}
