// One instance's advertisements on the wire. Out: from its own source address to its
// destinations, encoded once per priority, AH-sealed, sent one by one or as the transport's
// repeat. In: own and invalid ones counted and dropped, AH opened (one sequence counter for both
// directions). The instance decides when, at which priority, and what a valid advert means.
import { encodeVrrp, passAuthData, VRRP_AUTH_NONE, VRRP_AUTH_PASS, type ChecksumMode, type VrrpAdvert } from '../codec/vrrp.js';
import { VRRP_AUTH_AH } from '../codec/vrrp-ah.js';
import type { VrrpInstance } from '../config/model.js';
import { addrEqual, formatIP, parseIP } from '../lib/ip.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { VrrpDatagram, VrrpTransport } from '../ports/vrrp-transport.js';
import { AdvertRepeat } from './advert-repeat.js';
import { AhSession } from './ah-session.js';
import { DROP_REASONS, validateAdvert, type DropReason, type ReceiveConfig } from './validate.js';
import { errFields } from './vips.js';

/** Packets in (by drop reason) and out. */
export type WireCounters = Record<DropReason | 'own' | 'send-error', number> & { received: number; sent: number };

export const wireCounters = (): WireCounters => ({
  ...Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>, own: 0, 'send-error': 0, received: 0, sent: 0,
});

export interface AdvertWireDeps {
  clock: Clock;
  logger: Logger;
  /** Undefined while the source address is not usable yet (Instance.attach()). */
  transport(): VrrpTransport | undefined;
  /** The configuration in force (replaced by a reload). */
  spec(): VrrpInstance;
  /** The machine's advertisement interval (centiseconds). */
  intervalCs(): number;
  /** The instance's counters: what is sent or dropped here, and sent by the repeat, counts there. */
  counters: WireCounters;
}

export class AdvertWire {
  private srcAddr: Uint8Array;
  private dsts: Uint8Array[];
  private advertCache = new Map<number, Buffer[]>();
  /** auth_type AH: the sequence counter and IPv4 ids; adverts are sealed into IPv4 packets. */
  readonly ah: AhSession | undefined;
  /** A master's advertisements sent by the transport's repeat instead of the advert timer. */
  readonly repeat = new AdvertRepeat();

  /** `srcAddr` absent: not usable yet, the unspecified address until setSource(). */
  constructor(spec: VrrpInstance, srcAddr: string | undefined, destinations: string[], private readonly d: AdvertWireDeps) {
    // What the repeat sent (or failed to send) counts as sent by this instance, read when read.
    let sent = 0, failed = 0;
    Object.defineProperty(d.counters, 'sent', { enumerable: true, get: () => sent + this.repeat.sent, set: (v: number) => { sent = v - this.repeat.sent; } });
    Object.defineProperty(d.counters, 'send-error', { enumerable: true, get: () => failed + this.repeat.errors, set: (v: number) => { failed = v - this.repeat.errors; } });
    this.srcAddr = srcAddr ? parseIP(srcAddr).addr : new Uint8Array(spec.family === 4 ? 4 : 16);
    this.dsts = destinations.map((dst) => parseIP(dst).addr);
    if (spec.authType === 'AH' && spec.authPass !== undefined) this.ah = new AhSession(spec.authPass, spec.unicastPeers.length > 0);
  }

  /** Own source address (unicast_src_ip, or the interface's primary / link-local address). */
  get src(): Uint8Array { return this.srcAddr; }

  /** The source address became usable. */
  setSource(srcAddr: string): void {
    this.srcAddr = parseIP(srcAddr).addr;
    this.advertCache.clear();
  }

  /** A reload's destinations (and anything else in the messages) apply from the next advert. */
  setDestinations(destinations: string[]): void {
    this.dsts = destinations.map((dst) => parseIP(dst).addr);
    this.advertCache.clear();
  }

  send(priority: number): void {
    const pkts = this.packets(priority);
    for (let i = 0; i < pkts.length; i++) {
      // AH: the cached VRRP message goes out in an IPv4 packet with the next sequence number.
      const pkt = this.ah ? this.ah.seal(pkts[i]!, this.srcAddr, this.dsts[i]!) : pkts[i]!;
      try { this.d.transport()!.send(pkt, this.dsts[i]!); this.d.counters.sent++; } catch (e) {
        if (this.d.counters['send-error']++ % 100 === 0) this.d.logger.warn(errFields(e), 'sending an advertisement failed');
      }
    }
  }

  /** The advert timer of a master as the transport's repeat; false: the caller arms a timer. */
  startRepeat(at: number, master: boolean, priority: number): boolean {
    if (this.ah || !master) { this.repeat.stop(); return false; }
    return this.repeat.start(this.d.transport(), this.packets(priority), this.dsts, at, this.d.clock.now(),
      this.d.intervalCs() * 10, (e) => this.d.logger.warn(errFields(e), 'sending an advertisement failed'));
  }

  /** A running repeat whose bytes or interval are no longer the current ones restarts at its next slot. */
  followRepeat(master: boolean, priority: number): void {
    if (this.repeat.running && !this.repeat.sends(this.packets(priority), this.d.intervalCs() * 10)) {
      this.startRepeat(this.repeat.nextSlot(this.d.clock.now()), master, priority);
    }
  }

  /** A received datagram: counted; own and invalid ones dropped (counted by reason), else its advert. */
  open(rx: ReceiveConfig, datagram: VrrpDatagram): VrrpAdvert | undefined {
    this.d.counters.received++;
    if (addrEqual(datagram.src, this.srcAddr)) { this.d.counters.own++; return undefined; }
    const v = this.ah ? this.ah.open(rx, datagram) : validateAdvert(rx, datagram);
    if (!v.ok) {
      this.d.counters[v.reason]++;
      this.d.logger.debug({ drop: v.reason, src: formatIP(datagram.src) }, 'advertisement dropped');
      return undefined;
    }
    return v.advert;
  }

  /** Packets the transport's kernel filter dropped for this instance, by reason (never seen by open()). */
  kernelDrops(): Readonly<Record<string, number>> {
    const t = this.d.transport();
    // Copies of the reference advert are received packets too (status adds every entry to `received`).
    return { ...t?.kernelDrops?.(), ...(t?.duplicates ? { duplicate: t.duplicates().count } : {}) };
  }

  private packets(priority: number): Buffer[] {
    let pkts = this.advertCache.get(priority);
    if (!pkts) {
      pkts = this.dsts.map((dst) => this.encode(priority, dst));
      this.advertCache.set(priority, pkts);
    }
    return pkts;
  }

  private encode(priority: number, dst: Uint8Array): Buffer {
    const s = this.d.spec();
    const mode: ChecksumMode = s.v3ChecksumAsV2 ? 'plain' : 'pseudo-header';
    const addresses = s.virtualIps.filter((v) => v.family === s.family).map((v) => parseIP(v.address).addr);
    const pass = s.version === 2 && s.authPass !== undefined;
    return encodeVrrp({
      version: s.version, vrid: s.vrid, priority, addresses,
      interval: s.version === 2 ? Math.round(s.advertIntervalMs / 1000) : this.d.intervalCs(),
      // AH leaves the message's auth data zero: the ICV in the AH header authenticates it.
      authType: pass ? (this.ah ? VRRP_AUTH_AH : VRRP_AUTH_PASS) : VRRP_AUTH_NONE,
      ...(pass && !this.ah ? { authData: passAuthData(s.authPass!) } : {}),
    }, { src: this.srcAddr, dst, mode });
  }
}
