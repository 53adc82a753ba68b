// The composition root: the only module that imports adapters. It builds the real Platform
// (rtnetlink, raw sockets, packet sockets, child processes, the monotonic clock, IPVS over generic
// netlink, the health-check probes and the systemd notify socket).
import { MonotonicClock } from '../adapters/clock.js';
import { RtnlAddresses } from '../adapters/addresses.js';
import { GarpAnnouncer } from '../adapters/announcer.js';
import { fifoSinks, fsFileReader } from '../adapters/files.js';
import { RtnlLinks } from '../adapters/links.js';
import { createLogger, type LogLevel } from '../adapters/logger.js';
import { ChildScriptRunner, fsScriptSecurity } from '../adapters/script-runner.js';
import { userIds } from '../adapters/users.js';
import { RawVrrpTransports } from '../adapters/vrrp-transport.js';
import { AhVrrpTransports, transportsByAuth } from '../adapters/ah-transport.js';
import { failingProbe } from '../check/failing-probe.js';
import type { Probes } from '../check/factory.js';
import { NetlinkRoutes } from '../adapters/routes.js';
import { NetlinkVirtualRoutes } from '../adapters/virtual-routes.js';
import { RtnlVmacs } from '../adapters/vmac.js';
import { NftExec } from '../net/nft-exec.js';
import type { RoutePort } from '../announce/route-port.js';
import type { IpvsClient } from '../ipvs/client.js';
import { openIpvs } from '../ipvs/genl-socket.js';
import { K, native } from '../net/native.js';
import { Rtnl } from '../net/rtnl.js';
import type { Logger } from '../ports/logger.js';
import { notifySettings, sockaddrUn, type SystemdNotify } from './director-watchdog.js';
import type { Platform } from './platform.js';
import { ProcfsProcessMonitor } from '../track/process-monitor.js';

export { createLogger, LOG_LEVELS, type LogLevel } from '../adapters/logger.js';

/** The IPVS client on a fresh generic netlink socket (the daemon and `vipkeeper ipvs`). */
export function openIpvsClient(): Promise<IpvsClient> { return openIpvs(); }

export interface ComposeOptions {
  /** Load the health-check probes now (default); false leaves them (undici: ~20 MiB) to prepareProbes(). */
  probes?: boolean;
}

export async function composePlatform(logger: Logger, opts: ComposeOptions = {}): Promise<Platform> {
  let probes: Probes | undefined;
  const scripts = new ChildScriptRunner();
  const prepareProbes = async (): Promise<void> => {
    const { createProbes } = await import('../check/factory.js');
    probes ??= createProbes({ scripts, files: fsFileReader });
    // Checkers at scale: full collections at 1.3x the live heap instead of up to 4x, and one now to
    // drop what loading the config left (heap-policy.ts).
    (await import('../check/heap-policy.js')).applyCheckerHeapPolicy();
  };
  if (opts.probes ?? true) await prepareProbes();
  const rtnl = Rtnl.open();
  let links: RtnlLinks;
  try { links = await RtnlLinks.open(rtnl, logger.child({ component: 'links' })); } catch (e) { rtnl.close(); throw e; }
  const transports = transportsByAuth(new RawVrrpTransports((n) => links.ifindex(n), logger), new AhVrrpTransports((n) => links.ifindex(n), logger));
  const announcer = new GarpAnnouncer(links);
  const systemd = systemdNotify(logger);
  // The proc connector socket is opened by the first vrrp_track_process to start, not here.
  const processes = new ProcfsProcessMonitor(logger.child({ component: 'processes' }));
  // Opened on first use: most directors announce nothing.
  let routes: NetlinkRoutes | undefined;
  let vroutes: NetlinkVirtualRoutes | undefined;
  const routePort: RoutePort = {
    install: (r) => (routes ??= NetlinkRoutes.open()).install(r),
    remove: (r) => (routes ??= NetlinkRoutes.open()).remove(r),
    list: (t) => (routes ??= NetlinkRoutes.open()).list(t),
  };
  return {
    clock: new MonotonicClock(),
    logger,
    transports,
    addresses: new RtnlAddresses(rtnl, links, logger.child({ component: 'addresses' })),
    announcer,
    links,
    primaryAddress: (ifname, family) => links.primaryAddress(ifname, family),
    scripts,
    files: fsFileReader,
    fifos: fifoSinks,
    security: (uid) => fsScriptSecurity(uid),
    uidOf: (user) => (user ? userIds(user)?.uid ?? 0 : 0),
    openIpvs: openIpvsClient,
    probes: (c, ctx) => probes?.factory(c, ctx) ?? failingProbe(`${c.type}: the health-check probes were not loaded`),
    prepareProbes,
    routes: routePort,
    vmacs: new RtnlVmacs(rtnl, undefined, logger.child({ component: 'vmac' })),
    virtualRoutes: {
      addRoute: (r) => (vroutes ??= NetlinkVirtualRoutes.open((n) => links.ifindex(n))).addRoute(r),
      removeRoute: (r) => (vroutes ??= NetlinkVirtualRoutes.open((n) => links.ifindex(n))).removeRoute(r),
      addRule: (r) => (vroutes ??= NetlinkVirtualRoutes.open((n) => links.ifindex(n))).addRule(r),
      removeRule: (r) => (vroutes ??= NetlinkVirtualRoutes.open((n) => links.ifindex(n))).removeRule(r),
      watch: (cb) => (vroutes ??= NetlinkVirtualRoutes.open((n) => links.ifindex(n))).watch(cb),
    },
    nft: new NftExec(),
    ...(systemd ? { systemd: systemd.notify } : {}),
    processes,
    // Scripts still running (a hung notify_stop) are killed: they must not outlive the daemon.
    close: () => { scripts.killAll(); processes.close(); probes?.close(); routes?.close(); vroutes?.close(); systemd?.close(); transports.close(); announcer.close(); links.close(); rtnl.close(); },
  };
}

/**
 * The systemd notify socket, when NOTIFY_SOCKET is set: an AF_UNIX datagram socket through the
 * socket addon (Node has no Unix datagram sockets), opened on the first message.
 */
export function systemdNotify(logger: Logger, env: Record<string, string | undefined> = process.env): { notify: SystemdNotify; close(): void } | undefined {
  const s = notifySettings(env, process.pid);
  if (!s) return undefined;
  const AF_UNIX = 1;
  let fd: number | undefined;
  let warned = false;
  const addr = sockaddrUn(s.socket);
  const send = (msg: string): void => {
    try {
      const n = native();
      fd ??= n.socket(AF_UNIX, K('SOCK_DGRAM'), 0);
      n.sendto(fd, Buffer.from(msg), addr);
    } catch (e) {
      if (!warned) logger.warn({ err: (e as Error).message, socket: s.socket }, 'systemd notify failed');
      warned = true;
    }
  };
  return {
    notify: { send, ...(s.watchdogMs ? { watchdogMs: s.watchdogMs } : {}) },
    close: () => { if (fd !== undefined) { try { native().close(fd); } catch { /* closed */ } fd = undefined; } },
  };
}

export function makeLogger(level: LogLevel): Logger { return createLogger(level); }
