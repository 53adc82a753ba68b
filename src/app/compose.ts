// The composition root: the only module that imports adapters. It builds the real Platform
// (rtnetlink, raw sockets, packet sockets, child processes, the monotonic clock).
import { MonotonicClock } from '../adapters/clock.js';
import { RtnlAddresses } from '../adapters/addresses.js';
import { GarpAnnouncer } from '../adapters/announcer.js';
import { fifoSinks, fsFileReader } from '../adapters/files.js';
import { RtnlLinks } from '../adapters/links.js';
import { createLogger, type LogLevel } from '../adapters/logger.js';
import { ChildScriptRunner, fsScriptSecurity } from '../adapters/script-runner.js';
import { userIds } from '../adapters/users.js';
import { RawVrrpTransports } from '../adapters/vrrp-transport.js';
import { Rtnl } from '../net/rtnl.js';
import type { Logger } from '../ports/logger.js';
import type { Platform } from './platform.js';

export { createLogger, LOG_LEVELS, type LogLevel } from '../adapters/logger.js';

export async function composePlatform(logger: Logger): Promise<Platform> {
  const rtnl = Rtnl.open();
  let links: RtnlLinks;
  try { links = await RtnlLinks.open(rtnl, logger.child({ component: 'links' })); } catch (e) { rtnl.close(); throw e; }
  const transports = new RawVrrpTransports((n) => links.ifindex(n), logger);
  const announcer = new GarpAnnouncer(links);
  const scripts = new ChildScriptRunner();
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
    // Scripts still running (a hung notify_stop) are killed: they must not outlive the daemon.
    close: () => { scripts.killAll(); transports.close(); announcer.close(); links.close(); rtnl.close(); },
  };
}

export function makeLogger(level: LogLevel): Logger { return createLogger(level); }
