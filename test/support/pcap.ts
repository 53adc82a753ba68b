// A small pure reader for classic pcap files (link type Ethernet) that extracts IPv4 and IPv6
// packets: enough to use captures from tcpdump as golden vectors. Not pcapng.
import { ByteReader } from '../../src/lib/bytes.js';

export interface PcapRecord {
  /** Capture time in microseconds since the epoch. */
  tsUs: number;
  /** The frame bytes as captured. */
  data: Uint8Array;
}

export interface EthernetFrame {
  dst: Uint8Array;
  src: Uint8Array;
  /** EtherType after any 802.1Q tags. */
  etherType: number;
  payload: Uint8Array;
}

export interface IpPacket {
  family: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number;
  /** IPv4 protocol or the IPv6 next header after the fixed header (no extension headers followed). */
  protocol: number;
  /** The IP payload, cut to the length the IP header declares (Ethernet padding removed). */
  payload: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;

/** Reads every record of a classic pcap file (either byte order, µs or ns timestamps). */
export function readPcap(file: Uint8Array): PcapRecord[] {
  const r = new ByteReader(file);
  const magic = r.u32(false);
  let le: boolean, nano: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) { le = false; nano = magic === 0xa1b23c4d; }
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) { le = true; nano = magic === 0x4d3cb2a1; }
  else throw new Error(`not a classic pcap file (magic ${magic.toString(16)})`);
  r.skip(2 + 2 + 4 + 4 + 4); // version, thiszone, sigfigs, snaplen
  const linkType = r.u32(le);
  if (linkType !== LINKTYPE_ETHERNET) throw new Error(`unsupported pcap link type ${linkType}`);
  const out: PcapRecord[] = [];
  while (r.remaining >= 16) {
    const sec = r.u32(le), frac = r.u32(le), incl = r.u32(le);
    r.u32(le); // original length
    out.push({ tsUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac), data: r.bytes(incl) });
  }
  return out;
}

export function parseEthernet(frame: Uint8Array): EthernetFrame | undefined {
  if (frame.length < 14) return undefined;
  let off = 12;
  let etherType = (frame[off]! << 8) | frame[off + 1]!;
  while ((etherType === 0x8100 || etherType === 0x88a8) && frame.length >= off + 6) {
    off += 4;
    etherType = (frame[off]! << 8) | frame[off + 1]!;
  }
  return { dst: frame.subarray(0, 6), src: frame.subarray(6, 12), etherType, payload: frame.subarray(off + 2) };
}

export function parseIp(etherType: number, b: Uint8Array): IpPacket | undefined {
  if (etherType === 0x0800 && b.length >= 20 && b[0]! >> 4 === 4) {
    const ihl = (b[0]! & 0xf) * 4;
    const total = (b[2]! << 8) | b[3]!;
    if (ihl < 20 || total < ihl || total > b.length) return undefined;
    return { family: 4, ttl: b[8]!, protocol: b[9]!, src: b.subarray(12, 16), dst: b.subarray(16, 20), payload: b.subarray(ihl, total) };
  }
  if (etherType === 0x86dd && b.length >= 40 && b[0]! >> 4 === 6) {
    const plen = (b[4]! << 8) | b[5]!;
    if (40 + plen > b.length) return undefined;
    return { family: 6, ttl: b[7]!, protocol: b[6]!, src: b.subarray(8, 24), dst: b.subarray(24, 40), payload: b.subarray(40, 40 + plen) };
  }
  return undefined;
}

/** Every IP packet of a capture (frames that are not IP are skipped), in capture order. */
export function ipPackets(file: Uint8Array): (IpPacket & { tsUs: number })[] {
  const out: (IpPacket & { tsUs: number })[] = [];
  for (const rec of readPcap(file)) {
    const eth = parseEthernet(rec.data);
    const ip = eth && parseIp(eth.etherType, eth.payload);
    if (ip) out.push({ ...ip, tsUs: rec.tsUs });
  }
  return out;
}
