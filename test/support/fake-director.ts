// A director on fakes: fake clock, probes whose outcome each test sets per real server, the fake
// IPVS kernel behind the real IpvsClient, fake scripts, a recording logger; plus model builders.
import type { Checker, Config, GlobalDefs, RealServer, VirtualServer, VrrpInstance } from '../../src/config/model.js';
import type { CheckOutcome, Probe, ProbeContext } from '../../src/check/checker.js';
import { Director, type DirectorDeps } from '../../src/app/director.js';
import { IpvsClient } from '../../src/ipvs/client.js';
import { FakeClock } from '../../src/ports/fake/clock.js';
import { MemoryLogger } from '../../src/ports/fake/logger.js';
import { FakeScripts } from '../../src/ports/fake/scripts.js';
import { FakeIpvsKernel } from './fake-ipvs-kernel.js';

export function globalDefs(over: Partial<GlobalDefs> = {}): GlobalDefs {
  return {
    vrrpVersion: 2, v3ChecksumAsV2: false, scriptSecurity: false, mcastGroup4: '224.0.0.18', mcastGroup6: 'ff02::12',
    defaultInterface: 'eth0', vrrpStrict: false, skipCheckAdvAddr: false, lvsFlush: false, lvsFlushOnStop: false, ...over,
  };
}

export function tcpCheck(over: Partial<Checker> = {}): Checker {
  return { type: 'TCP_CHECK', connectTimeoutMs: 1000, retry: 1, delayBeforeRetryMs: 1000, delayLoopMs: 5000, warmupMs: 0, alpha: false, ...over } as Checker;
}

export function realServer(address: string, over: Partial<RealServer> = {}): RealServer {
  return {
    address, family: 4, port: 80, weight: 1, lbKind: 'NAT', inhibitOnFailure: false, upperThreshold: 0, lowerThreshold: 0,
    checkers: [tcpCheck()], ...over,
  };
}

export function virtualServer(address: string, rss: RealServer[], over: Partial<VirtualServer> = {}): VirtualServer {
  return {
    name: `${address}:80/TCP`, kind: 'addr', address, port: 80, family: 4, protocol: 'TCP', lbAlgo: 'rr', schedFlags: [], ops: false,
    lbKind: 'NAT', quorum: 1, hysteresis: 0, alpha: false, omega: false, haSuspend: false, inhibitOnFailure: false, realServers: rss, ...over,
  };
}

export function vrrpInstance(name: string, vip: string, over: Partial<VrrpInstance> = {}): VrrpInstance {
  return {
    name, interface: 'eth0', vrid: 51, priority: 100, state: 'BACKUP', version: 2, family: 4, advertIntervalMs: 1000, preempt: true,
    preemptDelayMs: 0, unicastPeers: [], trackInterfaces: [], trackScripts: [], trackFiles: [],
    virtualIps: [{ address: vip, family: 4, prefixLen: 32, dev: 'eth0', scope: 'global', noTrack: false }], excludedVips: [],
    garp: { masterDelayMs: 5000, masterRepeat: 5, lowerPrioDelayMs: 5000, lowerPrioRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, intervalMs: 0, gnaIntervalMs: 0 },
    notify: {}, v3ChecksumAsV2: false, accept: true, dontTrackPrimary: false, downTimerAdverts: 3, ...over,
  };
}

export function config(vss: VirtualServer[], over: Partial<Config> = {}, g: Partial<GlobalDefs> = {}): Config {
  return { global: globalDefs(g), vrrpScripts: [], trackFiles: [], vrrpInstances: [], syncGroups: [], virtualServerGroups: [], virtualServers: vss, ...over };
}

/** Probes whose answer is set per target address ("10.0.1.1:80"); default success. Counts runs. */
export class FakeProbes {
  outcome = new Map<string, Partial<CheckOutcome>>();
  runs = new Map<string, number>();
  /** Targets whose probe never settles until released (a hung real server). */
  hung = new Set<string>();
  private release: (() => void)[] = [];
  built = 0;
  closed = 0;

  set(target: string, ok: boolean, extra: Partial<CheckOutcome> = {}): void {
    this.outcome.set(target, { ok, code: ok ? 'ok' : 'refused', reason: ok ? 'connected' : 'connection refused', ...extra });
  }

  releaseHung(): void { for (const r of this.release.splice(0)) r(); }

  factory = (check: Checker, ctx: ProbeContext): Probe => {
    this.built++;
    const key = `${ctx.target.address}:${ctx.target.port}`;
    return {
      run: () => {
        this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
        const answer = (): CheckOutcome => ({ ok: true, code: 'ok', reason: 'connected', latencyMs: 1, ...this.outcome.get(key) });
        if (this.hung.has(key)) return new Promise((resolve) => this.release.push(() => resolve(answer())));
        return Promise.resolve(answer());
      },
      close: () => { this.closed++; void check; },
    };
  };
}

/** notify fifos in memory: every sink opened, by path, with its lines and whether it was closed. */
export class FakeFifos {
  sinks: { path: string; lines: string[]; closed: boolean }[] = [];
  /** Lines of the sinks opened on a path, in order. */
  lines(path: string): string[] { return this.sinks.filter((s) => s.path === path).flatMap((s) => s.lines); }
  factory = {
    open: (path: string) => {
      const sink = { path, lines: [] as string[], closed: false };
      this.sinks.push(sink);
      return {
        write: async (l: string) => { if (sink.closed) throw new Error(`write to closed ${path}`); sink.lines.push(l); },
        close: () => { sink.closed = true; },
      };
    },
  };
}

export interface DirectorRig {
  director: Director;
  clock: FakeClock;
  kernel: FakeIpvsKernel;
  probes: FakeProbes;
  fifos: FakeFifos;
  scripts: FakeScripts;
  log: MemoryLogger;
  vrrp: Map<string, string>;
  /** Lets probe promises and the IPVS worker settle, then advances the clock by ms in steps. */
  advance(ms: number, stepMs?: number): Promise<void>;
  settle(): Promise<void>;
}

export function directorRig(cfg: Config, over: Partial<DirectorDeps> = {}, kernel = new FakeIpvsKernel()): DirectorRig {
  const clock = new FakeClock(1000);
  const probes = new FakeProbes();
  const fifos = new FakeFifos();
  const scripts = new FakeScripts();
  scripts.program = () => ({ code: 0 });
  const log = new MemoryLogger();
  const vrrp = new Map<string, string>();
  const director = new Director({
    clock, logger: log, scripts, probes: probes.factory, fifos: fifos.factory,
    openIpvs: () => IpvsClient.open(kernel.connect()),
    vrrpState: (n) => vrrp.get(n), random: () => 0.5, ...over,
  }, cfg);
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) { await new Promise((r) => setImmediate(r)); await director.idle(); }
  };
  const advance = async (ms: number, stepMs = 100): Promise<void> => {
    await settle();
    for (let t = 0; t < ms; t += stepMs) { clock.advance(Math.min(stepMs, ms - t)); await settle(); }
  };
  return { director, clock, kernel, probes, fifos, scripts, log, vrrp, advance, settle };
}

/** The kernel's table as "service: dest/weight, ..." lines, sorted (easy to assert on). */
export function table(k: FakeIpvsKernel): string[] {
  return [...k.services.entries()].map(([key, s]) => `${key}: ${s.dests.map((d) => `${d.address}:${d.port}/${d.weight}`).sort().join(', ')}`).sort();
}
