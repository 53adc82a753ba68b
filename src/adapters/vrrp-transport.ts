// VRRP transport over raw IP sockets (protocol 112). One socket per interface, family and source
// is shared by the instances on it; received packets are handed to the instance of their VRID, so
// 50 instances cost one socket read per packet, not 50. drain() empties the whole socket and
// hands other instances their packets on the way.
//
// Flood cost: an eBPF filter (src/net/vrrp-filter.ts) drops in the kernel, counting by reason,
// what validation would drop before looking at the configuration beyond version and checksum form
// (length, TTL, version, type, checksum, foreign VRID), so such a flood never wakes the daemon.
// Those counts are the transport's kernelDrops(), which the instance adds to its own; what passes
// is validated and counted by the instance as before, so every packet is counted exactly once.
// What does reach user space is read a batch per wake-up (recvmmsg, one JS call), and a packet for
// no VRID served here is counted without allocating anything. Without the privilege to load eBPF
// (CAP_BPF), or with VIPKEEPER_VRRP_FILTER=off, user space checks everything, with the same counts.
import type { ChecksumMode, VrrpVersion } from '../codec/vrrp.js';
import { formatIP, isMulticast } from '../lib/ip.js';
import { BpfMap, closeBpfFd, loadSocketFilter } from '../net/bpf-kernel.js';
import { RawSocket, type Datagram } from '../net/raw-socket.js';
import type { SendRepeat } from '../net/send-repeat.js';
import { QuietWatch } from '../net/quiet-watch.js';
import type { RecvBatch } from '../net/recv-batch.js';
import {
  type FilterVrid, CONFIG_SIZE, COUNTER_ENTRIES, counterKey, DUP_SLOT, encodeVridConfig, FOREIGN_KEY, KERNEL_REASONS, referable, SEEN_SLOT, slotKey, vrrpFilter,
  type KernelReason,
} from '../net/vrrp-filter.js';
import type { Logger } from '../ports/logger.js';
import type { RepeatHandle, VrrpDatagram, VrrpTransport, VrrpTransportFactory, VrrpTransportOptions } from '../ports/vrrp-transport.js';

const IPPROTO_VRRP = 112;
const TOS_INTERNETWORK_CONTROL = 0xc0;

/**
 * The port's options plus what lets the kernel filter check more than length, TTL and VRID: the
 * instance's version (then also version and type) and, for v3 over IPv4, its checksum form (then
 * also the checksum; v2 and IPv6 need no form). Without them those checks stay in user space.
 */
export type RawVrrpTransportOptions = VrrpTransportOptions & { version?: VrrpVersion; checksumMode?: ChecksumMode | 'either' };

export type KernelDrops = Record<KernelReason, number>;

class SharedSocket {
  readonly byVrid = new Map<number, RawTransport>();
  readonly groups = new Set<string>();
  private userUnknown = 0;
  /** The kernel filter's maps (VRID -> config, counters); undefined when no filter is attached. */
  private filter: { config: BpfMap | undefined; counters: BpfMap } | undefined;

  constructor(readonly sock: RawSocket, readonly family: 4 | 6, private log: Logger, filterOn: boolean) {
    if (filterOn) this.attachFilter();
    sock.onBatch((b, i) => this.dispatchBatch(b, i), (e) => log.warn({ err: e.message }, 'VRRP socket receive error'));
  }

  /**
   * Loads the filter once per socket; instances come and go as config map entries. A failure (no
   * CAP_BPF, an old kernel) leaves the socket unfiltered: user space then checks every packet.
   */
  private attachFilter(): void {
    let config: BpfMap | undefined, counters: BpfMap | undefined, prog: number | undefined;
    try {
      config = BpfMap.create('hash', CONFIG_SIZE, 256);
      counters = BpfMap.create('array', 8, COUNTER_ENTRIES);
      try { prog = loadSocketFilter(vrrpFilter(this.family, config.fd, counters.fd)); } catch (e) {
        // CAP_BPF without CAP_PERFMON: the same filter without the checksum loop.
        this.log.info({ err: (e as Error).message }, 'VRRP kernel filter: checksums checked in user space');
        prog = loadSocketFilter(vrrpFilter(this.family, config.fd, counters.fd, { checksum: false }));
      }
      this.sock.attachBpf(prog);
      this.filter = { config, counters };
    } catch (e) {
      config?.close(); counters?.close();
      this.log.info({ err: (e as Error).message }, 'VRRP kernel filter unavailable: checking every packet in user space');
    } finally {
      if (prog !== undefined) closeBpfFd(prog);
    }
  }

