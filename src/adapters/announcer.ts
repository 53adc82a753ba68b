// Announcer over the GARP / unsolicited NA sender: one round per call (the instance schedules the
// rounds of a burst), from the interface's own MAC.
import { parseMac } from '../lib/ip.js';
import { VipError } from '../lib/errors.js';
import type { Announcer } from '../ports/announcer.js';
import type { LinkWatcher } from '../ports/links.js';
import { GarpSender } from '../net/garp.js';

export class GarpAnnouncer implements Announcer {
  private sender: GarpSender | undefined;
  constructor(private links: LinkWatcher) {}

  async announce(ifname: string, addrs: string[]): Promise<void> {
    const l = this.links.get(ifname);
    if (!l) throw new VipError('ENODEV', `no such interface ${ifname}`);
    if (!l.mac) throw new VipError('ENODEV', `${ifname} has no hardware address`);
    this.sender ??= GarpSender.open();
    await this.sender.announce(l.index, parseMac(l.mac), addrs, { count: 1 });
  }

  close(): void { this.sender?.close(); this.sender = undefined; }
}
