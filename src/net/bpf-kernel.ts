// eBPF objects in the kernel through the addon: maps with u32 keys, and socket-filter programs.
// Creating them needs CAP_BPF (or CAP_SYS_ADMIN); callers treat a failure as "no filter".
import { SysError } from '../lib/errors.js';
import { K, native, sys } from './native.js';

/** A map with u32 keys: an array (entries preallocated, zeroed) or a hash. */
export class BpfMap {
  private closed = false;
  private key = Buffer.alloc(4);
  private value: Buffer;

  private constructor(readonly fd: number, readonly valueSize: number, readonly entries: number) { this.value = Buffer.alloc(valueSize); }

  static create(type: 'array' | 'hash', valueSize: number, entries: number): BpfMap {
    const t = K(type === 'array' ? 'BPF_MAP_TYPE_ARRAY' : 'BPF_MAP_TYPE_HASH');
    const fd = sys('bpf(BPF_MAP_CREATE)', () => native().bpfMapCreate(t, 4, valueSize, entries));
    return new BpfMap(fd, valueSize, entries);
  }

  /** The value at `key` (a view, valid until the next call), or undefined. */
  lookup(key: number): Buffer | undefined {
    if (this.closed) return undefined;
    this.key.writeUInt32LE(key >>> 0, 0);
    return sys('bpf(BPF_MAP_LOOKUP_ELEM)', () => native().bpfMapLookup(this.fd, this.key, this.value)) ? this.value : undefined;
  }

  /** A u64 counter at `key` (0 when absent). Packet counts stay far below 2^53. */
  counter(key: number): number {
    const v = this.lookup(key);
    return v ? Number(v.readBigUInt64LE(0)) : 0;
  }

  update(key: number, value: Uint8Array): void {
    this.key.writeUInt32LE(key >>> 0, 0);
    sys('bpf(BPF_MAP_UPDATE_ELEM)', () => native().bpfMapUpdate(this.fd, this.key, value));
  }

  delete(key: number): void {
    if (this.closed) return;
    this.key.writeUInt32LE(key >>> 0, 0);
    sys('bpf(BPF_MAP_DELETE_ELEM)', () => native().bpfMapDelete(this.fd, this.key));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { native().close(this.fd); } catch { /* already gone */ }
  }
}

/** Loads a socket-filter program; returns its fd (attach with RawSocket.attachBpf, then close it). */
export function loadSocketFilter(insns: Uint8Array): number {
  const type = K('BPF_PROG_TYPE_SOCKET_FILTER');
  try { return native().bpfProgLoad(type, insns, 'MIT'); } catch (e) {
    const err = e as { code?: unknown; message?: string };
    // Keep the verifier's explanation: it is the only clue to a refused program.
    if (typeof err.code === 'string' && /^E[A-Z0-9]+$/.test(err.code)) {
      const why = /\(verifier: ([\s\S]*)\)$/.exec(err.message ?? '')?.[1]?.trim();
      throw new SysError('bpf(BPF_PROG_LOAD)', err.code, why ? `verifier: ${why}` : undefined);
    }
    throw e;
  }
}

export function closeBpfFd(fd: number): void {
  try { native().close(fd); } catch { /* already gone */ }
}
