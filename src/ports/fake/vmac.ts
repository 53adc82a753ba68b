// In-memory VmacPort: the interfaces present by name, foreign names that refuse, and a journal.
import { VipError } from '../../lib/errors.js';
import type { VmacPort, VmacSpec } from '../vmac.js';

export class FakeVmacs implements VmacPort {
  readonly present = new Map<string, VmacSpec>();
  /** Names taken by something that is not a VMAC (an administrator's interface). */
  readonly foreign = new Set<string>();
  constructor(readonly journal: string[] = []) {}

  async create(s: VmacSpec): Promise<'created' | 'adopted'> {
    if (this.foreign.has(s.name)) throw new VipError('vmac-conflict', `interface ${s.name} exists and is not a VMAC of ${s.base}`);
    const had = this.present.get(s.name);
    this.present.set(s.name, s);
    this.journal.push(`vmac up ${s.name}`);
    return had ? 'adopted' : 'created';
  }

  async remove(s: VmacSpec): Promise<void> {
    this.present.delete(s.name);
    this.journal.push(`vmac del ${s.name}`);
  }
}
