// The real GenlTransport: NETLINK_GENERIC sockets from the network layer. The only file under
// src/ipvs that touches a socket; everything else takes a GenlTransport.
import { NLM_F } from '../codec/netlink/message.js';
import { NetlinkSocket, NETLINK_GENERIC } from '../net/netlink-socket.js';
import { IpvsClient } from './client.js';
import type { GenlTransport } from './transport.js';

/**
 * Sockets that dumps are spread over. The kernel runs one dump per socket at a time, and listing
 * the table is one dump of services then one dump of real servers per service. Answers are read
 * inline, so a dump normally ends before the next starts; the extra sockets only matter when an
 * answer was not queued in time and is left to the event loop.
 */
const DUMP_SOCKETS = 4;
const TIMEOUT_MS = 30_000;

export function openGenlTransport(): GenlTransport {
  // Answers read inline (no subscriptions here): a listing's dumps then cost no event-loop turn each.
  const open = () => NetlinkSocket.open(NETLINK_GENERIC, { rcvbuf: 4 << 20, inlineAnswers: true });
  const sock = open();
  // Dumps queued or running per socket (a socket's own count only sees the running one).
  const dumpers: { s: NetlinkSocket; queued: number }[] = [{ s: sock, queued: 0 }];
  /** The dump socket with the fewest dumps waiting, opening another while under the cap. */
  const dumper = (): { s: NetlinkSocket; queued: number } => {
    let best = dumpers[0]!;
    for (const d of dumpers) if (d.queued < best.queued) best = d;
    if (best.queued > 0 && dumpers.length < DUMP_SOCKETS) {
      try { best = { s: open(), queued: 0 }; dumpers.push(best); } catch { /* out of descriptors: share */ }
    }
    return best;
  };
  const dump = async (type: number, flags: number, payload: Uint8Array) => {
    const d = dumper();
    d.queued++;
    try { return await d.s.request(type, flags, payload, { op: 'ipvs netlink request', timeoutMs: TIMEOUT_MS }); } finally { d.queued--; }
  };
  // A listing's real-server dumps go to a socket that nothing else reads, so the kernel makes
  // their parts a page long instead of 32 KiB (cheaper; see sock.c netlinkDumps). One left inside
  // a dump (rare: a part not queued) is closed and the next listing opens another.
  let lister: NetlinkSocket | undefined;
  const dumpEach: NonNullable<GenlTransport['dumpEach']> = (type, payloads, each) => {
    try { lister ??= NetlinkSocket.open(NETLINK_GENERIC, { dumpsOnly: true }); } catch {
      lister = undefined;
      return sock.dumpEach(type, NLM_F.REQUEST | NLM_F.DUMP, payloads, each, 'ipvs netlink request');
    }
    const r = lister.dumpEach(type, NLM_F.REQUEST | NLM_F.DUMP, payloads, each, 'ipvs netlink request');
    if (lister.dumpLeftOpen) { lister.close(); lister = undefined; }
    return r;
  };
  return {
    request: (type, flags, payload) => ((flags & NLM_F.DUMP) === NLM_F.DUMP
      ? dump(type, flags, payload)
      : sock.request(type, flags, payload, { op: 'ipvs netlink request', timeoutMs: TIMEOUT_MS })),
    batch: (type, payloads, ops) => sock.batch(type, payloads, { ops, timeoutMs: TIMEOUT_MS }),
    // An addon built before netlinkDumps: every dump through request(), as before it.
    dumpEach: NetlinkSocket.canDumpEach ? dumpEach : undefined,
    close: () => { for (const d of dumpers) d.s.close(); lister?.close(); },
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
