// VmacPort over rtnetlink and /proc/sys, as keepalived sets a VMAC up (vrrp_vmac.c,
// vrrp_if_config.c): a macvlan in private mode with the virtual MAC, created down, tuned, then up.
//   VMAC: arp_ignore=1 (answer ARP only for its own addresses, the VIPs), accept_local=1 (hear a
//         peer instance on this host), rp_filter=0 (receive adverts while it has no address),
//         IPv6 off (no link-local, RS or MLD sent with the virtual MAC by a backup).
//   IPv6 VMAC (00:00:5e:00:02:VRID), as keepalived 2.2.7 makes it (seen with `ip -d addr`):
//         addr_gen_mode=1 before it goes up, so no link-local of its own is derived from the
//         virtual MAC (every peer's VMAC would claim the same one); instead the base's link-local
//         is copied on, nodad and preferred_lft 0, because adverts go out of the VMAC from that
//         address (RFC 5798 §5.1.1.1) and the kernel sends from an address only on its own
//         interface; deprecated, it is never picked as the source of anything else. Beyond
//         keepalived, router_solicitations=0: a backup sends no RS with the virtual MAC.
//         The base's IPv4 ARP settings are left alone.
//   base: arp_ignore=1, arp_filter=1, so the base never answers for a VIP with its own MAC, and
//         (beyond keepalived) arp_announce=2: a reply from a VIP that leaves by the base must
//         not ARP with the VIP as sender, which would teach the LAN the base's MAC for it.
//         Restored when its last VMAC goes.
import { readFileSync, writeFileSync } from 'node:fs';
import { SysError, VipError } from '../lib/errors.js';
import { formatMac, parseMac } from '../lib/ip.js';
import { IFA_F } from '../codec/netlink/rtnl.js';
import { FOREVER } from '../codec/netlink/addr-lifetime.js';
import type { Rtnl } from '../net/rtnl.js';
import type { VmacPort, VmacSpec } from '../ports/vmac.js';
import { silentLogger, type Logger } from '../ports/logger.js';

export interface Sysctl {
  read(path: string): string;
  write(path: string, value: string): void;
}

export const procSysctl: Sysctl = {
  read: (p) => readFileSync(`/proc/sys/${p}`, 'utf8').trim(),
  write: (p, v) => writeFileSync(`/proc/sys/${p}`, `${v}\n`),
};

const VMAC_CONF: Array<[string, string]> = [['ipv4/conf/%/arp_ignore', '1'], ['ipv4/conf/%/accept_local', '1'], ['ipv4/conf/%/rp_filter', '0'], ['ipv6/conf/%/disable_ipv6', '1']];
const VMAC6_CONF: Array<[string, string]> = [['ipv6/conf/%/disable_ipv6', '0'], ['ipv6/conf/%/addr_gen_mode', '1'], ['ipv6/conf/%/router_solicitations', '0']];
const BASE_CONF: Array<[string, string]> = [['ipv4/conf/%/arp_ignore', '1'], ['ipv4/conf/%/arp_filter', '1'], ['ipv4/conf/%/arp_announce', '2']];
const at = (key: string, ifname: string): string => `net/${key.replace('%', ifname)}`;

export class RtnlVmacs implements VmacPort {
  /** Per base interface: how many of our VMACs sit on it, and its settings before the first. */
  private bases = new Map<string, { users: Set<string>; saved: Array<[string, string]> }>();

  constructor(private rtnl: Rtnl, private sysctl: Sysctl = procSysctl, private logger: Logger = silentLogger) {}

  async create(s: VmacSpec): Promise<'created' | 'adopted'> {
    const base = await this.rtnl.getLink(s.base);
    const mac = parseMac(s.mac);
    let result: 'created' | 'adopted' = 'created';
    try {
      await this.rtnl.createMacvlan({ name: s.name, parent: base.index, mac, mode: 'private' });
    } catch (e) {
      if (!(e instanceof VipError && e.code === 'EEXIST')) throw e;
      await this.checkOurs(s, base.index, mac);
      result = 'adopted';
    }
    const link = await this.rtnl.getLink(s.name);
    this.tune(s);
    try {
      await this.rtnl.setLinkUp(link.index, true);
      if (s.family === 6) await this.copyLinkLocal(s, base.index, link.index);
    } catch (e) {
      // Not left behind half made: the caller does not count it as ours.
      this.release(s);
      if (result === 'created') await this.rtnl.deleteLink(link.index).catch(() => {});
      throw e;
    }
    return result;
  }

