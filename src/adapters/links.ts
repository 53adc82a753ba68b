// LinkWatcher over rtnetlink: a cache of links and their addresses filled by one dump at start and
// kept current by link/address notifications (re-listed after an overrun).
import { formatMac } from '../lib/ip.js';
import type { LinkInfo, LinkWatcher } from '../ports/links.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { Rtnl, type Address, type Link, type Subscription } from '../net/rtnl.js';
import { IFA_F } from '../codec/netlink/rtnl.js';

/** Not usable as a source: duplicate address detection running or failed. */
const unusable = (a: Address): boolean => ((a.flags ?? 0) & (IFA_F.TENTATIVE | IFA_F.DADFAILED)) !== 0;
const text = (a: Address): string => `${a.address}/${a.prefixLen}`;

export class RtnlLinks implements LinkWatcher {
  private byName = new Map<string, LinkInfo>();
  private addrs = new Map<number, Address[]>();
  private subs = new Set<(l: LinkInfo) => void>();
  private sub: Subscription | undefined;

  private constructor(private rtnl: Rtnl) {}

  static async open(rtnl: Rtnl, logger: Logger = silentLogger): Promise<RtnlLinks> {
    const w = new RtnlLinks(rtnl);
    w.sub = Rtnl.subscribe((e) => {
      // A failed re-list must not become an unhandled rejection (fatal in Node); the cache stays
      // as it was and the next overrun or notification corrects it.
      if (e.type === 'overrun') w.reload().catch((err) => logger.error({ err: (err as Error).message, code: (err as { code?: string }).code }, 're-listing links after lost notifications failed'));
      else if (e.type === 'link') w.updateLink(e.link, e.action === 'del');
      else w.updateAddr(e.address, e.action === 'del');
    });
    await w.reload();
    return w;
  }

  get(ifname: string): LinkInfo | undefined { return this.byName.get(ifname); }
  ifindex(ifname: string): number | undefined { return this.byName.get(ifname)?.index; }

  onChange(fn: (l: LinkInfo) => void): () => void { this.subs.add(fn); return () => this.subs.delete(fn); }

  close(): void { this.sub?.close(); this.subs.clear(); }

  private async reload(): Promise<void> {
    const [links, addrs] = await Promise.all([this.rtnl.listLinks(), this.rtnl.listAddresses()]);
    this.addrs.clear();
    for (const a of addrs) this.addrs.set(a.ifindex, [...(this.addrs.get(a.ifindex) ?? []), a]);
    for (const l of links) this.updateLink(l, false);
  }

  private updateLink(l: Link, gone: boolean): void {
    const prev = this.byName.get(l.name);
    const info: LinkInfo = {
      ifname: l.name, index: l.index, up: !gone && l.up && l.lowerUp,
      ...(l.mac ? { mac: formatMac(l.mac) } : {}),
      ...this.addrFields(l.index),
    };
    if (gone) this.byName.delete(l.name); else this.byName.set(l.name, info);
    if (!prev || prev.up !== info.up) for (const fn of [...this.subs]) fn(info);
  }

  private updateAddr(a: Address, gone: boolean): void {
    const list = (this.addrs.get(a.ifindex) ?? []).filter((x) => !(x.address === a.address && x.prefixLen === a.prefixLen));
    if (!gone) list.push(a);
    this.addrs.set(a.ifindex, list);
    for (const [name, l] of this.byName) {
      if (l.index !== a.ifindex) continue;
      const next = { ...l, ...this.addrFields(l.index) };
      this.byName.set(name, next);
      // Instances waiting for a usable source address (DAD finishing) listen for this.
      for (const fn of [...this.subs]) fn(next);
    }
  }

  private addrFields(ifindex: number): { addrs: string[]; tentative: string[] } {
    const list = this.addrs.get(ifindex) ?? [];
    return { addrs: list.filter((a) => !unusable(a)).map(text), tentative: list.filter(unusable).map(text) };
  }

  /** The interface's primary address of a family: IPv4 the first non-secondary, IPv6 the link-local. */
  primaryAddress(ifname: string, family: 4 | 6): string | undefined {
    const idx = this.ifindex(ifname);
    if (idx === undefined) return undefined;
    const list = (this.addrs.get(idx) ?? []).filter((a) => a.family === family && !unusable(a));
    if (family === 6) return list.find((a) => a.address.toLowerCase().startsWith('fe80:'))?.address;
    const IFA_F_SECONDARY = 0x01;
    return (list.find((a) => !(a.flags & IFA_F_SECONDARY)) ?? list[0])?.address;
  }
}
