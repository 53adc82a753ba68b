// TCP_CHECK connects through the addon's batched probe (src/native/probe.c): the addon connects,
// watches and closes the sockets itself and reports finished connects in batches, one JS call per
// wake-up with parallel arrays, instead of one native->JS callback (and one TCP handle object)
// per check. Same handshake, same FIN on close as tcp-handle.ts. Where the addon is not built (or
// predates the probe), `batchTcp()` is undefined and tcp.ts uses the bare TCP handle instead.
// The same prober runs HTTP_GET's plain-HTTP exchanges (`batchExchange()`, used by http-raw.ts):
// the addon connects, writes the request and reads the reply; JS hears CONNECTED and DONE in the
// same batches and takes the reply's bytes.
import { native } from '../net/native.js';
import { errnoName, type BareConnect, type BareConnection, type BareOwner } from './tcp-handle.js';

/** The addon's probe functions (src/native/probe.c). */
export interface ProbeAddon {
  probeOpen(ids: Int32Array, errs: Int32Array, cb: (count: number) => void, kinds?: Int32Array): unknown;
  /** 0: pending (reported later); else the errno of a connect that failed at once. */
  probeConnect(p: unknown, id: number, family: 4 | 6, address: string, port: number): number;
  probeAbort(p: unknown, id: number): boolean;
  probePending(p: unknown): number;
  probeClose(p: unknown): void;
  probeExchange?(p: unknown, id: number, family: 4 | 6, address: string, port: number, request: Buffer, max: number): number;
  probeTake?(p: unknown, id: number): Buffer | undefined;
}

/** What an exchange's owner hears: each at most once, connected before finished. */
export interface ExchangeOwner {
  /** The connection is up; the request is being written. */
  connected(): void;
  /** The exchange ended: `err` undefined when the server closed, else its errno name (EMSGSIZE: cut at max). */
  finished(err: string | undefined, reply: Buffer | undefined): void;
}

/** A result's kind (probe.c K_*). */
const DONE = 0, CONNECTED = 1;

/** Results per JS call (half as many events per epoll_wait: an exchange's event can give two); more wait for the next call in the same wake-up. */
const BATCH = 2048;

class Pending implements BareConnection {
  done = false;
  constructor(readonly batch: ConnectBatch, readonly id: number, readonly owner: BareOwner) {}
  close(): void {
    if (this.done) return;
    this.done = true;
    this.batch.abort(this.id);
  }
}

/** An exchange in flight; close() drops it (nothing more is heard of it). */
export class Exchange {
  done = false;
  constructor(readonly batch: ConnectBatch, readonly id: number, readonly owner: ExchangeOwner) {}
  close(): void {
    if (this.done) return;
    this.done = true;
    this.batch.abort(this.id);
  }
  take(): Buffer | undefined {
    if (this.done) return undefined;
    this.done = true;
    return this.batch.take(this.id);
  }
}

/** One prober: a slot per pending connect, slots reused. */
export class ConnectBatch {
  private readonly ids = new Int32Array(BATCH);
  private readonly errs = new Int32Array(BATCH);
  private readonly kinds = new Int32Array(BATCH);
  private readonly slots: (Pending | Exchange | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly handle: unknown;

  constructor(private readonly addon: ProbeAddon) {
    this.handle = this.exchanges
      ? addon.probeOpen(this.ids, this.errs, (n) => this.finished(n), this.kinds)
      : addon.probeOpen(this.ids, this.errs, (n) => this.finished(n));
  }

  /** Whether the addon runs exchanges (a build that predates them only connects). */
  get exchanges(): boolean { return typeof this.addon.probeExchange === 'function'; }

  /** A pending connection, or the errno name of a connect that failed at once (never thrown). */
  connect(address: string, family: 4 | 6, port: number, owner: BareOwner): BareConnection | string {
    return this.open((id) => this.addon.probeConnect(this.handle, id, family, address, port), (id) => new Pending(this, id, owner));
  }

  /**
   * An exchange in flight: once connected the addon writes `request` and reads the reply, at most
   * `max` bytes. Or the errno name of a connect that failed at once (never thrown).
   */
  exchange(address: string, family: 4 | 6, port: number, request: Buffer, max: number, owner: ExchangeOwner): Exchange | string {
    return this.open((id) => this.addon.probeExchange!(this.handle, id, family, address, port, request, max), (id) => new Exchange(this, id, owner));
  }

  /** A free id started by `start` (0, or an errno), then given to what `make` returns. */
  private open<T extends Pending | Exchange>(start: (id: number) => number, make: (id: number) => T): T | string {
    const id = this.free.length > 0 ? this.free.pop()! : this.slots.length;
    let err: number;
    try {
      err = start(id);
    } catch (e) {
      if (id < this.slots.length) this.free.push(id);
      return (e as { code?: string }).code ?? 'EINVAL';
    }
    if (err !== 0) {
      if (id < this.slots.length) this.free.push(id);
      return errnoName(-err);
    }
    const made = make(id);
    this.slots[id] = made;
    return made;
  }

  take(id: number): Buffer | undefined {
    this.slots[id] = undefined;
    const reply = this.addon.probeTake!(this.handle, id);
    this.free.push(id);
    return reply;
  }

  /** Sockets the addon still has open (tests; 0 once closed). */
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
      if (p instanceof Exchange) {
        try { this.exchanged(p, this.kinds[i]!, this.errs[i]!); } catch (err) { failure ??= err; }
        continue;
      }
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

  private exchanged(x: Exchange, kind: number, err: number): void {
    if (kind === CONNECTED) x.owner.connected();
    else if (kind === DONE) {
      const reply = x.take();
      x.owner.finished(err === 0 ? undefined : errnoName(-err), reply);
    }
  }
}

/** Whether the prober can reach `target`: a port in range and no scope (fe80::1%eth0 needs node's own address parsing). */
export function batchable(target: { address: string; port: number }): boolean {
  return Number.isInteger(target.port) && target.port > 0 && target.port < 65536 && !target.address.includes('%');
}

let batch: ConnectBatch | undefined;
let tried = false;

/** The process's prober, opened on first use; undefined where the addon cannot do it. */
function processBatch(): ConnectBatch | undefined {
  if (!tried) {
    tried = true;
    try {
      const addon = native() as unknown as Partial<ProbeAddon>;
      if (typeof addon.probeOpen === 'function' && typeof addon.probeConnect === 'function') batch = new ConnectBatch(addon as ProbeAddon);
    } catch {
      batch = undefined;
    }
  }
  return batch;
}

let shared: BareConnect | undefined;

/** Connects through the process's prober; undefined where the addon cannot do it. */
export function batchTcp(): BareConnect | undefined {
  const b = processBatch();
  if (b && !shared) shared = (address, family, port, owner) => b.connect(address, family, port, owner);
  return shared;
}

/** The process's prober when it runs exchanges, else undefined. */
export function batchExchange(): ConnectBatch | undefined {
  const b = processBatch();
  return b?.exchanges ? b : undefined;
}
