// Loads the C socket addon (src/native/sock.c, built by node-gyp into build/Release) and turns
// its errno-named errors into SysError. Nothing above this file touches the addon directly.
import { existsSync } from 'node:fs';
import { SysError, VipError } from '../lib/errors.js';
import { inPackage } from '../lib/package-root.js';

/** [data, source sockaddr, ttl or hop limit (-1 unknown), receiving ifindex (-1 unknown), destination address or null] */
export type RawRecv = [Buffer, Buffer, number, number, Buffer | null];
export type RecvCallback = (err: (Error & { code?: string }) | null, data?: Buffer, src?: Buffer, ttl?: number, ifindex?: number, dst?: Buffer | null) => void;

/** A running dump thread's handle (an external: opaque to JavaScript). */
export type DumpJob = object & { readonly __brand: 'DumpJob' };

export interface NativeAddon {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: number | Uint8Array): void;
  bind(fd: number, addr: Uint8Array): void;
  getsockname(fd: number): Buffer;
  sendto(fd: number, data: Uint8Array, addr: Uint8Array | null): number;
  recvNow(fd: number): RawRecv | null;
  /**
   * Sends each netlink message of reqs as its own datagram and reads its whole answer before the
   * next; the kernel's datagrams go to out back to back, res[2i], res[2i + 1] being request i's
   * range. Returns the requests answered; short of all, res[2n] is why (0: out full, call again
   * with the rest; else an errno number); res[2n + 1] counts datagrams from other senders; res[2n + 2]
   * is 1 when a dump was left unread. slot: bytes per read, 0 for page-sized ones (see sock.c).
   */
  netlinkDumps(fd: number, reqs: Uint8Array, out: Uint8Array, res: Int32Array, slot: number): number;
  /**
   * The same dumps in a thread of the addon's own, into `size` bytes it owns (dumps.c): one at a
   * time per addon. Take waits until `upto` are answered (or the thread has finished: then fewer),
   * copying each new answer into out at its offset and its range into res; End stops and joins the
   * thread and fills res as netlinkDumps does. Closing the socket ends the job: Take then gives -1
   * and End false. Absent from builds before it.
   */
  netlinkDumpsStart?(fd: number, reqs: Uint8Array, slot: number, size: number): DumpJob;
  netlinkDumpsTake?(job: DumpJob, upto: number, out: Uint8Array, res: Int32Array): number;
  netlinkDumpsEnd?(job: DumpJob, res: Int32Array): boolean;
  startReceive(fd: number, cb: RecvCallback): void;
  stopReceive(fd: number): void;
  ref(fd: number, on: boolean): void;
  close(fd: number): void;
  /**
   * Batch receive: each wake-up reads up to data.length / slot datagrams with one recvmmsg into
   * this memory and calls cb(err, count) once; see BatchLayout. The memory is reused by the next
   * batch, so the callback copies what it keeps.
   */
  startReceiveBatch(fd: number, data: Buffer, meta: Int32Array, addrs: Buffer, slot: number, cb: (err: (Error & { code?: string }) | null, count?: number) => void): void;
  /** bpf(BPF_MAP_CREATE) -> fd (closed with close()). */
  bpfMapCreate(type: number, keySize: number, valueSize: number, maxEntries: number): number;
  /** bpf(BPF_PROG_LOAD) -> fd; a refused program throws with the verifier's log in the message. */
  bpfProgLoad(type: number, insns: Uint8Array, license: string): number;
  /** bpf(BPF_MAP_LOOKUP_ELEM): fills `value`, false when the key does not exist. */
  bpfMapLookup(fd: number, key: Uint8Array, value: Uint8Array): boolean;
  /** bpf(BPF_MAP_UPDATE_ELEM, BPF_ANY). */
  bpfMapUpdate(fd: number, key: Uint8Array, value: Uint8Array): void;
  /** bpf(BPF_MAP_DELETE_ELEM): false when the key did not exist. */
  bpfMapDelete(fd: number, key: Uint8Array): boolean;
  /** Sends packets[i] to sockaddrs[i] firstNs from now and every intervalNs after (a timerfd); returns an id. */
  repeatStart(fd: number, packets: Uint8Array[], sockaddrs: Uint8Array[], firstNs: number, intervalNs: number,
    cb: (err: Error & { code?: string }, errors: number) => void): number;
  /** [sent, errors] so far, or null when the id is not running. */
  repeatCounts(id: number): [number, number] | null;
  /** Stops; the final [sent, errors], or null when the id was not running. */
  repeatStop(id: number): [number, number] | null;
  /** The event loop is alive: repeats may send for leaseNs from now (none sends without a lease). */
  repeatLease(leaseNs: number): void;
  /** A deadline inNs from now, moved to stamp + quietNs by the u64 stamp at `key` of BPF map mapFd; cb once, earlyNs before it. mapFd -1: a one-shot timer. */
  quietStart(mapFd: number, key: number, inNs: number, quietNs: number, earlyNs: number, cb: () => void): number;
  /** Whether the watch was still running. */
  quietStop(id: number): boolean;
  /** cb(err, events) each time fd is ready for any of `events` (constants UV_READABLE, UV_WRITABLE, UV_DISCONNECT); again to change them; stopReceive/close ends it. */
  pollReady(fd: number, events: number, cb: (err: (Error & { code?: string }) | null, events: number) => void): void;
  listen(fd: number, backlog: number): void;
  /** A waiting connection's fd (this addon's, nonblocking), or -1 when none. */
  accept(fd: number): number;
  /** 0 connected, 1 not yet (in progress, or a Unix listener's backlog full); errors throw. */
  connect(fd: number, addr: Uint8Array): number;
  /** Bytes read into buf, 0 at the end of the stream, -1 when nothing is waiting. */
  read(fd: number, buf: Uint8Array): number;
  /** Bytes of buf from offset written, -1 when the socket's buffer is full. */
  write(fd: number, buf: Uint8Array, offset: number): number;
  shutdownWrite(fd: number): void;
  /** [pid, uid, gid] of the peer of a connected Unix socket (SO_PEERCRED); any fd. */
  getsockoptPeerCred(fd: number): [number, number, number];
  constants: Record<string, number>;
}

