// The port between doctor's decisions and the host it inspects. Each method returns a fact, never
// throws for an absent thing (a missing module is a fact); the real adapter is real-host.ts, the
// in-memory one fake-host.ts.
import type { Family } from '../config/model.js';

/** ip_vs as found: usable now, absent (with why), or not determinable (e.g. EPERM). */
export type IpvsFact = { state: 'available' } | { state: 'unavailable' } | { state: 'unknown'; detail: string };

/** A kernel module: loaded (in /sys/module), built in, installed but not loaded, absent, or no modinfo to ask. */
export type ModuleFact = 'loaded' | 'builtin' | 'installed' | 'missing' | 'unknown';

export interface LinkFact { name: string; up: boolean; lowerUp: boolean; multicast: boolean }

/** One VRRP advertisement as heard on the wire. */
export interface HeardAdvert { src: string; vrid: number; priority: number; version: 2 | 3; intervalMs: number; addresses: string[] }

export interface ListenRequest { iface: string; family: Family; /** Group to join, or none (unicast only). */ group?: string; durationMs: number }

export interface DoctorHost {
  /** CapEff of this process, undefined when it cannot be read. */
  effectiveCapabilities(): Promise<bigint | undefined>;
  ipvs(): Promise<IpvsFact>;
  module(name: string): Promise<ModuleFact>;
  links(): Promise<LinkFact[]>;
  /** Addresses configured on this host (canonical text), to recognise our own adverts. */
  localAddresses(): Promise<string[]>;
  /** A /proc/sys value by path segments (['net','ipv4','ip_forward']), trimmed; undefined when absent. */
  sysctl(path: string[]): Promise<string | undefined>;
  /** An executable of that name on PATH (or in /usr/sbin, /sbin). */
  hasCommand(name: string): Promise<boolean>;
  /** Adverts heard on an interface for a while; throws when it cannot listen (no CAP_NET_RAW, no device). */
  listenVrrp(req: ListenRequest): Promise<HeardAdvert[]>;
  close(): void;
}
