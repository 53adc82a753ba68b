// The nftables ruleset for Accept_Mode off, as an `nft -j` batch (libnftables JSON schema,
// nft 0.9.x and later). Pure: what to filter in, JSON out; nft-command.ts runs it.
//
// RFC 5798 §6.4.2/§6.4.3: a router that is not the address owner must not accept packets
// addressed to the virtual addresses unless Accept_Mode is on. Like keepalived's own table
// (`ip keepalived`), we drop in the input hook at filter-1 by destination and in the output hook
// by source, and let Neighbour Solicitations/Advertisements through (RFC 4861: neighbours must
// still resolve the VIP, which for IPv6 happens at layer 3; IPv4 ARP never meets these hooks).
// VRRP adverts go to the group or the unicast peers, never to a VIP, so they need no exception.

/** What the filter drops: global addresses by address; link-local ones only on their interface. */
export interface AcceptFilterSpec {
  vips4: string[];
  vips6: string[];
  /** IPv6 link-local VIPs with the interface they belong to (fe80::/10 exists once per link). */
  linkLocal: Array<{ address: string; ifname: string }>;
}

export const NFT_TABLE = 'vipkeeper';
/** keepalived's default chain priority: just before the usual `filter` chains. */
export const NFT_PRIORITY = -1;

export type NftStatement = Record<string, unknown>;
export interface NftBatch { nftables: NftStatement[] }

export function isEmptySpec(s: AcceptFilterSpec): boolean {
  return s.vips4.length === 0 && s.vips6.length === 0 && s.linkLocal.length === 0;
}

const table = (name: string) => ({ table: { family: 'inet', name } });

/**
 * Replaces our table in one transaction: `add` (so the `delete` cannot fail on a fresh host),
 * `delete`, then the whole table again. nft applies a batch atomically, so there is never a
 * moment with the VIPs unfiltered while an old table is swapped for a new one.
 */
export function planAcceptTable(spec: AcceptFilterSpec, name = NFT_TABLE): NftBatch {
  const t = { family: 'inet', table: name };
  const set = (n: string, type: string, elems: string[]): NftStatement =>
    ({ add: { set: { ...t, name: n, type, ...(elems.length ? { elem: [...new Set(elems)].sort() } : {}) } } });
  const chain = (n: 'in' | 'out', hook: 'input' | 'output'): NftStatement =>
    ({ add: { chain: { ...t, name: n, type: 'filter', hook, prio: NFT_PRIORITY, policy: 'accept' } } });
  const rule = (chainName: 'in' | 'out', expr: unknown[]): NftStatement => ({ add: { rule: { ...t, chain: chainName, expr } } });
  const eq = (left: unknown, right: unknown) => ({ match: { op: '==', left, right } });
  const addr = (proto: 'ip' | 'ip6', dir: 'in' | 'out') => ({ payload: { protocol: proto, field: dir === 'in' ? 'daddr' : 'saddr' } });
  const nd = eq({ payload: { protocol: 'icmpv6', field: 'type' } }, { set: ['nd-neighbor-solicit', 'nd-neighbor-advert'] });
  const drop = [{ counter: null }, { drop: null }];

  const cmds: NftStatement[] = [
    { add: table(name) }, { delete: table(name) }, { add: table(name) },
    set('vips4', 'ipv4_addr', spec.vips4), set('vips6', 'ipv6_addr', spec.vips6),
    chain('in', 'input'), chain('out', 'output'),
  ];
  for (const dir of ['in', 'out'] as const) {
    cmds.push(rule(dir, [nd, { accept: null }]));
    cmds.push(rule(dir, [eq(addr('ip', dir), '@vips4'), ...drop]));
    cmds.push(rule(dir, [eq(addr('ip6', dir), '@vips6'), ...drop]));
    for (const ll of spec.linkLocal) {
      cmds.push(rule(dir, [eq({ meta: { key: dir === 'in' ? 'iifname' : 'oifname' } }, ll.ifname), eq(addr('ip6', dir), ll.address), ...drop]));
    }
  }
  return { nftables: cmds };
}

/** Removes our table; a no-op (not an error) when it is not there. */
export function planDeleteTable(name = NFT_TABLE): NftBatch {
  return { nftables: [{ add: table(name) }, { delete: table(name) }] };
}
