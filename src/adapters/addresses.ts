// AddressManager over rtnetlink: VIP add/remove by interface name. Present-on-add and
// absent-on-remove are successes (idempotent retries).
import { parsePrefix, formatIP } from '../lib/ip.js';
import { VipError } from '../lib/errors.js';
import type { AddressManager, AddressSpec } from '../ports/addresses.js';
import type { Rtnl } from '../net/rtnl.js';
import type { RtnlLinks } from './links.js';

export class RtnlAddresses implements AddressManager {
  constructor(private rtnl: Rtnl, private links: RtnlLinks) {}

  private index(ifname: string): number {
    const i = this.links.ifindex(ifname);
    if (i === undefined) throw new VipError('ENODEV', `no such interface ${ifname}`);
    return i;
  }

  async add(a: AddressSpec): Promise<void> {
    const p = parsePrefix(a.prefix);
    await this.rtnl.addAddress({
      ifindex: this.index(a.ifname), address: a.prefix, noDad: p.family === 6,
      ...(a.label && p.family === 4 ? { label: a.label } : {}),
    });
  }

  async remove(a: AddressSpec): Promise<void> {
    await this.rtnl.deleteAddress({ ifindex: this.index(a.ifname), address: a.prefix });
  }

  async list(ifname: string): Promise<string[]> {
    const list = await this.rtnl.listAddresses({ ifindex: this.index(ifname) });
    return list.map((x) => `${formatIP(x.addr)}/${x.prefixLen}`);
  }
}
