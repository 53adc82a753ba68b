// AddressManager over rtnetlink: VIP add/remove by interface name. Present-on-add and
// absent-on-remove are successes (idempotent retries).
import { parsePrefix, formatIP } from '../lib/ip.js';
import { VipError } from '../lib/errors.js';
import type { AddressManager, AddressSpec } from '../ports/addresses.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import type { Rtnl } from '../net/rtnl.js';
import type { RtnlLinks } from './links.js';

export class RtnlAddresses implements AddressManager {
  constructor(private rtnl: Rtnl, private links: Pick<RtnlLinks, 'ifindex'>, private logger: Logger = silentLogger) {}

  private index(ifname: string): number {
    const i = this.links.ifindex(ifname);
    if (i === undefined) throw new VipError('ENODEV', `no such interface ${ifname}`);
    return i;
  }

  async add(a: AddressSpec): Promise<void> {
    const p = parsePrefix(a.prefix);
    // ifname lets rtnl check the label without looking the link up again.
    await this.rtnl.addAddress({
      ifindex: this.index(a.ifname), ifname: a.ifname, address: a.prefix, noDad: p.family === 6,
      ...(a.label && p.family === 4 ? { label: a.label } : {}),
    });
  }

  async remove(a: AddressSpec): Promise<void> {
    try {
      await this.rtnl.deleteAddress({ ifindex: this.index(a.ifname), ifname: a.ifname, address: a.prefix });
    } catch (e) {
      if (!(e instanceof VipError && e.code === 'prefix-mismatch')) throw e;
      // Our VIP (this prefix length) is absent, so removal succeeded; the same address with
      // another length belongs to someone else (an admin, an older config) and stays, loudly.
      this.logger.error({ vip: a.prefix, dev: a.ifname, present: e.context['present'], code: e.code },
        `virtual address ${a.prefix} not removed from ${a.ifname}: it is configured there as ${String(e.context['present'])} (another prefix length), which vipkeeper leaves alone`);
    }
  }

  async list(ifname: string): Promise<string[]> {
    const list = await this.rtnl.listAddresses({ ifindex: this.index(ifname) });
    return list.map((x) => `${formatIP(x.addr)}/${x.prefixLen}`);
  }
}
