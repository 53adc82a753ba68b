// Applies nftables batches: one port with the real `nft` (nft-exec.ts) and an in-memory table
// store (nft-memory.ts) behind it. A batch is applied whole or not at all.
import type { NftBatch } from './nft-plan.js';

export interface NftPort {
  /** Applies `batch` atomically; rejects with the reason in words (nft's own stderr). */
  apply(batch: NftBatch): Promise<void>;
  /** Whether table `inet NAME` is in the kernel; rejects when that cannot be told. */
  hasTable(name: string): Promise<boolean>;
}
