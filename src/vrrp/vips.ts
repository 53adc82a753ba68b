// The virtual addresses of one instance on the interfaces: add, remove, the stale clean-up at
// start, and retries. A failed change is retried a few times at once (the kernel answers ENOBUFS
// or EBUSY under load); an add that still fails is returned to the instance, which makes it a
// FAULT reason; a removal that still fails is retried in the background with backoff until it
// holds, unless a later add of the same address supersedes it.
import { VipError } from '../lib/errors.js';
import type { AddressManager, AddressSpec } from '../ports/addresses.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { VirtualIp } from '../config/model.js';

/** Delays of the immediate retries of one change (ms). */
export const QUICK_RETRY_MS = [50, 150, 400];
/** Background removal retries: first delay, doubling up to the cap (ms). */
export const REMOVE_RETRY_MS = { first: 1000, max: 30_000 };

export interface VipDeps {
  addresses: AddressManager;
  clock: Clock;
  logger: Logger;
  /** Runs a job in the instance's ordered effect queue (background retries keep the order). */
  enqueue(job: () => Promise<void>): void;
}

export function vipSpecs(vips: VirtualIp[]): AddressSpec[] {
  return vips.map((v) => ({ ifname: v.dev, prefix: `${v.address}/${v.prefixLen}`, ...(v.label ? { label: v.label } : {}) }));
}

export const specKey = (a: AddressSpec): string => `${a.ifname}|${a.prefix}|${a.label ?? ''}`;

export class VipSet {
  /** Per address: bumped by every add or remove, so an older background retry does nothing. */
  private gen = new Map<string, number>();
  private timers = new Set<TimerHandle>();
  private sleepers = new Map<TimerHandle, () => void>();
  private closed = false;

  constructor(private d: VipDeps) {}

  /** Adds every address (with quick retries); returns the ones that could not be added. */
  async add(specs: AddressSpec[], quick = QUICK_RETRY_MS): Promise<{ spec: AddressSpec; err: unknown }[]> {
    const failed: { spec: AddressSpec; err: unknown }[] = [];
    for (const a of specs) {
      this.bump(a);
      const err = await this.attempt('add', a, quick);
      if (err !== undefined) {
        this.d.logger.error({ vip: a.prefix, dev: a.ifname, ...errFields(err) }, 'could not add virtual address');
        failed.push({ spec: a, err });
      }
    }
    return failed;
  }

  /** Removes every address; failures are retried in the background (see the top of the file). */
  async remove(specs: AddressSpec[], quick = QUICK_RETRY_MS): Promise<void> {
    for (const a of specs) {
      const g = this.bump(a);
      const err = await this.attempt('remove', a, quick);
      if (err === undefined) continue;
      this.d.logger.error({ vip: a.prefix, dev: a.ifname, ...errFields(err) }, 'could not remove virtual address; retrying in the background');
      this.retryRemove(a, g, REMOVE_RETRY_MS.first);
    }
  }

  /** At stop, or when nothing can wait: every address removed at once, errors ignored. */
  async removeNow(specs: AddressSpec[]): Promise<void> {
    for (const a of specs) this.bump(a);
    await Promise.all(specs.map((a) => this.d.addresses.remove(a).catch(() => {})));
  }

  /** Addresses of `specs` left on the interfaces by a crashed run are removed. */
  async removeStale(specs: AddressSpec[]): Promise<void> {
    const byIf = new Map<string, string[]>();
    for (const a of specs) {
      let present = byIf.get(a.ifname);
      if (!present) {
        try { present = await this.d.addresses.list(a.ifname); } catch (e) {
          this.d.logger.warn({ dev: a.ifname, ...errFields(e) }, 'could not list addresses to look for stale virtual addresses');
          present = [];
        }
        byIf.set(a.ifname, present);
      }
      if (!present.includes(a.prefix)) continue;
      this.d.logger.warn({ vip: a.prefix, dev: a.ifname }, 'removing a virtual address left by an earlier run');
      await this.remove([a]);
    }
  }

  /** Stops the background retries (the instance is stopping). */
  close(): void {
    this.closed = true;
    for (const h of this.timers) this.d.clock.clearTimer(h);
    this.timers.clear();
    // A change waiting between quick retries gives up now instead of holding the queue forever.
    for (const [h, wake] of this.sleepers) { this.d.clock.clearTimer(h); wake(); }
    this.sleepers.clear();
  }

  private bump(a: AddressSpec): number {
    const g = (this.gen.get(specKey(a)) ?? 0) + 1;
    this.gen.set(specKey(a), g);
    return g;
  }

  private async attempt(op: 'add' | 'remove', a: AddressSpec, quick: number[]): Promise<unknown> {
    let last: unknown;
    for (let i = 0; i <= quick.length; i++) {
      try { await this.d.addresses[op](a); return undefined; } catch (e) {
        last = e;
        this.d.logger.warn({ vip: a.prefix, dev: a.ifname, ...errFields(e), attempt: i + 1 }, `${op === 'add' ? 'adding' : 'removing'} virtual address failed`);
      }
      // ENODEV will not fix itself in 50 ms; other errors (ENOBUFS, EBUSY) might.
      if (this.closed || i === quick.length || (last instanceof VipError && last.code === 'ENODEV')) break;
      await this.sleep(quick[i]!);
    }
    return last ?? new Error(`${op} failed`);
  }

  private retryRemove(a: AddressSpec, g: number, delayMs: number): void {
    if (this.closed) return;
    const h = this.d.clock.setTimer(delayMs, () => {
      this.timers.delete(h);
      this.d.enqueue(async () => {
        if (this.closed || this.gen.get(specKey(a)) !== g) return; // superseded
        try {
          await this.d.addresses.remove(a);
          this.d.logger.info({ vip: a.prefix, dev: a.ifname }, 'virtual address removed after retrying');
        } catch (e) {
          this.d.logger.warn({ vip: a.prefix, dev: a.ifname, ...errFields(e), retryMs: Math.min(delayMs * 2, REMOVE_RETRY_MS.max) }, 'removing virtual address failed again');
          this.retryRemove(a, g, Math.min(delayMs * 2, REMOVE_RETRY_MS.max));
        }
      });
    });
    this.timers.add(h);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const h = this.d.clock.setTimer(ms, () => { this.sleepers.delete(h); r(); });
      this.sleepers.set(h, r);
    });
  }
}

/** Log fields of an error: the message, and the stable code (errno name) when it has one. */
export function errFields(e: unknown): { err: string; code?: string } {
  const err = e instanceof Error ? e.message : String(e);
  return e instanceof VipError ? { err, code: e.code } : { err };
}