/**
 * One addon per process, whichever copy of this module loads it (the CommonJS bundles and the ES
 * chunks each carry one): process.dlopen runs the addon's init again at every call, and each
 * init has a table of the sockets it opened (sock.c), which the other would not know.
 */
const ADDON = Symbol.for('vipkeeper.native-addon');
/** This copy's handle on it: native() is called at every send, so the global is read once. */
let loaded: NativeAddon | undefined;

/** The addon, loaded on first use; a missing build is a VipError that says how to build it. */
export function native(): NativeAddon {
  if (loaded) return loaded;
  const g = globalThis as { [ADDON]?: NativeAddon };
  if (g[ADDON]) return (loaded = g[ADDON]);
  const candidates = [inPackage('build', 'Release', 'vipkeeper_sock.node'), inPackage('build', 'Debug', 'vipkeeper_sock.node')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new VipError('native-missing', `native socket addon not built (looked for ${candidates[0]}); run "npx node-gyp rebuild" (needs python3, make, g++)`);
  // process.dlopen rather than require(): the loader's resolution of a path we already know costs
  // `ipvs list` 10-20 ms under the kernel VM's emulated CPU (bench/README.md, IPVS, ninth pass).
  const m = { exports: {} as NativeAddon };
  process.dlopen(m, file);
  return (loaded = g[ADDON] = m.exports);
}

/** Socket-related constants, straight from the C headers the addon was built against. */
export function K(name: string): number {
  const v = native().constants[name];
  if (v === undefined) throw new Error(`native constant ${name} is not exported by the addon`);
  return v;
}

/**
 * Converts an addon error (code = errno name) into a SysError naming the operation. The addon's
 * argument errors (TypeError, EINVAL) keep their text: it says which argument was wrong.
 */
export function toSysError(op: string, e: unknown, context: Record<string, unknown> = {}): Error {
  const err = e as { code?: unknown; message?: string };
  if (typeof err?.code === 'string' && /^E[A-Z0-9]+$/.test(err.code)) return new SysError(op, err.code, e instanceof TypeError ? err.message : undefined, context);
  return e instanceof Error ? e : new Error(String(e));
}

/** Runs one addon call, rethrowing its error as a SysError for `op`. */
export function sys<T>(op: string, fn: () => T, context: Record<string, unknown> = {}): T {
  try { return fn(); } catch (e) { throw toSysError(op, e, context); }
}

/** Who is at the other end of a connected Unix socket (the control socket's access check). */
export function peerCredentials(fd: number): { pid: number; uid: number; gid: number } {
  const [pid, uid, gid] = sys('getsockopt(SO_PEERCRED)', () => native().getsockoptPeerCred(fd), { fd });
  return { pid, uid, gid };
}
