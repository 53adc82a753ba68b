// The VMAC interfaces the configuration asks for, kept in step with it: created at start (up,
// without addresses: the VIPs come and go with MASTER as usual), kept across a reload that keeps
// the same VMAC, removed when no instance uses it any more and at stop. Changes run one after
// another. A VMAC that cannot be created is logged in words; its instance then waits in INIT (it
// cannot send) or faults (its VIPs cannot be added), and the name's owner is never touched.
import type { VrrpInstance } from '../config/model.js';
import { formatMac } from '../lib/ip.js';
import { vrrpMac } from '../codec/netlink/link.js';
import type { Logger } from '../ports/logger.js';
import type { VmacPort, VmacSpec } from '../ports/vmac.js';
import { errFields } from './vips.js';

export function vmacSpecOf(i: VrrpInstance): VmacSpec | undefined {
  return i.vmac ? { name: i.vmac.name, base: i.interface, mac: formatMac(vrrpMac(i.vrid, i.family)), family: i.family } : undefined;
}

/** The interface an instance's adverts go out of and are read on. */
export function vrrpInterfaceOf(i: VrrpInstance): string {
  return i.vmac && !i.vmac.xmitBase ? i.vmac.name : i.interface;
}

const same = (a: VmacSpec, b: VmacSpec): boolean => a.name === b.name && a.base === b.base && a.mac === b.mac && a.family === b.family;

export class Vmacs {
  /** The VMACs we created or adopted, by name. */
  private ours = new Map<string, VmacSpec>();
  private chain: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(private port: VmacPort | undefined, private logger: Logger, private onCreated: (name: string) => void = () => {}) {}

  /** Brings up every VMAC of `instances` and removes ours that none of them names any more. */
  sync(instances: VrrpInstance[]): Promise<void> {
    const want = instances.map(vmacSpecOf).filter((s): s is VmacSpec => s !== undefined);
    return this.run(async () => {
      for (const [name, s] of [...this.ours]) {
        if (!want.some((w) => same(w, s))) await this.remove(name, s);
      }
      for (const s of want) if (!this.ours.has(s.name)) await this.create(s);
    });
  }

  /** At stop: every VMAC of ours removed. */
  removeAll(): Promise<void> {
    return this.run(async () => { for (const [name, s] of [...this.ours]) await this.remove(name, s); });
  }

  /** Names of the VMACs up now (status, tests). */
  get names(): string[] { return [...this.ours.keys()]; }

  /** Whether `name` is a VMAC we created or adopted (not just any interface of that name). */
  has(name: string): boolean { return this.ours.has(name); }

  private run(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job, job);
    return this.chain;
  }

  private async create(s: VmacSpec): Promise<void> {
    if (!this.port) {
      if (!this.warned) this.logger.error({ vmac: s.name }, 'use_vmac is configured but this platform cannot create interfaces; the instance cannot run on its VMAC');
      this.warned = true;
      return;
    }
    try {
      const how = await this.port.create(s);
      this.ours.set(s.name, s);
      this.logger.info({ vmac: s.name, base: s.base, mac: s.mac, how }, `VMAC interface ${s.name} ${how === 'created' ? 'created' : 'reused'} on ${s.base}`);
      this.onCreated(s.name);
    } catch (e) {
      this.logger.error({ vmac: s.name, base: s.base, ...errFields(e) }, `could not create VMAC interface ${s.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async remove(name: string, s: VmacSpec): Promise<void> {
    this.ours.delete(name);
    try {
      await this.port!.remove(s);
      this.logger.info({ vmac: name }, `VMAC interface ${name} removed`);
    } catch (e) {
      this.logger.error({ vmac: name, ...errFields(e) }, `could not remove VMAC interface ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
