// A Platform made of the in-memory fakes, for daemon tests.
import type { Platform } from '../../../src/app/platform.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';
import { FakeVrrpLan } from '../../../src/ports/fake/transport.js';
import { FakeAddresses, FakeAnnouncer, FakeLinks } from '../../../src/ports/fake/net.js';
import { FakeScripts } from '../../../src/ports/fake/scripts.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';

export function fakePlatform(opts: { clock?: FakeClock; lan?: FakeVrrpLan; addr?: string } = {}) {
  const journal: string[] = [];
  const clock = opts.clock ?? new FakeClock(1000);
  const lan = opts.lan ?? new FakeVrrpLan();
  const links = new FakeLinks([{ ifname: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01' }, { ifname: 'eth1', index: 3, up: true }]);
  const addresses = new FakeAddresses(journal);
  const announcer = new FakeAnnouncer(journal);
  const scripts = new FakeScripts(journal);
  scripts.program = () => ({ code: 0 });
  const log = new MemoryLogger();
  const fifoLines: string[] = [];
  const files: Record<string, string> = {};
  const addr = opts.addr ?? '10.0.0.1';
  const p: Platform = {
    clock, logger: log, transports: lan.factory(() => addr), addresses, announcer, links,
    primaryAddress: (_i, fam) => (fam === 4 ? addr : 'fe80::1'),
    scripts, files: { read: (f) => files[f] }, fifos: { open: () => ({ write: async (l) => { fifoLines.push(l); }, close() {} }) },
    security: () => ({ check: () => undefined }), uidOf: () => 0, close() {},
  };
  return { p, journal, clock, lan, links, addresses, announcer, scripts, log, fifoLines, files };
}
