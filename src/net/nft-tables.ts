// Whether an nftables table exists in this process's network namespace, asked of the kernel over
// nfnetlink instead of by running nft: the daemon looks for a crashed run's table at every start,
// and a child process would keep node's child_process, net and stream modules (~1 MB) for its life.
import { SysError } from '../lib/errors.js';
import { NETLINK_NETFILTER, NFPROTO_INET, NFT_MSG_GETTABLE, encodeGetTable } from '../codec/netlink/nftables.js';
import { NetlinkSocket } from './netlink-socket.js';

/** Errors that mean "no nf_tables here, so no table": no nfnetlink, or no nf_tables subsystem behind it. */
const NO_NFTABLES = new Set(['EPROTONOSUPPORT', 'EAFNOSUPPORT', 'EOPNOTSUPP']);

/** Whether table `inet NAME` exists; rejects (a SysError) when the kernel cannot tell, e.g. EPERM. */
export async function inetTableExists(name: string): Promise<boolean> {
  const op = `look up nftables table inet ${name}`;
  let sock: NetlinkSocket;
  try { sock = NetlinkSocket.open(NETLINK_NETFILTER, { rcvbuf: 64 << 10, inlineAnswers: true }); } catch (e) {
    if (e instanceof SysError && NO_NFTABLES.has(e.code)) return false;
    throw e;
  }
  try {
    await sock.request(NFT_MSG_GETTABLE, 0, encodeGetTable(NFPROTO_INET, name), { op });
    return true;
  } catch (e) {
    if (e instanceof SysError && (e.code === 'ENOENT' || NO_NFTABLES.has(e.code))) return false;
    throw e;
  } finally { sock.close(); }
}
