// The memory one batch receive (the addon's startReceiveBatch: one recvmmsg per wake-up) fills,
// and how to read a datagram out of it without allocating: locate() finds the IP payload in place,
// and only a datagram that is handed on is copied out (datagram()). Pure over its buffers.
import type { Datagram } from './raw-socket.js';

/** Ints per datagram in `meta`: length (-1 truncated), ttl/hop limit, ifindex, destination length. */
export const BATCH_META = 4;
/** Bytes per datagram in `addrs`: the source address (16, IPv4 in the first 4), then the destination. */
export const BATCH_ADDR = 32;
/**
 * Default slot: a jumbo frame (9000-byte MTU) and its headers, so any VRRP packet (IPv6: 8 + 255 x
 * 16 bytes; IPv4: at most 60 + 8 + 255 x 4 + 8), even padded to the MTU, fits; a larger datagram
 * (a reassembled fragment train) is counted as truncated. 32 of them: 288 KiB per socket.
 */
export const DEFAULT_SLOT = 9216;
/** Datagrams per wake-up: enough to amortise a wake-up, few enough not to hold the loop. */
export const DEFAULT_BATCH = 32;

export class RecvBatch {
  readonly data: Buffer;
  readonly meta: Int32Array;
  readonly addrs: Buffer;
  /** Set by locate(): the payload is data[start, end). */
  start = 0;
  end = 0;
  /** Set by locate(): the TTL or hop limit, -1 unknown. */
  ttl = -1;

  constructor(readonly family: 4 | 6, readonly slot = DEFAULT_SLOT, readonly max = DEFAULT_BATCH) {
    this.data = Buffer.alloc(slot * max);
    this.meta = new Int32Array(max * BATCH_META);
    this.addrs = Buffer.alloc(max * BATCH_ADDR);
  }

  /** Whether datagram i was larger than a slot (and is lost). */
  truncated(i: number): boolean { return this.meta[i * BATCH_META]! < 0; }

  /**
   * Finds datagram i's IP payload (start/end) and TTL; false when its IPv4 header cannot be
   * parsed. IPv4 raw sockets deliver the IP header; IPv6 ones only the payload.
   */
  locate(i: number): boolean {
    const len = this.meta[i * BATCH_META]!;
    const base = i * this.slot;
    if (this.family === 6) {
      this.start = base; this.end = base + Math.max(len, 0); this.ttl = this.meta[i * BATCH_META + 1]!;
      return len >= 0;
    }
    const d = this.data;
    if (len < 20 || d[base]! >> 4 !== 4) return false;
    const ihl = (d[base]! & 0x0f) * 4;
    if (ihl < 20 || len < ihl) return false;
    const total = (d[base + 2]! << 8) | d[base + 3]!;
    this.start = base + ihl;
    this.end = base + Math.max(ihl, Math.min(total, len));
    this.ttl = d[base + 8]!;
    return true;
  }

  /** Byte k of the payload located last (undefined past its end). */
  payloadByte(k: number): number | undefined { return this.start + k < this.end ? this.data[this.start + k] : undefined; }

  /** Datagram i as a Datagram with its own copies of every byte; call after locate(i). */
  datagram(i: number): Datagram {
    const d: Datagram = { data: this.copy(this.data, this.start, this.end, true) as Buffer, src: this.srcAddr(i) };
    const dst = this.dstAddr(i);
    if (dst) d.dst = dst;
    if (this.ttl >= 0) d.ttl = this.ttl;
    const ifindex = this.meta[i * BATCH_META + 2]!;
    if (ifindex >= 0) d.ifindex = ifindex;
    return d;
  }

  // Copies by hand: subarray() + from() builds two typed arrays per address, this one.
  private copy(from: Buffer, start: number, end: number, asBuffer = false): Uint8Array {
    const out = asBuffer ? Buffer.allocUnsafe(end - start) : new Uint8Array(end - start);
    for (let k = start; k < end; k++) out[k - start] = from[k]!;
    return out;
  }

  private srcAddr(i: number): Uint8Array {
    if (this.family === 4) { const b = i * this.slot; return this.copy(this.data, b + 12, b + 16); }
    return this.copy(this.addrs, i * BATCH_ADDR, i * BATCH_ADDR + 16);
  }

  private dstAddr(i: number): Uint8Array | undefined {
    // IPv4: the header's destination, as the per-datagram path reports it.
    if (this.family === 4) { const b = i * this.slot; return this.copy(this.data, b + 16, b + 20); }
    const n = this.meta[i * BATCH_META + 3]!;
    return n === 16 ? this.copy(this.addrs, i * BATCH_ADDR + 16, i * BATCH_ADDR + 32) : undefined;
  }
}
