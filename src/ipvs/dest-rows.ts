// The plain listing's columns of a table's real servers in typed arrays, one row per real server:
// `ipvs list` reads 10,000 of them, and an object (with its address string and counters) for each
// cost a third of the listing's emulated CPU in decoding and garbage collection (bench/README.md,
// IPVS, fourth pass). Only IPv4 real servers become rows; any other is kept as a DestEntry.
import { quadText } from '../lib/ip.js';
import { FORWARD_BY_NUMBER, zeroStats, type DestEntry, type ServiceEntry } from './model.js';

export class DestRows {
  n = 0;
  /** IPv4 address as an unsigned 32-bit number (first octet highest). */
  addr = new Uint32Array(1024);
  port = new Uint16Array(1024);
  /** Forwarding method number & 7 (model.ts FORWARD_BY_NUMBER). */
  fwd = new Uint8Array(1024);
  weight = new Int32Array(1024);
  active = new Uint32Array(1024);
  inact = new Uint32Array(1024);

  /**
   * The index of a new row, its columns left for the caller to write (readDestRow writes them
   * inline: a listing adds 10,000 rows, and a call with six arguments each cost more than the
   * stores before the optimizing compiler has it; bench/README.md, IPVS, eleventh pass).
   */
  add(): number {
    if (this.n === this.addr.length) this.grow();
    return this.n++;
  }

  /**
   * Rows [from, to) as entries carrying the plain listing's fields (thresholds, persistent
   * connections and counters zero): for a service that turned out to hold a non-row real server.
   */
  entries(from: number, to: number): DestEntry[] {
    const out: DestEntry[] = [];
    for (let i = from; i < to; i++) {
      out.push({
        family: 4, address: quadText(this.addr[i]!), port: this.port[i]!, forward: FORWARD_BY_NUMBER[this.fwd[i]!]!,
        weight: this.weight[i]!, upperThreshold: 0, lowerThreshold: 0, activeConns: this.active[i]!, inactConns: this.inact[i]!, persistConns: 0, stats: zeroStats(),
      });
    }
    return out;
  }

  private grow(): void {
    const n = this.addr.length * 2;
    const more = <T extends Uint32Array | Uint16Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => { const b = make(n); b.set(a); return b; };
    this.addr = more(this.addr, (k) => new Uint32Array(k)); this.port = more(this.port, (k) => new Uint16Array(k));
    this.fwd = more(this.fwd, (k) => new Uint8Array(k)); this.weight = more(this.weight, (k) => new Int32Array(k));
    this.active = more(this.active, (k) => new Uint32Array(k)); this.inact = more(this.inact, (k) => new Uint32Array(k));
  }
}

/**
 * A listing for the plain view: the services (their `dests` left empty), and per service either
 * its rows [from, to) in the kernel's order (from -1: none) or, when one of its real servers is
 * not a row, all of them as entries in `objects`.
 */
export interface RowTable {
  services: ServiceEntry[];
  /** Each service's IPv4 address as a number, -1 for IPv6 (decodeServiceReply's `v4`); absent: read from the text. */
  v4?: readonly number[];
  rows: DestRows;
  from: Int32Array;
  to: Int32Array;
  objects: (DestEntry[] | undefined)[];
}

export function rowTable(services: ServiceEntry[], v4?: readonly number[]): RowTable {
  const n = services.length;
  return { services, v4, rows: new DestRows(), from: new Int32Array(n).fill(-1), to: new Int32Array(n).fill(-1), objects: new Array(n).fill(undefined) };
}
