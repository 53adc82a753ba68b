// Gratuitous ARP / unsolicited NA pacing per interface, across every instance on it, pure.
// keepalived (vrrp_arp.c, vrrp_ndisc.c, vrrp_scheduler.c) keeps per interface the time the next
// ARP (NA) may leave, garp_interval (gna_interval) after the last one. A message due earlier is
// not sent: its address is marked pending (one flag per instance and address, so repeats
// collapse), and the pending ones leave one per interval per interface, in instance order, then
// in address order. With no interval nothing is held back.
export interface PacedAddress { dev: string; address: string; family: 4 | 6 }

/** One announce call: addresses of one owner on one interface, to send now. */
export interface PacerSend { owner: number; dev: string; addresses: string[] }

interface Line { nextMs: number; gapMs: number }
interface Pending { owner: number; rank: number; index: number; addr: PacedAddress }

export interface PacerState {
  /** Per interface and family: when the next message may leave, and the interval in force. */
  readonly lines: ReadonlyMap<string, Line>;
  readonly pending: readonly Pending[];
}

export interface PacerResult {
  state: PacerState;
  sends: PacerSend[];
  /** When due() has something to send next (absent: nothing pending). */
  wakeAtMs: number | undefined;
}

/** Who offers: `owner` names the instance's mastership, `rank` orders instances (config order). */
export interface Offerer { owner: number; rank: number }

export const emptyPacer = (): PacerState => ({ lines: new Map(), pending: [] });

const lineKey = (a: PacedAddress): string => `${a.dev}\0${a.family}`;

/** One round of `addrs` (vrrp_send_link_update): each is sent now if its interface is free. */
export function offer(s: PacerState, nowMs: number, who: Offerer, addrs: readonly PacedAddress[], gaps: { arp: number; na: number }): PacerResult {
  const lines = new Map(s.lines);
  const pending = [...s.pending];
  const sent: PacedAddress[] = [];
  addrs.forEach((a, index) => {
    const key = lineKey(a);
    // keepalived keeps one interval per interface: the instance offering now sets it.
    const gapMs = Math.max(0, a.family === 4 ? gaps.arp : gaps.na);
    const line = lines.get(key);
    if (gapMs === 0 || !line || nowMs >= line.nextMs) {
      sent.push(a);
      lines.set(key, { nextMs: nowMs + gapMs, gapMs });
      return;
    }
    lines.set(key, { ...line, gapMs });
    if (!pending.some((p) => p.owner === who.owner && p.addr.dev === a.dev && p.addr.address === a.address)) {
      pending.push({ owner: who.owner, rank: who.rank, index, addr: a });
    }
  });
  pending.sort((x, y) => x.rank - y.rank || x.owner - y.owner || x.index - y.index);
  const state = { lines, pending };
  return { state, sends: group(sent.map((addr) => ({ owner: who.owner, addr }))), wakeAtMs: wakeAt(state) };
}

/** The pending messages whose interface is free at `nowMs`: at most one per interface. */
export function due(s: PacerState, nowMs: number): PacerResult {
  const lines = new Map(s.lines);
  const pending: Pending[] = [];
  const sent: { owner: number; addr: PacedAddress }[] = [];
  for (const p of s.pending) {
    const key = lineKey(p.addr);
    const line = lines.get(key);
    if (line && nowMs < line.nextMs) { pending.push(p); continue; }
    sent.push({ owner: p.owner, addr: p.addr });
    lines.set(key, { nextMs: nowMs + (line?.gapMs ?? 0), gapMs: line?.gapMs ?? 0 });
  }
  const state = { lines, pending };
  return { state, sends: group(sent), wakeAtMs: wakeAt(state) };
}

/** Forgets an owner's pending addresses (its mastership ended). */
export function dropOwner(s: PacerState, owner: number): PacerState {
  return { lines: s.lines, pending: s.pending.filter((p) => p.owner !== owner) };
}

function wakeAt(s: PacerState): number | undefined {
  let at: number | undefined;
  for (const p of s.pending) {
    const n = s.lines.get(lineKey(p.addr))?.nextMs ?? 0;
    if (at === undefined || n < at) at = n;
  }
  return at;
}

/** One call per owner and interface, in first-seen order (a round goes out interface by interface). */
function group(list: { owner: number; addr: PacedAddress }[]): PacerSend[] {
  const out: PacerSend[] = [];
  for (const { owner, addr } of list) {
    const g = out.find((x) => x.owner === owner && x.dev === addr.dev);
    if (g) g.addresses.push(addr.address); else out.push({ owner, dev: addr.dev, addresses: [addr.address] });
  }
  return out;
}
