// In-memory addresses, announcements and links: they record what the runtime asked for.
import type { AddressManager, AddressSpec } from '../addresses.js';
import type { Announcer } from '../announcer.js';
import type { LinkInfo, LinkWatcher } from '../links.js';

/** Every side effect in call order, so tests can assert "advert, then VIPs, then GARP, then notify". */
export type Journal = string[];

export class FakeAddresses implements AddressManager {
  readonly byIf = new Map<string, Set<string>>();
  failNext: Error | undefined;
  /** Fails every matching change while set (a VIP that cannot be added, a stuck removal). */
  failWhen: ((op: 'add' | 'remove', a: AddressSpec) => Error | undefined) | undefined;
  constructor(readonly journal: Journal = []) {}

  async add(a: AddressSpec): Promise<void> {
    await this.maybeFail('add', a);
    this.set(a.ifname).add(withLen(a.prefix));
    this.journal.push(`add ${a.ifname} ${withLen(a.prefix)}`);
  }

  async remove(a: AddressSpec): Promise<void> {
    await this.maybeFail('remove', a);
    this.set(a.ifname).delete(withLen(a.prefix));
    this.journal.push(`del ${a.ifname} ${withLen(a.prefix)}`);
  }

  async list(ifname: string): Promise<string[]> { return [...this.set(ifname)]; }

  has(ifname: string, prefix: string): boolean { return this.set(ifname).has(withLen(prefix)); }

  private set(ifname: string): Set<string> {
    let s = this.byIf.get(ifname);
    if (!s) this.byIf.set(ifname, (s = new Set()));
    return s;
  }

  private async maybeFail(op: 'add' | 'remove', a: AddressSpec): Promise<void> {
    const e = this.failNext ?? this.failWhen?.(op, a);
    this.failNext = undefined;
    if (e) throw e;
  }
}

function withLen(p: string): string { return p.includes('/') ? p : `${p}/${p.includes(':') ? 128 : 32}`; }

export class FakeAnnouncer implements Announcer {
  readonly sent: { ifname: string; addrs: string[] }[] = [];
  constructor(readonly journal: Journal = []) {}
  async announce(ifname: string, addrs: string[]): Promise<void> {
    this.sent.push({ ifname, addrs: [...addrs] });
    this.journal.push(`garp ${ifname} ${addrs.join(',')}`);
  }
}

export class FakeLinks implements LinkWatcher {
  private links = new Map<string, LinkInfo>();
  private subs = new Set<(l: LinkInfo) => void>();

  constructor(initial: LinkInfo[] = []) { for (const l of initial) this.links.set(l.ifname, l); }

  get(ifname: string): LinkInfo | undefined { return this.links.get(ifname); }

  onChange(fn: (l: LinkInfo) => void): () => void { this.subs.add(fn); return () => this.subs.delete(fn); }

  close(): void { this.subs.clear(); }

  /** Changes a link and notifies subscribers (creates it when missing). */
  set(ifname: string, patch: Partial<LinkInfo>): void {
    const prev = this.links.get(ifname) ?? { ifname, index: this.links.size + 1, up: false };
    const next = { ...prev, ...patch, ifname };
    this.links.set(ifname, next);
    for (const fn of [...this.subs]) fn(next);
  }
}
