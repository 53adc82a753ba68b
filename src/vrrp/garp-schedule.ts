// When to send gratuitous ARPs / unsolicited NAs, keepalived's timing, pure (offsets in ms):
// - a burst is `repeat` rounds, each round announcing every address once (vrrp_send_link_update);
// - takeover: a burst at once and, with garp_master_delay > 0, a second one after it;
// - a master hearing a lower priority: a garp_lower_prio_repeat burst at once and a second one
//   after garp_lower_prio_delay; garp_lower_prio_repeat 0 sends nothing (keepalived tests `if (rep)`);
// - garp_master_refresh: a garp_master_refresh_repeat burst every period.
// garp_interval / gna_interval are not gaps between rounds. keepalived (vrrp_arp.c, vrrp_ndisc.c)
// keeps per interface the time the next ARP (NA) may leave: a message due earlier is not sent but
// marks its address "pending", and the pending addresses go out one per interval later. A pending
// flag is per address, so the repeats of a burst collapse: with an interval, one VIP and repeat 5
// give 2 ARPs (one now, one an interval later), which is what keepalived 2.2.7 puts on the wire.
import type { GarpTiming } from '../config/model.js';

/** One burst: `repeat` rounds starting at `atMs`. */
export interface Burst { atMs: number; repeat: number }

export interface GarpAddress { dev: string; address: string; family: 4 | 6 }

/** What to announce at one instant on one interface: one round's addresses (one announce call). */
export interface GarpSend { atMs: number; dev: string; addresses: string[] }

export type GarpReason = 'takeover' | 'heal' | 'refresh';

export function bursts(t: GarpTiming, reason: GarpReason): Burst[] {
  if (reason === 'refresh') return [{ atMs: 0, repeat: Math.max(1, t.masterRefreshRepeat) }];
  const [repeat, delay] = reason === 'takeover' ? [Math.max(1, t.masterRepeat), t.masterDelayMs] : [t.lowerPrioRepeat, t.lowerPrioDelayMs];
  if (repeat <= 0) return [];
  return delay > 0 ? [{ atMs: 0, repeat }, { atMs: delay, repeat }] : [{ atMs: 0, repeat }];
}

/**
 * The messages on the wire, as keepalived's pacing produces them (see the top of the file): per
 * interface and family, with no interval every round of every address at the burst's time; with
 * one, a message is sent when the interface is free and otherwise leaves its address pending.
 * Messages sent at the same instant on one interface are grouped by round, in list order.
 */
export function pace(list: Burst[], addrs: GarpAddress[], gaps: { arp: number; na: number }): GarpSend[] {
  const out: (GarpSend & { order: number })[] = [];
  const queues = new Map<string, GarpAddress[]>();
  for (const a of addrs) {
    const k = `${a.dev}\0${a.family}`;
    queues.set(k, [...(queues.get(k) ?? []), a]);
  }
  const put = (atMs: number, a: GarpAddress, order: number): void => {
    const last = out.find((s) => s.atMs === atMs && s.dev === a.dev && s.order === order);
    if (last) last.addresses.push(a.address); else out.push({ atMs, dev: a.dev, addresses: [a.address], order });
  };
  const sorted = [...list].sort((x, y) => x.atMs - y.atMs);
  for (const q of queues.values()) {
    const gap = q[0]!.family === 4 ? gaps.arp : gaps.na;
    let next = -Infinity;
    const pending = new Set<number>();
    // The pending addresses leave one per interval, in list order, before `until`.
    const drain = (until: number): void => {
      for (const i of [...pending].sort((x, y) => x - y)) {
        if (next >= until) return;
        put(next, q[i]!, Number.MAX_SAFE_INTEGER);
        pending.delete(i);
        next += gap;
      }
    };
    sorted.forEach((b, bi) => {
      drain(b.atMs);
      for (let round = 0; round < b.repeat; round++) {
        q.forEach((a, i) => {
          if (gap <= 0 || next <= b.atMs) { put(b.atMs, a, bi * 1e6 + round); next = b.atMs + gap; } else pending.add(i);
        });
      }
    });
    drain(Infinity);
  }
  // Same instant: round by round across interfaces, as vrrp_send_link_update loops.
  return out.sort((x, y) => x.atMs - y.atMs || x.order - y.order).map(({ order: _, ...send }) => send);
}
