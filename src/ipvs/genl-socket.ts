// The real GenlTransport: a NETLINK_GENERIC socket from the network layer. The only file under
// src/ipvs that touches a socket; everything else takes a GenlTransport.
import { NetlinkSocket, NETLINK_GENERIC } from '../net/netlink-socket.js';
import { IpvsClient } from './client.js';
import type { GenlTransport } from './transport.js';

export function openGenlTransport(): GenlTransport {
  const sock = NetlinkSocket.open(NETLINK_GENERIC, { rcvbuf: 4 << 20 });
  return {
    request: (type, flags, payload) => sock.request(type, flags, payload, { op: 'ipvs netlink request', timeoutMs: 30_000 }),
    close: () => sock.close(),
  };
}

/** Opens a generic netlink socket and resolves the IPVS family (closing the socket if that fails). */
export async function openIpvs(): Promise<IpvsClient> {
  const t = openGenlTransport();
  try {
    return await IpvsClient.open(t);
  } catch (e) {
    t.close();
    throw e;
  }
}
