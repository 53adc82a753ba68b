// The one side effect the IPVS client needs: send a generic netlink request and get the replies.
// The real implementation sits on a NETLINK_GENERIC socket; tests use an in-memory fake kernel.
import type { NetlinkMessage } from '../codec/netlink/message.js';
import { SysError } from '../lib/errors.js';

export type { NetlinkMessage };

export interface GenlTransport {
  /**
   * Sends one request (`type` is the family id, `payload` starts with the genl header) and resolves
   * with every reply message once the kernel ACKs or ends the dump (NLMSG_DONE); the ACK and DONE
   * themselves are not included. Rejects with a SysError carrying the errno name and the kernel's
   * extended-ack text when the kernel answers with an error.
   */
  request(type: number, flags: number, payload: Uint8Array): Promise<NetlinkMessage[]>;
  /**
   * Optional: sends many change requests at once (one datagram on a real socket) and resolves with
   * one entry per request, undefined when applied or its error. The requests are handled in order
   * and a failed one does not stop the later ones. Rejecting means the outcome of the whole batch
   * is unknown. Transports without it get one request at a time.
   */
  batch?(type: number, payloads: readonly Uint8Array[], ops: (i: number) => string): Promise<(Error | undefined)[]>;
  /**
   * Optional: dumps run one after the other, each read to its end before returning (a listing's
   * thousand per-service dumps then skip the event loop), each reply's genl payload handed to
   * `each(i, data, start, end)` in place. Returns how many completed, in order, and why the next
   * failed: a SysError; EINTR, EBUSY and EAGAIN mean "use request() for that one" (see
   * NetlinkSocket.dumpEach).
   */
  dumpEach?(type: number, payloads: readonly Uint8Array[], each: (i: number, data: Buffer, start: number, end: number) => void): { done: number; error?: Error };
  /**
   * Optional: one request (not a dump) sent and its answer read before returning, with no promise
   * or event-loop turn: the genl payload of each reply, copied. Throws what the kernel answered
   * (a SysError); undefined when it could not be read that way (EINTR, EBUSY, EAGAIN): then use
   * request(). A listing's family lookup and GET_INFO go this way.
   */
  requestNow?(type: number, flags: number, payload: Uint8Array): Uint8Array[] | undefined;
  close(): void;
}

/** An inline dump or request refused as busy, interrupted or not queued: asked again through request(). */
export function askAgain(e: Error): boolean {
  const code = e instanceof SysError ? e.errno : '';
  return code === 'EINTR' || code === 'EBUSY' || code === 'EAGAIN';
}