  /** Packets for no VRID served here (or too short to name one): user space plus kernel. */
  get unknownVrid(): number { return this.userUnknown + (this.filter?.counters.counter(FOREIGN_KEY) ?? 0); }

  /** A quiet watch on one VRID's SEEN stamp; undefined without a filter. */
  watchSeen(vrid: number, inMs: number, quietMs: number, earlyMs: number, onDue: () => void): QuietWatch | undefined {
    const c = this.filter?.counters;
    return c ? QuietWatch.start(c.fd, slotKey(vrid, SEEN_SLOT), inMs, quietMs, earlyMs, onDue) : undefined;
  }

  /** Copies of one VRID's reference the filter dropped (cumulative) and the last one's CLOCK_MONOTONIC ns (0: none). */
  duplicateCounts(vrid: number): { count: number; seenNs: number } {
    const c = this.filter?.counters;
    return { count: c?.counter(slotKey(vrid, DUP_SLOT)) ?? 0, seenNs: c?.counter(slotKey(vrid, SEEN_SLOT)) ?? 0 };
  }

  /** Kernel drops of one VRID, cumulative since the socket was opened. */
  kernelCounts(vrid: number): KernelDrops {
    const out = {} as KernelDrops;
    for (const r of KERNEL_REASONS) out[r] = this.filter?.counters.counter(counterKey(vrid, r)) ?? 0;
    return out;
  }

  /**
   * Lets the filter check `t`'s packets (until then it drops and counts them as foreign VRID). A
   * hash map element is replaced whole, so the filter sees the old entry or the new, never a mix.
   */
  serve(t: RawTransport): void {
    if (!this.filter?.config) return;
    try { this.filter.config.update(t.vrid, encodeVridConfig(this.family, t.filterSpec)); } catch (e) {
      // Unfiltered from here on: packets of every VRID reach user space, which counts them all.
      this.log.warn({ err: (e as Error).message }, 'VRRP kernel filter update failed: detaching it');
      this.detach();
    }
  }

  unserve(vrid: number): void {
    try { this.filter?.config?.delete(vrid); } catch { this.detach(); }
  }

  private detach(): void {
    try { this.sock.detachBpf(); } catch { /* the socket is closing */ }
    // The counters stay readable: what the filter counted before stays counted.
    this.filter?.config?.close();
    if (this.filter) this.filter.config = undefined;
  }

  toDatagram(d: Datagram, fallbackDst: Uint8Array): VrrpDatagram {
    return { payload: d.data, src: d.src, dst: d.dst ?? fallbackDst, ttl: d.ttl ?? -1 };
  }

  /** The receive path: nothing is allocated for a packet no instance here wants. */
  private dispatchBatch(b: RecvBatch, i: number): void {
    const t = this.byVrid.get(b.payloadByte(1) ?? -1);
    if (!t) { this.userUnknown++; return; }
    t.receive(this.toDatagram(b.datagram(i), t.defaultDst));
  }

  /** drain(): hands `self` its datagrams through `out`, the others theirs through receive(). */
  dispatch(d: Datagram, self?: RawTransport, out?: VrrpDatagram[]): void {
    const vrid = d.data.length >= 2 ? d.data[1]! : -1;
    const t = this.byVrid.get(vrid);
    if (!t) { this.userUnknown++; return; }
    const vd = this.toDatagram(d, t.defaultDst);
    if (t === self && out) out.push(vd); else t.receive(vd);
  }

  close(): void { this.sock.close(); this.filter?.config?.close(); this.filter?.counters.close(); this.filter = undefined; }
}

