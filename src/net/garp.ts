// Announces that addresses moved to this host: gratuitous ARP for IPv4 and unsolicited neighbour
// advertisements for IPv6, sent as whole Ethernet frames on a packet socket, in bursts.
import { parseIP } from '../lib/ip.js';
import { gratuitousArpFrame } from '../codec/arp.js';
import { unsolicitedNaFrame } from '../codec/ndisc.js';
import { SysError } from '../lib/errors.js';
import { PacketSocket } from './packet-socket.js';
import { monotonicMs } from '../lib/monotonic.js';

export interface BurstOptions {
  /** Rounds; each round announces every address once (keepalived: garp_master_repeat, default 5). */
  count?: number;
  /** Pause between rounds in ms (keepalived: garp_interval / na_interval, default 0). */
  intervalMs?: number;
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BurstResult {
  frames: number;
  elapsedMs: number;
  /** Sends repeated because the socket's send buffer or the device queue was full. */
  retries?: number;
}

/** Where frames go: a packet socket, or a fake in tests. */
export interface FrameSender { send(frame: Uint8Array, ifindex: number): void; close(): void }

/** A full send buffer (EAGAIN) or device queue (ENOBUFS) drains within a millisecond or so. */
const TRANSIENT = new Set(['EAGAIN', 'ENOBUFS']);
const MAX_RETRIES = 10;

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The frame announcing one address: GARP for 4 bytes, NA (hop limit 255, override) for 16. */
export function announcementFrame(addr: Uint8Array, mac: Uint8Array): Buffer {
  return addr.length === 4 ? gratuitousArpFrame(addr, mac) : unsolicitedNaFrame(addr, mac);
}

/** Sends announcement frames through one packet socket; needs CAP_NET_RAW. */
export class GarpSender {
  private constructor(private readonly sock: FrameSender) {}

  static open(): GarpSender { return new GarpSender(PacketSocket.open(0)); }

  /** Sends through `sock` instead of a new packet socket (tests, a shared socket). */
  static over(sock: FrameSender): GarpSender { return new GarpSender(sock); }

  /**
   * Sends `count` rounds of announcements for `addrs` (IPv4 and IPv6 mixed) out of `ifindex`
   * from `mac`. Frames are built once. A full queue (EAGAIN, ENOBUFS) is waited out, briefly;
   * any other error (ENETDOWN, ENXIO ...) stops the burst and throws.
   */
  async announce(ifindex: number, mac: Uint8Array, addrs: (Uint8Array | string)[], opts: BurstOptions = {}): Promise<BurstResult> {
    const frames = addrs.map((a) => announcementFrame(typeof a === 'string' ? parseIP(a).addr : a, mac));
    const count = opts.count ?? 5;
    const sleep = opts.sleep ?? realSleep;
    const start = monotonicMs();
    let sent = 0, retries = 0;
    for (let round = 0; round < count; round++) {
      if (round > 0 && (opts.intervalMs ?? 0) > 0) await sleep(opts.intervalMs!);
      for (const f of frames) {
        for (let attempt = 0; ; attempt++) {
          try { this.sock.send(f, ifindex); break; } catch (e) {
            if (!(e instanceof SysError && TRANSIENT.has(e.code)) || attempt >= MAX_RETRIES) throw e;
            retries++;
            await sleep(1);
          }
        }
        sent++;
      }
    }
    return { frames: sent, elapsedMs: monotonicMs() - start, retries };
  }

  close(): void { this.sock.close(); }
}
