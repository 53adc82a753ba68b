// The announcement gauge for a Prometheus registry: vipkeeper_announce_active{prefix} is 1 while
// the route is in the kernel table, 0 otherwise. Read at scrape time from the engine's snapshot,
// so it can never disagree with `status`.
import { Gauge, type Registry } from 'prom-client';
import type { AnnouncementStatus } from './engine.js';

export const ANNOUNCE_ACTIVE = 'vipkeeper_announce_active';

export function registerAnnounceMetrics(registry: Registry, snapshot: () => AnnouncementStatus[]): Gauge<'prefix'> {
  return new Gauge({
    name: ANNOUNCE_ACTIVE,
    help: 'Whether vipkeeper has the route for this prefix in its announcement table (1) or not (0)',
    labelNames: ['prefix'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of snapshot()) this.set({ prefix: s.prefix }, s.active ? 1 : 0);
    },
  });
}
