// nf_tables over nfnetlink (linux/netfilter/nfnetlink.h, nf_tables.h): only what the daemon asks
// the kernel itself, whether a table exists. Everything that changes the ruleset goes through nft.
// Pure: bytes out.
import { ByteWriter } from '../../lib/bytes.js';
import { encodeAttrs } from './attrs.js';

/** The netlink protocol of netfilter's subsystems (NETLINK_NETFILTER). */
export const NETLINK_NETFILTER = 12;
/** nlmsg_type is the subsystem in the high byte and its message in the low one. */
export const NFT_MSG_GETTABLE = (10 /* NFNL_SUBSYS_NFTABLES */ << 8) | 1;
export const NFPROTO_INET = 1;

const TABLE_ATTRS = { name: { id: 1 /* NFTA_TABLE_NAME */, type: 'string' } } as const;

/** NFT_MSG_GETTABLE's payload for one table: struct nfgenmsg (family, NFNETLINK_V0, res_id 0), then its name. */
export function encodeGetTable(family: number, name: string): Buffer {
  const attrs = encodeAttrs(TABLE_ATTRS, { name });
  return new ByteWriter(4 + attrs.length).u8(family).u8(0).u16(0).bytes(attrs).finish();
}
