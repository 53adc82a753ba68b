// Announces that addresses moved to this host: gratuitous ARP for IPv4 and unsolicited neighbour
// advertisements for IPv6, sent as whole Ethernet frames on a packet socket, in bursts.
import { parseIP } from '../lib/ip.js';
import { gratuitousArpFrame } from '../codec/arp.js';
import { unsolicitedNaFrame } from '../codec/ndisc.js';
import { PacketSocket } from './packet-socket.js';

export interface BurstOptions {
  /** Rounds; each round announces every address once (keepalived: garp_master_repeat, default 5). */
  count?: number;
  /** Pause between rounds in ms (keepalived: garp_interval / na_interval, default 0). */
  intervalMs?: number;
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BurstResult { frames: number; elapsedMs: number }

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The frame announcing one address: GARP for 4 bytes, NA (hop limit 255, override) for 16. */
export function announcementFrame(addr: Uint8Array, mac: Uint8Array): Buffer {
  return addr.length === 4 ? gratuitousArpFrame(addr, mac) : unsolicitedNaFrame(addr, mac);
}

/** Sends announcement frames through one packet socket; needs CAP_NET_RAW. */
export class GarpSender {
  private constructor(private readonly sock: PacketSocket) {}

  static open(): GarpSender { return new GarpSender(PacketSocket.open(0)); }

  /**
   * Sends `count` rounds of announcements for `addrs` (IPv4 and IPv6 mixed) out of `ifindex`
   * from `mac`. Frames are built once; an error (ENETDOWN, ENXIO ...) stops the burst and throws.
   */
  async announce(ifindex: number, mac: Uint8Array, addrs: (Uint8Array | string)[], opts: BurstOptions = {}): Promise<BurstResult> {
    const frames = addrs.map((a) => announcementFrame(typeof a === 'string' ? parseIP(a).addr : a, mac));
    const count = opts.count ?? 5;
    const sleep = opts.sleep ?? realSleep;
    const start = performance.now();
    let sent = 0;
    for (let round = 0; round < count; round++) {
      if (round > 0 && (opts.intervalMs ?? 0) > 0) await sleep(opts.intervalMs!);
      for (const f of frames) { this.sock.send(f, ifindex); sent++; }
    }
    return { frames: sent, elapsedMs: performance.now() - start };
  }

  close(): void { this.sock.close(); }
}
