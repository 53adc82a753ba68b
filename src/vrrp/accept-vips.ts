// Which virtual addresses the host must not accept traffic for: those of every instance with
// Accept_Mode off (`no_accept`, or vrrp_strict / strict_mode without `accept`), VIPs and eVIPs alike, as
// keepalived filters both. The address owner (priority 255) is exempt: RFC 5798 §6.4.3 lets it
// accept whatever Accept_Mode says, since the addresses are its own.
//
// The set holds these addresses for as long as the daemon runs, not only while MASTER: the input
// hook only sees packets for addresses that are local, and a VIP is local only while we hold it,
// so the drop takes effect exactly while MASTER, with no gap between adding the address and
// adding the element (and RFC 5798 §6.4.2 forbids a Backup accepting them anyway).
import type { Config } from '../config/model.js';
import { isLinkLocal6, parseIP } from '../lib/ip.js';
import type { AcceptFilterSpec } from '../net/nft-plan.js';

export const OWNER_PRIORITY = 255;

export function acceptFilterSpec(cfg: Config): AcceptFilterSpec {
  const spec: AcceptFilterSpec = { vips4: [], vips6: [], linkLocal: [] };
  const seenLl = new Set<string>();
  for (const inst of cfg.vrrpInstances) {
    if (inst.accept || inst.priority === OWNER_PRIORITY) continue;
    for (const v of [...inst.virtualIps, ...inst.excludedVips]) {
      if (v.family === 4) { spec.vips4.push(v.address); continue; }
      if (!isLinkLocal6(parseIP(v.address).addr)) { spec.vips6.push(v.address); continue; }
      const key = `${v.address}%${v.dev}`;
      if (!seenLl.has(key)) { seenLl.add(key); spec.linkLocal.push({ address: v.address, ifname: v.dev }); }
    }
  }
  spec.vips4 = [...new Set(spec.vips4)].sort();
  spec.vips6 = [...new Set(spec.vips6)].sort();
  return spec;
}
