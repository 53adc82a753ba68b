// Everything the daemon needs from the outside world, as ports. compose.ts builds the real one;
// tests build one from the in-memory fakes.
import type { RoutePort } from '../announce/route-port.js';
import type { AddressManager } from '../ports/addresses.js';
import type { Announcer } from '../ports/announcer.js';
import type { Clock } from '../ports/clock.js';
import type { LineSinkFactory } from '../ports/fifo.js';
import type { FileReader } from '../ports/files.js';
import type { LinkWatcher } from '../ports/links.js';
import type { Logger } from '../ports/logger.js';
import type { ScriptRunner, ScriptSecurity } from '../ports/script-runner.js';
import type { VrrpTransportFactory } from '../ports/vrrp-transport.js';
import type { VirtualRoutePort } from '../ports/virtual-routes.js';
import type { VmacPort } from '../ports/vmac.js';
import type { ProbeFactory } from '../check/checker.js';
import type { OpenIpvsPort } from './director-ipvs.js';
import type { SystemdNotify } from './director-watchdog.js';
import type { ProcessMonitor } from '../track/process-port.js';
import type { NftPort } from '../net/nft-port.js';

export interface Platform {
  clock: Clock;
  logger: Logger;
  transports: VrrpTransportFactory;
  addresses: AddressManager;
  announcer: Announcer;
  links: LinkWatcher;
  /** The interface's primary address (IPv4) or link-local address (IPv6), used as VRRP source. */
  primaryAddress(ifname: string, family: 4 | 6): string | undefined;
  scripts: ScriptRunner;
  files: FileReader;
  fifos: LineSinkFactory;
  /** Script security for scripts run as `uid` (enable_script_security). */
  security(uid: number): ScriptSecurity;
  /** uid a script user name maps to (root when unknown). */
  uidOf(user: string | undefined): number;
  close(): void;
  /** Opens the IPVS generic netlink family (the director); absent = IPVS unavailable. */
  openIpvs?: OpenIpvsPort;
  /** Builds the health-check probes (the director); absent = every checker fails with a reason. */
  probes?: ProbeFactory;
  /** Loads the probes' modules when they were left out at start (a reload adds the first director). */
  prepareProbes?(): Promise<void>;
  /** Our routes in a kernel table, for the announcements (BIRD/FRR); absent = none can be made. */
  routes?: RoutePort;
  /** Installs instances' virtual_routes / virtual_rules; absent = they are not installed (logged). */
  virtualRoutes?: VirtualRoutePort;
  /** Creates use_vmac interfaces; absent = they cannot be (logged; such instances wait in INIT). */
  vmacs?: VmacPort;
  /** systemd notify socket (READY=1, WATCHDOG=1) when the daemon runs under systemd. */
  systemd?: SystemdNotify;
  /** The process table and its changes (vrrp_track_process); absent = no process is ever counted. */
  processes?: ProcessMonitor;
  /** nftables, for no_accept / vrrp_strict (drop traffic to the VIPs); absent = not filtered (logged). */
  nft?: NftPort;
}
