// A small world for runtime tests: instances on a fake VRRP LAN under one fake clock, with fake
// addresses, announcer and a shared journal of side effects in call order.
import type { VrrpInstance } from '../../../src/config/model.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';
import { FakeVrrpLan, type FakeTransport } from '../../../src/ports/fake/transport.js';
import { FakeAddresses, FakeAnnouncer } from '../../../src/ports/fake/net.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import { Instance, type Transition } from '../../../src/vrrp/instance.js';
import { decodeVrrp } from '../../../src/codec/vrrp.js';
import type { TrackBinding } from '../../../src/track/binding.js';
import type { VirtualRoutePort } from '../../../src/ports/virtual-routes.js';

export function spec(over: Partial<VrrpInstance> = {}): VrrpInstance {
  return {
    name: 'VI_1', interface: 'eth0', vrid: 51, priority: 100, state: 'BACKUP', version: 3, family: 4,
    advertIntervalMs: 1000, preempt: true, preemptDelayMs: 0, unicastPeers: [],
    virtualIps: [{ address: '10.0.0.100', family: 4, prefixLen: 24, dev: 'eth0', scope: 'global', noTrack: false }],
    excludedVips: [], trackInterfaces: [], trackScripts: [], trackFiles: [],
    garp: { masterDelayMs: 5000, masterRepeat: 5, lowerPrioDelayMs: 5000, lowerPrioRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, intervalMs: 0, gnaIntervalMs: 0 },
    notify: {}, v3ChecksumAsV2: false, accept: true, dontTrackPrimary: false, downTimerAdverts: 3,
    ...over,
  };
}

export interface Node {
  inst: Instance;
  transport: FakeTransport;
  addrs: FakeAddresses;
  announcer: FakeAnnouncer;
  journal: string[];
  transitions: Transition[];
  log: MemoryLogger;
}

export class World {
  clock = new FakeClock(1000);
  lan = new FakeVrrpLan();
  nodes = new Map<string, Node>();

  add(name: string, addr: string, s: VrrpInstance, opts: { tracking?: TrackBinding[]; group?: string; addrs?: FakeAddresses; virtualRoutes?: VirtualRoutePort } = {}): Node {
    const journal: string[] = [];
    const group = opts.group ?? (s.family === 6 ? 'ff02::12' : '224.0.0.18');
    const transport = this.lan.join(addr, s.unicastPeers.length ? {} : { group: parseGroup(group) });
    const origSend = transport.send.bind(transport);
    transport.send = (p, d) => { const a = decodeVrrp(p, s.family); journal.push(`advert ${a.ok ? a.advert.priority : '?'}`); origSend(p, d); };
    const addrs = opts.addrs ?? new FakeAddresses(journal);
    const announcer = new FakeAnnouncer(journal);
    const log = new MemoryLogger();
    const inst = new Instance(s, {
      clock: this.clock, transport, addresses: addrs, announcer, logger: log.child({ instance: s.name }),
      srcAddr: addr, destinations: s.unicastPeers.length ? s.unicastPeers.map((p) => p.address) : [group],
      ...(opts.tracking ? { tracking: opts.tracking } : {}),
      ...(opts.virtualRoutes ? { virtualRoutes: opts.virtualRoutes } : {}),
    });
    const transitions: Transition[] = [];
    inst.onTransition((t) => transitions.push(t));
    inst.onNotify((t) => { journal.push(`notify ${t.to}`); });
    const n = { inst, transport, addrs, announcer, journal, transitions, log };
    this.nodes.set(name, n);
    return n;
  }

  /** Advances the clock in small steps, letting promise jobs run between them. */
  async run(ms: number, stepMs = 10): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) {
      this.clock.advance(Math.min(stepMs, ms - t));
      await settle();
    }
  }
}

import { parseIP } from '../../../src/lib/ip.js';
function parseGroup(g: string): Uint8Array { return parseIP(g).addr; }

export async function settle(): Promise<void> { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); }
