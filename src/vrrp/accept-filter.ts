// Accept_Mode off, enforced: keeps our nftables table in step with the configuration (start,
// reload) and removes it at stop. Calls are serialised, so a reload and a stop never interleave
// their batches. A failing nft is logged with its reason and the daemon carries on: VRRP itself
// does not depend on the filter, only the VIPs' reachability does.
import type { Config } from '../config/model.js';
import type { Logger } from '../ports/logger.js';
import type { NftPort } from '../net/nft-port.js';
import { NFT_TABLE, isEmptySpec, planAcceptTable, planDeleteTable, type AcceptFilterSpec } from '../net/nft-plan.js';
import { acceptFilterSpec } from './accept-vips.js';

export interface AcceptFilterStatus {
  /** Our table is in the kernel (as far as the last nft call told). */
  installed: boolean;
  /** Addresses filtered (VIPs and eVIPs of no_accept instances). */
  addresses: number;
  /** The last nft failure, until a later call succeeds. */
  error?: string;
}

export class AcceptFilter {
  private queue: Promise<void> = Promise.resolve();
  private installed = false;
  /** Nothing applied yet: a table left by an earlier run that crashed may still be there. */
  private first = true;
  private addresses = 0;
  private error: string | undefined;

  constructor(private readonly nft: NftPort | undefined, private readonly log: Logger, private readonly table = NFT_TABLE) {}

  status(): AcceptFilterStatus { return { installed: this.installed, addresses: this.addresses, ...(this.error ? { error: this.error } : {}) }; }

  /** Installs, replaces or removes the table for `cfg`; never rejects. */
  apply(cfg: Config): Promise<void> {
    const spec = acceptFilterSpec(cfg);
    return this.enqueue(() => this.applySpec(spec));
  }

  /** Removes the table (at stop, once the VIPs are gone); never rejects. */
  remove(): Promise<void> {
    return this.enqueue(async () => { if (this.installed) await this.run('remove', planDeleteTable(this.table), false, 0); });
  }

  private async applySpec(spec: AcceptFilterSpec): Promise<void> {
    const first = this.first;
    this.first = false;
    const n = spec.vips4.length + spec.vips6.length + spec.linkLocal.length;
    if (isEmptySpec(spec)) {
      // Clear a leftover of a crashed run; quietly, since most hosts have neither it nor nft.
      if (this.installed || (first && await this.leftover())) await this.run('remove', planDeleteTable(this.table), false, 0, !this.installed);
      return;
    }
    if (!this.nft) {
      this.error = 'this platform has no nftables port';
      this.log.error({ addresses: n }, `no_accept: ${this.error}; traffic to the virtual addresses is NOT filtered`);
      return;
    }
    await this.run('install', planAcceptTable(spec, this.table), true, n);
  }

  /** Whether a crashed run's table may be there: asked of the kernel, so nft runs only when it is. */
  private async leftover(): Promise<boolean> {
    if (!this.nft) return false;
    try { return await this.nft.hasTable(this.table); } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'cannot tell whether a leftover nftables table is there; removing it in case');
      return true;
    }
  }

  private async run(what: 'install' | 'remove', batch: Parameters<NftPort['apply']>[0], installs: boolean, n: number, quiet = false): Promise<void> {
    if (!this.nft) return;
    try {
      await this.nft.apply(batch);
      this.installed = installs;
      this.addresses = n;
      this.error = undefined;
      this.log[quiet ? 'debug' : 'info']({ table: `inet ${this.table}`, addresses: n }, installs ? 'no_accept: traffic to the virtual addresses is dropped (nftables)' : 'no_accept: nftables table removed');
    } catch (e) {
      const msg = (e as Error).message;
      if (quiet) { this.log.debug({ err: msg }, 'no leftover nftables table removed'); return; }
      this.error = msg;
      this.log.error({ table: `inet ${this.table}`, err: msg }, what === 'install'
        ? `no_accept: cannot install the nftables table: ${msg}; traffic to the virtual addresses is NOT filtered`
        : `no_accept: cannot remove the nftables table: ${msg}; remove it with: nft delete table inet ${this.table}`);
    }
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return this.queue;
  }
}