class RawTransport implements VrrpTransport {
  private fn: ((d: VrrpDatagram) => void) | undefined;
  private base: KernelDrops | undefined;
  private final: KernelDrops | undefined;
  private dupBase = 0;
  private dupFinal: number | undefined;
  /**
   * The duplicate counts read once the filter had no reference: it drops and stamps nothing
   * without one, so later reads (a master's or a refused reference's, one per advert heard) need no
   * map lookups. Read afresh after each change of reference, not at the change itself, so that a
   * copy the kernel was counting just then is in it.
   */
  private dupIdle: { count: number; seenNs: number } | undefined;
  closed = false;

  constructor(private shared: SharedSocket, readonly vrid: number, readonly defaultDst: Uint8Array, public filterSpec: FilterVrid,
    private release: () => void) {}

  /** Called before the filter serves this VRID: counts before it belong to an earlier user of the VRID. */
  startCounting(): void { this.base = this.shared.kernelCounts(this.vrid); this.dupBase = this.shared.duplicateCounts(this.vrid).count; }

  dedupe(ref: VrrpDatagram | undefined): void {
    const { reference: _old, ...rest } = this.filterSpec;
    // A datagram carries exactly what a reference is (payload, source, destination, TTL); an unknown TTL cannot be compared.
    const usable = ref && ref.ttl >= 0 && referable(ref.payload) ? ref : undefined;
    if (!usable && !_old) return;
    this.filterSpec = usable ? { ...rest, reference: usable } : rest;
    this.dupIdle = undefined;
    if (!this.closed) this.shared.serve(this);
  }

  watchQuiet(inMs: number, quietMs: number, earlyMs: number, onDue: () => void): { stop(): void } | undefined {
    if (this.closed || !this.filterSpec.reference) return undefined;
    let w: QuietWatch | undefined;
    try { w = this.shared.watchSeen(this.vrid, inMs, quietMs, earlyMs, () => { this.watches.delete(w!); onDue(); }); } catch { return undefined; }
    if (!w) return undefined;
    this.watches.add(w);
    return { stop: () => { this.watches.delete(w!); w!.stop(); } };
  }
  private readonly watches = new Set<QuietWatch>();

  duplicates(): { count: number; lastAgoMs: number | undefined } {
    if (this.dupFinal !== undefined) return { count: this.dupFinal, lastAgoMs: undefined };
    const d = this.filterSpec.reference ? this.shared.duplicateCounts(this.vrid) : (this.dupIdle ??= this.shared.duplicateCounts(this.vrid));
    // bpf_ktime_get_ns() and process.hrtime() both read CLOCK_MONOTONIC.
    return { count: d.count - this.dupBase, lastAgoMs: d.seenNs ? Number(process.hrtime.bigint() - BigInt(d.seenNs)) / 1e6 : undefined };
  }

  send(payload: Uint8Array, dst: Uint8Array): void { this.shared.sock.send(payload, dst); }

  /** The socket is shared by every instance on the interface: close() stops this transport's repeats. */
  repeat(payloads: Uint8Array[], dsts: Uint8Array[], firstInMs: number, intervalMs: number, onError: (e: Error) => void): RepeatHandle {
    const r = this.shared.sock.repeat(payloads, dsts, firstInMs, intervalMs, onError);
    this.repeats.add(r);
    return { counts: () => r.counts(), stop: () => { this.repeats.delete(r); return r.stop(); } };
  }
  private readonly repeats = new Set<SendRepeat>();

  onReceive(fn: (d: VrrpDatagram) => void): void { this.fn = fn; }
  receive(d: VrrpDatagram): void { if (!this.closed) this.fn?.(d); }

  /**
   * Packets of this VRID the kernel filter dropped since this transport was opened, by reason (the
   * DropReason validate.ts would have given). They never reach onReceive, so the instance adds
   * them to its own counters: to `received` and to the reason's drop count.
   */
  kernelDrops(): KernelDrops {
    if (this.final) return { ...this.final };
    const now = this.shared.kernelCounts(this.vrid);
    if (this.base) for (const r of KERNEL_REASONS) now[r] -= this.base[r];
    return now;
  }

  /**
   * The instance's checksum form changed in place (a reload of v3_checksum_as_v2): the filter
   * must check the new one from the next packet, or it would drop what user space now accepts.
   */
  setChecksumMode(mode: ChecksumMode | 'either' | undefined): void {
    const { checksum: _old, ...rest } = this.filterSpec;
    this.filterSpec = mode ? { ...rest, checksum: mode } : rest;
    if (!this.closed) this.shared.serve(this);
  }

