// Whether an instance can send: its source address (unicast_src_ip / mcast_src_ip, or the
// interface's primary IPv4 / link-local IPv6 address) must exist and have finished duplicate
// address detection. Sending from a tentative address fails with EADDRNOTAVAIL, and an instance
// that cannot send must not leave INIT (it would declare MASTER that nobody hears).
import type { VrrpInstance } from '../config/model.js';
import type { LinkWatcher } from '../ports/links.js';

export interface SourceView {
  links: LinkWatcher;
  /** The usable primary (IPv4) or link-local (IPv6) address of an interface. */
  primaryAddress(ifname: string, family: 4 | 6): string | undefined;
}

/** `src` when the instance can send from it now, else `why` it cannot (for the log). */
export function sourceStatus(p: SourceView, spec: VrrpInstance): { src?: string; why?: string } {
  const link = p.links.get(spec.interface);
  if (!link) return { why: `interface ${spec.interface} does not exist` };
  const bare = (a: string): string => a.split('/')[0]!;
  const explicit = spec.unicastSrcIp ?? spec.mcastSrcIp;
  if (explicit) {
    if (link.tentative?.some((a) => bare(a) === explicit)) return { why: `source address ${explicit} is tentative (duplicate address detection)` };
    // A watcher that does not report addresses cannot say; the socket will.
    if (link.addrs && !link.addrs.some((a) => bare(a) === explicit)) return { why: `source address ${explicit} is not on ${spec.interface}` };
    return { src: explicit };
  }
  const src = p.primaryAddress(spec.interface, spec.family);
  if (src) return { src };
  const tentative = link.tentative?.map(bare).find((a) => (spec.family === 6 ? a.toLowerCase().startsWith('fe80:') : !a.includes(':')));
  if (tentative) return { why: `${spec.family === 6 ? 'link-local' : 'primary'} address ${tentative} on ${spec.interface} is tentative (duplicate address detection)` };
  return { why: `interface ${spec.interface} has no IPv${spec.family} ${spec.family === 6 ? 'link-local ' : ''}address to send from` };
}
