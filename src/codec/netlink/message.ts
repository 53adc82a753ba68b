// Netlink message framing (netlink(7)): a 16-byte header in host byte order, payloads padded
// to 4 bytes, several messages per datagram. Pure: bytes in, values out.
import { ByteReader, ByteWriter } from '../../lib/bytes.js';
import { decodeAttrs, type AttrTable } from './attrs.js';

/** Netlink is host-endian; every multi-byte field outside network-order attributes uses this. */
export const HOST_LE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export const NLM_F = {
  REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8, DUMP_INTR: 0x10, DUMP_FILTERED: 0x20,
  ROOT: 0x100, MATCH: 0x200, ATOMIC: 0x400, DUMP: 0x300,
  REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800,
  CAPPED: 0x100, ACK_TLVS: 0x200,
} as const;

export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;
export const NLMSG_HDRLEN = 16;

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}

export function encodeMessage(m: NetlinkMessage): Buffer {
  const w = new ByteWriter(NLMSG_HDRLEN + m.payload.length + 4);
  w.u32(NLMSG_HDRLEN + m.payload.length, HOST_LE).u16(m.type, HOST_LE).u16(m.flags, HOST_LE)
    .u32(m.seq, HOST_LE).u32(m.pid, HOST_LE).bytes(m.payload).align(4);
  return w.finish();
}

/**
 * Messages of one type numbered first, first + 1, ... back to back in one buffer, each as
 * encodeMessage writes it (pid 0, zero padding); at[i]: where message i starts (at[count]: the end). The
 * headers go through one DataView: a listing writes 1,000 and a table's programming 11,000, and
 * Buffer's write methods are a JavaScript call each, slow as cold code under the kernel VM's
 * emulated CPU (bench/README.md, IPVS, eighth pass).
 */
export function encodeMessageRun(type: number, payloads: readonly Uint8Array[], first: number, flagsOf: (i: number) => number): { buf: Buffer; at: Int32Array } {
  const count = payloads.length;
  const at = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) at[i + 1] = at[i]! + NLMSG_HDRLEN + ((payloads[i]!.length + 3) & ~3);
  const buf = Buffer.alloc(at[count]!);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  for (let i = 0; i < count; i++) {
    const o = at[i]!, p = payloads[i]!;
    v.setUint32(o, NLMSG_HDRLEN + p.length, HOST_LE);
    v.setUint16(o + 4, type, HOST_LE);
    v.setUint16(o + 6, flagsOf(i), HOST_LE);
    v.setUint32(o + 8, (first + i) >>> 0, HOST_LE);
    buf.set(p, o + NLMSG_HDRLEN);
  }
  return { buf, at };
}

/** Splits one datagram into its messages; a truncated trailing message is an error. */
export function decodeMessages(buf: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const r = new ByteReader(buf);
  while (r.remaining >= NLMSG_HDRLEN) {
    const start = r.pos;
    const len = r.u32(HOST_LE);
    if (len < NLMSG_HDRLEN || start + len > buf.length) throw new Error(`netlink: bad message length ${len} at ${start}`);
    const type = r.u16(HOST_LE), flags = r.u16(HOST_LE), seq = r.u32(HOST_LE), pid = r.u32(HOST_LE);
    out.push({ type, flags, seq, pid, payload: buf.subarray(start + NLMSG_HDRLEN, start + len) });
    r.pos = start + ((len + 3) & ~3);
    if (r.pos > buf.length) r.pos = buf.length;
  }
  return out;
}

const NLMSGERR_ATTRS: AttrTable = {
  msg: { id: 1, type: 'string' },
  offset: { id: 2, type: 'u32' },
  cookie: { id: 3, type: 'bytes' },
  policy: { id: 4, type: 'bytes' },
  missingType: { id: 5, type: 'u32' },
  missingNest: { id: 6, type: 'u32' },
};

export interface NetlinkAck {
  /** 0 for an ACK, otherwise a positive errno number. */
  errno: number;
  /** The request header the kernel echoes back. */
  requestType: number;
  requestSeq: number;
  /** Extended ack text (NLMSGERR_ATTR_MSG), when the kernel gives one. */
  message?: string;
  offset?: number;
}

/** Decodes an NLMSG_ERROR payload: struct nlmsgerr followed, with ACK_TLVS, by extended-ack attributes. */
export function decodeAck(m: NetlinkMessage): NetlinkAck {
  const r = new ByteReader(m.payload);
  const err = r.u32(HOST_LE) | 0;
  const hdrStart = r.pos;
  const origLen = r.u32(HOST_LE);
  const requestType = r.u16(HOST_LE);
  r.u16(HOST_LE);
  const requestSeq = r.u32(HOST_LE);
  const ack: NetlinkAck = { errno: -err, requestType, requestSeq };
  if (m.flags & NLM_F.ACK_TLVS) {
    // Without CAPPED the whole original request is echoed before the TLVs.
    const skip = m.flags & NLM_F.CAPPED ? NLMSG_HDRLEN : ((origLen + 3) & ~3);
    const tlvs = m.payload.subarray(hdrStart + skip);
    const a = decodeAttrs(NLMSGERR_ATTRS, tlvs);
    if (typeof a.msg === 'string') ack.message = a.msg;
    if (typeof a.offset === 'number') ack.offset = a.offset;
  }
  return ack;
}
