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
  /** Every sink opened, by path: its lines, whether it is closed, and an optional write gate. */
  const fifos: { path: string; lines: string[]; closed: boolean; gate?: Promise<void> }[] = [];
  /** Makes transports.open throw for an interface (a socket that cannot be opened). */
  const failOpen = new Set<string>();
  let securityChecks = 0;
  const files: Record<string, string> = {};
  const addr = opts.addr ?? '10.0.0.1';
  const p: Platform = {
    clock, logger: log, addresses, announcer, links,
    transports: { open: (o) => { if (failOpen.has(o.ifname)) throw new Error(`EPERM opening a socket on ${o.ifname}`); return lan.factory(() => addr).open(o); } },
    primaryAddress: (_i, fam) => (fam === 4 ? addr : 'fe80::1'),
    scripts, files: { read: (f) => files[f] },
    fifos: {
      open: (path) => {
        if (path.includes('unopenable')) throw new Error(`EACCES opening ${path}`);
        const sink: { path: string; lines: string[]; closed: boolean; gate?: Promise<void> } = { path, lines: [], closed: false };
        fifos.push(sink);
        return {
          write: async (l) => { await sink.gate; if (sink.closed) throw new Error(`write to closed ${path}`); sink.lines.push(l); fifoLines.push(l); },
          close() { sink.closed = true; },
        };
      },
    },
    // Script security refuses scripts under /insecure/ (a world-writable directory, say).
    security: () => ({ check: (f) => { securityChecks++; return f.startsWith('/insecure/') ? 'writable by others' : undefined; } }),
    uidOf: () => 0, close() {},
  };
  return { p, journal, clock, lan, links, addresses, announcer, scripts, log, fifoLines, fifos, files, failOpen, securityChecks: () => securityChecks };
}