  async remove(s: VmacSpec): Promise<void> {
    let link;
    try { link = await this.rtnl.getLinkDetail(s.name); } catch (e) {
      if (!(e instanceof SysError && e.code === 'ENODEV')) throw e;
    }
    // Never delete what is not a macvlan with our MAC, whatever the name says.
    if (link && link.kind === 'macvlan' && link.mac && formatMac(link.mac) === s.mac.toLowerCase()) {
      try { await this.rtnl.deleteLink(link.index); } catch (e) { if (!(e instanceof SysError && e.code === 'ENODEV')) throw e; }
    }
    this.release(s);
  }

  /** An existing interface of that name is adopted only when it is exactly the VMAC we would make. */
  private async checkOurs(s: VmacSpec, parent: number, mac: Uint8Array): Promise<void> {
    const have = await this.rtnl.getLinkDetail(s.name);
    const same = have.kind === 'macvlan' && have.parent === parent && have.mac !== undefined && formatMac(have.mac) === formatMac(mac);
    if (same) { this.logger.warn({ vmac: s.name, base: s.base }, 'VMAC interface left by an earlier run: reusing it'); return; }
    const what = `${have.kind ?? 'an interface'}${have.mac ? ` with MAC ${formatMac(have.mac)}` : ''}${have.parent ? ` on ifindex ${have.parent}` : ''}`;
    throw new VipError('vmac-conflict', `use_vmac ${s.name}: an interface of that name already exists (${what}) and is not the VMAC ${s.mac} on ${s.base}; it is left alone. Remove it or name the VMAC otherwise (use_vmac NAME)`, { name: s.name });
  }

  /** The base's link-local address (one past DAD first), added to the VMAC deprecated and without DAD. */
  private async copyLinkLocal(s: VmacSpec, base: number, vmac: number): Promise<void> {
    const lls = (await this.rtnl.listAddresses({ family: 6, ifindex: base })).filter((a) => a.address.toLowerCase().startsWith('fe80:'));
    const ll = lls.find((a) => !(a.flags & (IFA_F.TENTATIVE | IFA_F.DADFAILED))) ?? lls.find((a) => !(a.flags & IFA_F.DADFAILED));
    if (!ll) throw new VipError('vmac-no-link-local', `use_vmac ${s.name}: ${s.base} has no IPv6 link-local address for the VMAC to send advertisements from (RFC 5798 §5.1.1.1)`, { name: s.name });
    await this.rtnl.addAddress({ ifindex: vmac, address: ll.addr, prefixLen: 64, noDad: true, lifetime: { preferred: 0, valid: FOREVER } });
  }

  private tune(s: VmacSpec): void {
    if (s.family === 6) { for (const [k, v] of VMAC6_CONF) this.set(at(k, s.name), v); return; }
    for (const [k, v] of VMAC_CONF) this.set(at(k, s.name), v);
    let b = this.bases.get(s.base);
    if (!b) {
      b = { users: new Set(), saved: BASE_CONF.map(([k]) => [at(k, s.base), this.get(at(k, s.base))] as [string, string]).filter(([, v]) => v !== '') };
      this.bases.set(s.base, b);
      for (const [k, v] of BASE_CONF) this.set(at(k, s.base), v);
    }
    b.users.add(s.name);
  }

  private release(s: VmacSpec): void {
    const b = this.bases.get(s.base);
    if (!b || !b.users.delete(s.name) || b.users.size > 0) return;
    this.bases.delete(s.base);
    for (const [p, v] of b.saved) this.set(p, v);
  }

  private get(p: string): string {
    try { return this.sysctl.read(p); } catch { return ''; }
  }

  /** A setting that cannot be written is logged (the VMAC still works, less strictly), not fatal. */
  private set(p: string, v: string): void {
    try { this.sysctl.write(p, v); } catch (e) {
      this.logger.warn({ sysctl: p, value: v, err: (e as Error).message }, `could not set ${p.replace(/\//g, '.')}=${v}`);
    }
  }
}
