// Sends and receives VRRP messages (IP protocol 112) on one interface for one address family.
// The kernel builds the IP header; the port carries the VRRP payload plus the facts validation
// needs from the IP layer (source, destination, TTL or hop limit).
import type { ChecksumMode, VrrpVersion } from '../codec/vrrp.js';
import type { ReceivedPacket } from '../vrrp/validate.js';

/** One received VRRP message with its IP-layer facts: the packet validate.ts checks. */
export type VrrpDatagram = ReceivedPacket;

export interface VrrpTransport {
  /** Sends one VRRP message to dst (the multicast group or a unicast peer) with TTL 255. */
  send(payload: Uint8Array, dst: Uint8Array): void;
  /** Registers the receive callback; datagrams arrive one by one as the event loop sees them. */
  onReceive(fn: (d: VrrpDatagram) => void): void;
  /** Returns datagrams already queued in the socket without waiting (RFC 5798 §6.4.2 timing). */
  drain(): VrrpDatagram[];
  close(): void;
  /**
   * Packets of this VRID a kernel filter dropped since open (they never reach onReceive), by the
   * drop reason validation would have given; readable after close. Absent: no kernel filter.
   */
  kernelDrops?(): Readonly<Record<string, number>>;
  /** The instance's checksum form changed in place (reload): a kernel filter checks the new one. */
  setChecksumMode?(mode: ChecksumMode | 'either' | undefined): void;
  /**
   * Sends payloads[i] to dsts[i] every intervalMs, the first in firstInMs, on an absolute
   * schedule (missed slots skipped) with no JavaScript per send, until the handle stops or the
   * transport closes: a stable master's advertisements. onError hears the 1st failure and every
   * 100th. Absent: the instance sends each advertisement from its own timer.
   */
  repeat?(payloads: Uint8Array[], dsts: Uint8Array[], firstInMs: number, intervalMs: number, onError: (e: Error) => void): RepeatHandle;
  /**
   * A backup's fast path: byte-identical copies of `ref` (an advert the instance validated:
   * payload, source, destination and TTL) are dropped before they reach onReceive, and counted
   * (duplicates()). undefined stops it. A transport that cannot may ignore it.
   */
  dedupe?(ref: VrrpDatagram | undefined): void;
  /** Copies of the reference dropped since open, and how long ago (ms) the last one arrived. */
  duplicates?(): { count: number; lastAgoMs: number | undefined };
  /**
   * With a reference set: onDue runs once, earlyMs before a deadline inMs from now that each copy
   * dropped meanwhile moves to its arrival + quietMs (a backup's Master_Down timer, with no wake-up
   * per copy). undefined: the transport cannot, the caller keeps its own timer.
   */
  watchQuiet?(inMs: number, quietMs: number, earlyMs: number, onDue: () => void): { stop(): void } | undefined;
}

/** A running VrrpTransport.repeat. After stop, counts stay at their final value. */
export interface RepeatHandle {
  counts(): { sent: number; errors: number };
  stop(): { sent: number; errors: number };
}

export interface VrrpTransportOptions {
  ifname: string;
  family: 4 | 6;
  /** Source address for sends (unicast_src_ip, or the interface primary / link-local). */
  src?: Uint8Array;
  /** The VRID this transport serves: a shared socket hands each instance only its own packets. */
  vrid: number;
  /** The multicast group to join (vrrp_mcast_group4/6); undefined in unicast mode. */
  group?: Uint8Array;
  /** The instance's VRRP version: lets a kernel filter check version, type and checksum too. */
  version?: VrrpVersion;
  /** v3 over IPv4: the checksum form validation accepts (receiveConfig().checksumMode). */
  checksumMode?: ChecksumMode | 'either';
  /**
   * VRRPv2 with IPsec AH (IPv4 only): IP protocol 51, and whole IPv4 packets both ways. send()
   * takes the packet with its header (the ICV covers it), a datagram's payload is the packet as
   * received, header included (src, dst and ttl are still filled in from it).
   */
  ah?: boolean;
}

/** Opens transports; several instances on one interface share the real socket underneath. */
export interface VrrpTransportFactory {
  open(opts: VrrpTransportOptions): VrrpTransport;
}
