// The real GenlTransport: NETLINK_GENERIC sockets from the network layer. The only file under
// src/ipvs that touches a socket; everything else takes a GenlTransport.
import { NLM_F } from '../codec/netlink/message.js';
import { NetlinkSocket, NETLINK_GENERIC } from '../net/netlink-socket.js';
import { IpvsClient } from './client.js';
import { askAgain, type GenlTransport } from './transport.js';

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
  // Opened at the first request that needs it: a listing reads everything through `lister`.
  let sock: NetlinkSocket | undefined;
  const main = (): NetlinkSocket => (sock ??= open());
  // Dumps queued or running per socket (a socket's own count only sees the running one).
  const dumpers: { s: NetlinkSocket; queued: number }[] = [];
  /** The dump socket with the fewest dumps waiting, opening another while under the cap. */
  const dumper = (): { s: NetlinkSocket; queued: number } => {
    if (!dumpers.length) dumpers.push({ s: main(), queued: 0 });
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
  // A listing's requests go to a socket that nothing else reads, so the kernel makes its dumps'
  // parts a page long instead of 32 KiB (cheaper; see sock.c netlinkDumps). One left inside a
  // dump (rare: a part not queued) is closed and the next listing opens another.
  let lister: NetlinkSocket | undefined;
  const inline = (type: number, flags: number, payloads: readonly Uint8Array[], each: Parameters<NetlinkSocket['dumpEach']>[3]) => {
    try { lister ??= NetlinkSocket.open(NETLINK_GENERIC, { dumpsOnly: true }); } catch {
      lister = undefined;
      return main().dumpEach(type, flags, payloads, each, 'ipvs netlink request');
    }
    const r = lister.dumpEach(type, flags, payloads, each, 'ipvs netlink request');
    if (lister.dumpLeftOpen) { lister.close(); lister = undefined; }
    return r;
  };
  const dumpEach: NonNullable<GenlTransport['dumpEach']> = (type, payloads, each) => inline(type, NLM_F.REQUEST | NLM_F.DUMP, payloads, each);
  const requestNow: NonNullable<GenlTransport['requestNow']> = (type, flags, payload) => {
    const out: Uint8Array[] = [];
    const r = inline(type, flags, [payload], (_i, data, start, end) => { out.push(Uint8Array.prototype.slice.call(data, start, end)); });
    if (!r.error) return out;
    if (askAgain(r.error)) return undefined;
    throw r.error;
  };
  // An addon built before netlinkDumps: every request through request(), as before it.
  const can = NetlinkSocket.canDumpEach;
  return {
    request: (type, flags, payload) => ((flags & NLM_F.DUMP) === NLM_F.DUMP
      ? dump(type, flags, payload)
      : main().request(type, flags, payload, { op: 'ipvs netlink request', timeoutMs: TIMEOUT_MS })),
    batch: (type, payloads, ops) => main().batch(type, payloads, { ops, timeoutMs: TIMEOUT_MS }),
    dumpEach: can ? dumpEach : undefined,
    requestNow: can ? requestNow : undefined,
    close: () => { sock?.close(); for (const d of dumpers) if (d.s !== sock) d.s.close(); lister?.close(); },
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
