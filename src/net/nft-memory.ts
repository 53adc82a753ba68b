// The in-memory NftPort: tables of the `inet` family as the statements that built them, with
// nft's all-or-nothing batches and its errors for a missing table. Tests read `tables` and make
// the next apply fail with `failNext`.
import type { NftBatch, NftStatement } from './nft-plan.js';
import type { NftPort } from './nft-port.js';

type Obj = Record<string, Record<string, unknown>>;

export class MemoryNft implements NftPort {
  /** Table name -> the `add` statements inside it, in order. */
  tables = new Map<string, NftStatement[]>();
  batches: NftBatch[] = [];
  /** hasTable calls so far. */
  lookups = 0;
  /** The next apply rejects with this message (and changes nothing). */
  failNext: string | undefined;

  async apply(batch: NftBatch): Promise<void> {
    this.batches.push(batch);
    if (this.failNext !== undefined) { const m = this.failNext; this.failNext = undefined; throw new Error(m); }
    const next = new Map([...this.tables].map(([k, v]) => [k, [...v]]));
    for (const st of batch.nftables) {
      const [verb, body] = Object.entries(st as Obj)[0] ?? [];
      if (!verb || !body) throw new Error('empty statement');
      const [kind, obj] = Object.entries(body)[0] as [string, Record<string, unknown>];
      if (kind === 'table') {
        const name = String(obj.name);
        if (verb === 'add') { if (!next.has(name)) next.set(name, []); } else if (verb === 'delete') {
          if (!next.delete(name)) throw new Error('Error: No such file or directory');
        } else throw new Error(`unsupported verb ${verb}`);
        continue;
      }
      const owner = next.get(String(obj.table));
      if (!owner) throw new Error(`Error: No such file or directory (table ${String(obj.table)})`);
      if (verb !== 'add') throw new Error(`unsupported verb ${verb}`);
      owner.push(st);
    }
    this.tables = next;
  }

  async hasTable(name: string): Promise<boolean> {
    this.lookups++;
    return this.tables.has(name);
  }

  /** The elements of set `name` in `table` (as last added). */
  setElements(table: string, name: string): string[] | undefined {
    const st = this.tables.get(table)?.find((s) => (s as Obj).add?.set && ((s as Obj).add!.set as { name: string }).name === name);
    if (!st) return undefined;
    return (((st as Obj).add!.set as { elem?: string[] }).elem ?? []);
  }
}
