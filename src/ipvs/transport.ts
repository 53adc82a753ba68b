// The one side effect the IPVS client needs: send a generic netlink request and get the replies.
// The real implementation sits on a NETLINK_GENERIC socket; tests use an in-memory fake kernel.
import type { NetlinkMessage } from '../codec/netlink/message.js';

export type { NetlinkMessage };

export interface GenlTransport {
  /**
   * Sends one request (`type` is the family id, `payload` starts with the genl header) and resolves
   * with every reply message once the kernel ACKs or ends the dump (NLMSG_DONE); the ACK and DONE
   * themselves are not included. Rejects with a SysError carrying the errno name and the kernel's
   * extended-ack text when the kernel answers with an error.
   */
  request(type: number, flags: number, payload: Uint8Array): Promise<NetlinkMessage[]>;
  close(): void;
}
