// Small builders for IPVS test data: a desired service with sensible defaults, overridable per field.
import { zeroStats, type DesiredService, type DestEntry, type DestSpec, type ServiceEntry } from '../../../src/ipvs/model.js';

export function dest(address: string, over: Partial<DestSpec> = {}): DestSpec {
  return { family: address.includes(':') ? 6 : 4, address, port: 80, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...over };
}

export function svc(address: string, port: number, dests: DestSpec[] = [], over: Partial<DesiredService> = {}): DesiredService {
  return {
    family: address.includes(':') ? 6 : 4, protocol: 'tcp', address, port, fwmark: 0,
    scheduler: 'wlc', flags: [], timeout: 0, netmask: address.includes(':') ? 128 : 32, dests, ...over,
  };
}

/** What the kernel would report for a desired service (zero counters). */
export function entry(s: DesiredService): ServiceEntry {
  return { ...s, stats: zeroStats(), dests: s.dests.map((d): DestEntry => ({ ...d, activeConns: 0, inactConns: 0, persistConns: 0, stats: zeroStats() })) };
}
