// TCP_CHECK connects through the addon's batched probe (src/native/probe.c): the addon connects,
// watches and closes the sockets itself and reports finished connects in batches, one JS call per
// wake-up with parallel arrays, instead of one native->JS callback (and one TCP handle object)
// per check. Same handshake, same FIN on close as tcp-handle.ts. Where the addon is not built (or
// predates the probe), `batchTcp()` is undefined and tcp.ts uses the bare TCP handle instead.
import { native } from '../net/native.js';
import { errnoName, type BareConnect, type BareConnection, type BareOwner } from './tcp-handle.js';

/** The addon's probe functions (src/native/probe.c). */
export interface ProbeAddon {
  probeOpen(ids: Int32Array, errs: Int32Array, cb: (count: number) => void): unknown;
  /** 0: pending (reported later); else the errno of a connect that failed at once. */
  probeConnect(p: unknown, id: number, family: 4 | 6, address: string, port: number): number;
  probeAbort(p: unknown, id: number): boolean;
  probePending(p: unknown): number;
  probeClose(p: unknown): void;
}

/** Results per JS call; more finished connects wait for the next call in the same wake-up. */
const BATCH = 1024;

class Pending implements BareConnection {
  done = false;
  constructor(readonly batch: ConnectBatch, readonly id: number, readonly owner: BareOwner) {}
  close(): void {
    if (this.done) return;
    this.done = true;
    this.batch.abort(this.id);
  }
}

/** One prober: a slot per pending connect, slots reused. */
export class ConnectBatch {
  private readonly ids = new Int32Array(BATCH);
  private readonly errs = new Int32Array(BATCH);
  private readonly slots: (Pending | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly handle: unknown;

  constructor(private readonly addon: ProbeAddon) {
    this.handle = addon.probeOpen(this.ids, this.errs, (n) => this.finished(n));
  }

  /** A pending connection, or the errno name of a connect that failed at once (never thrown). */
  connect(address: string, family: 4 | 6, port: number, owner: BareOwner): BareConnection | string {
    const id = this.free.length > 0 ? this.free.pop()! : this.slots.length;
    let err: number;
    try {
      err = this.addon.probeConnect(this.handle, id, family, address, port);
    } catch (e) {
      if (id < this.slots.length) this.free.push(id);
      return (e as { code?: string }).code ?? 'EINVAL';
    }
    if (err !== 0) {
      if (id < this.slots.length) this.free.push(id);
      return errnoName(-err);
    }
    const p = new Pending(this, id, owner);
    this.slots[id] = p;
    return p;
  }

  /** Connects the addon still watches (tests; 0 once closed). */
  pending(): number { return this.addon.probePending(this.handle); }

  /** Closes every pending socket; their owners hear nothing more. */
  close(): void {
    this.addon.probeClose(this.handle);
    for (const p of this.slots) if (p) p.done = true;
    this.slots.length = 0;
    this.free.length = 0;
  }

  abort(id: number): void {
    this.slots[id] = undefined;
    this.addon.probeAbort(this.handle, id);
    this.free.push(id);
  }

  private finished(n: number): void {
    let failure: unknown;
    for (let i = 0; i < n; i++) {
      const id = this.ids[i]!;
      const p = this.slots[id];
      if (p === undefined) continue;
      this.slots[id] = undefined;
      this.free.push(id);
      p.done = true;
      const e = this.errs[i]!;
      // An owner that throws (a bug) must not cost the rest of the batch its results; its error
      // is thrown afterwards, uncaught, as it would be from node's own connect callback.
      try { p.owner.connected(e === 0 ? undefined : errnoName(-e)); } catch (err) { failure ??= err; }
    }
    if (failure !== undefined) queueMicrotask(() => { throw failure; });
  }
}

let shared: BareConnect | undefined;
let tried = false;

/** The process's connect batch, opened on first use; undefined where the addon cannot do it. */
export function batchTcp(): BareConnect | undefined {
  if (!tried) {
    tried = true;
    try {
      const addon = native() as unknown as Partial<ProbeAddon>;
      if (typeof addon.probeOpen === 'function' && typeof addon.probeConnect === 'function') {
        const b = new ConnectBatch(addon as ProbeAddon);
        shared = (address, family, port, owner) => b.connect(address, family, port, owner);
      }
    } catch {
      shared = undefined;
    }
  }
  return shared;
}