  drain(): VrrpDatagram[] {
    const out: VrrpDatagram[] = [];
    for (const d of this.shared.sock.drain()) this.shared.dispatch(d, this, out);
    return out;
  }

  close(): void {
    if (this.closed) return;
    // The counts stay readable after close (the maps go with the last transport of the socket).
    this.final = this.kernelDrops();
    this.dupFinal = this.duplicates().count;
    this.closed = true;
    for (const r of this.repeats) r.stop();
    this.repeats.clear();
    for (const w of this.watches) w.stop();
    this.watches.clear();
    this.release();
  }
}

export interface RawVrrpTransportsOptions {
  /** Attach the eBPF receive filter when the kernel allows it (default: unless VIPKEEPER_VRRP_FILTER=off). */
  kernelFilter?: boolean;
}

export class RawVrrpTransports implements VrrpTransportFactory {
  private shared = new Map<string, SharedSocket>();
  private filterOn: boolean;

  constructor(private ifindexOf: (ifname: string) => number | undefined, private log: Logger, opts: RawVrrpTransportsOptions = {}) {
    this.filterOn = opts.kernelFilter ?? process.env.VIPKEEPER_VRRP_FILTER !== 'off';
  }

  open(o: RawVrrpTransportOptions): RawTransport {
    const key = `${o.ifname}|${o.family}|${o.group ? 'mc' : formatIP(o.src!)}`;
    let s = this.shared.get(key);
    if (!s) { s = this.openShared(o); this.shared.set(key, s); }
    if (s.byVrid.has(o.vrid)) throw new Error(`VRID ${o.vrid} is already in use on ${o.ifname} (IPv${o.family})`);
    const ifindex = this.ifindexOf(o.ifname) ?? 0;
    if (o.group && !s.groups.has(formatIP(o.group))) { s.sock.joinGroup(o.group, ifindex); s.groups.add(formatIP(o.group)); }
    const sh = s;
    const spec: FilterVrid = {
      ...(o.src ? { src: o.src } : {}), ...(o.version ? { version: o.version } : {}), ...(o.checksumMode ? { checksum: o.checksumMode } : {}),
    };
    const t = new RawTransport(s, o.vrid, o.group ?? o.src ?? new Uint8Array(o.family === 4 ? 4 : 16), spec, () => {
      sh.byVrid.delete(o.vrid);
      sh.unserve(o.vrid);
      if (sh.byVrid.size === 0) { sh.close(); this.shared.delete(key); }
    });
    s.byVrid.set(o.vrid, t);
    // Base first: until the filter serves this VRID, it counts its packets as foreign.
    t.startCounting();
    s.serve(t);
    return t;
  }

  private openShared(o: VrrpTransportOptions): SharedSocket {
    const sock = RawSocket.open({ family: o.family, protocol: IPPROTO_VRRP });
    try {
      const ifindex = this.ifindexOf(o.ifname);
      if (ifindex === undefined) throw new Error(`no such interface ${o.ifname}`);
      sock.bindToDevice(o.ifname);
      sock.setTtl(255); // RFC 5798 §5.1.1.3 / RFC 3768 §5.2.3: TTL 255
      sock.setMulticastLoop(false);
      sock.setTos(TOS_INTERNETWORK_CONTROL);
      if (o.group) sock.setMulticastInterface(ifindex, o.family === 4 ? o.src : undefined);
      // Unicast: bind to the source so sends use it and only packets sent to it are read.
      else if (o.src && !isMulticast(o.src)) sock.bind(o.src, o.family === 6 ? ifindex : 0);
    } catch (e) { sock.close(); throw e; }
    return new SharedSocket(sock, o.family, this.log, this.filterOn);
  }

  /** Packets that named no VRID served on any socket, user space and kernel together. */
  unknownVridDrops(): number { let n = 0; for (const s of this.shared.values()) n += s.unknownVrid; return n; }

  close(): void { for (const s of this.shared.values()) s.close(); this.shared.clear(); }
}
