// Process events connector (linux/connector.h, linux/cn_proc.h): the kernel multicasts one
// cn_msg per process fork/exec/comm change/exit to NETLINK_CONNECTOR group CN_IDX_PROC, once a
// listener has sent PROC_CN_MCAST_LISTEN. Pure: bytes in, events out. Everything is host order.
import { ByteReader, ByteWriter } from '../lib/bytes.js';
import { HOST_LE, NLMSG, encodeMessage } from './netlink/message.js';

export const NETLINK_CONNECTOR = 11;
export const CN_IDX_PROC = 1, CN_VAL_PROC = 1;
export const PROC_CN_MCAST_LISTEN = 1, PROC_CN_MCAST_IGNORE = 2;
/** struct cn_msg: cb_id {idx, val}, seq, ack, len u16, flags u16. */
export const CN_MSG_LEN = 20;

export const PROC_EVENT = {
  NONE: 0, FORK: 1, EXEC: 2, UID: 4, GID: 0x40, SID: 0x80, PTRACE: 0x100, COMM: 0x200,
  NONZERO_EXIT: 0x20000000, COREDUMP: 0x40000000, EXIT: 0x80000000,
} as const;

/** The events the tracker acts on; the other kinds are decoded as `other`. */
export type ProcEvent =
  | { kind: 'ack'; err: number }
  | { kind: 'fork'; parentPid: number; parentTgid: number; childPid: number; childTgid: number }
  | { kind: 'exec'; pid: number; tgid: number }
  | { kind: 'comm'; pid: number; tgid: number; comm: string }
  | { kind: 'exit'; pid: number; tgid: number; exitCode: number; exitSignal: number }
  | { kind: 'other'; what: number };

export interface ProcMessage { seq: number; cpu: number; event: ProcEvent }

/** The nlmsghdr + cn_msg + proc_cn_mcast_op a listener sends (nlmsg_type NLMSG_DONE, as the kernel expects). */
export function encodeMcastOp(op: typeof PROC_CN_MCAST_LISTEN | typeof PROC_CN_MCAST_IGNORE, portId = 0): Buffer {
  const payload = new ByteWriter(CN_MSG_LEN + 4)
    .u32(CN_IDX_PROC, HOST_LE).u32(CN_VAL_PROC, HOST_LE).u32(0, HOST_LE).u32(0, HOST_LE)
    .u16(4, HOST_LE).u16(0, HOST_LE).u32(op, HOST_LE).finish();
  return encodeMessage({ type: NLMSG.DONE, flags: 0, seq: 0, pid: portId, payload });
}

export type ProcDecodeError = 'short' | 'not-proc' | 'bad-length';

/**
 * One netlink message's payload (a cn_msg) -> a process event. Messages for another connector
 * (idx/val) or that are too short are refused with a reason (the caller counts them).
 */
export function decodeProcMessage(payload: Uint8Array): ProcMessage | ProcDecodeError {
  if (payload.length < CN_MSG_LEN + 16) return 'short';
  const r = new ByteReader(payload);
  const idx = r.u32(HOST_LE), val = r.u32(HOST_LE), seq = r.u32(HOST_LE);
  r.skip(4); // ack
  const len = r.u16(HOST_LE);
  r.skip(2); // flags
  if (idx !== CN_IDX_PROC || val !== CN_VAL_PROC) return 'not-proc';
  if (len < 16 || CN_MSG_LEN + len > payload.length) return 'bad-length';
  const what = r.u32(HOST_LE), cpu = r.u32(HOST_LE);
  r.skip(8); // timestamp_ns
  const data = new ByteReader(r.bytes(len - 16));
  const u = (): number => data.u32(HOST_LE);
  const s = (): number => data.u32(HOST_LE) | 0;
  try {
    switch (what) {
      case PROC_EVENT.NONE: return { seq, cpu, event: { kind: 'ack', err: u() } };
      case PROC_EVENT.FORK: return { seq, cpu, event: { kind: 'fork', parentPid: s(), parentTgid: s(), childPid: s(), childTgid: s() } };
      case PROC_EVENT.EXEC: return { seq, cpu, event: { kind: 'exec', pid: s(), tgid: s() } };
      case PROC_EVENT.COMM: {
        const pid = s(), tgid = s();
        const raw = data.bytes(16);
        const end = raw.indexOf(0);
        return { seq, cpu, event: { kind: 'comm', pid, tgid, comm: Buffer.from(raw.subarray(0, end < 0 ? 16 : end)).toString('latin1') } };
      }
      case PROC_EVENT.EXIT: return { seq, cpu, event: { kind: 'exit', pid: s(), tgid: s(), exitCode: u(), exitSignal: u() } };
      default: return { seq, cpu, event: { kind: 'other', what } };
    }
  } catch {
    return 'bad-length';
  }
}
