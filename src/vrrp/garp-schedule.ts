// When to send gratuitous ARPs / unsolicited NAs, keepalived's timing, pure (offsets in ms):
// - a burst is `repeat` rounds, each round announcing every address once (vrrp_send_link_update);
// - takeover: a burst at once and, with garp_master_delay > 0, a second one after it;
// - a master hearing a lower priority: a garp_lower_prio_repeat burst at once and a second one
//   after garp_lower_prio_delay; garp_lower_prio_repeat 0 sends nothing (keepalived tests `if (rep)`);
// - garp_master_refresh: a garp_master_refresh_repeat burst every period.
// garp_interval / gna_interval are not gaps between rounds: keepalived paces each interface
// (garp-pacer.ts): a message due before the interface is free marks its address pending, and the
// pending ones go out one per interval later. The flag is per address, so the repeats of a burst
// collapse: with an interval, one VIP and repeat 5 give 2 ARPs (one now, one an interval later),
// which is what keepalived 2.2.7 puts on the wire.
import type { GarpTiming } from '../config/model.js';
import { due, emptyPacer, offer, type PacerResult } from './garp-pacer.js';

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
 * The messages on the wire for one instance alone, as keepalived's pacing produces them (see the
 * top of the file; garp-pacer.ts does the pacing, shared by the instances on an interface at run
 * time): the bursts' rounds offered at their times, the pending addresses sent when due.
 */
export function pace(list: Burst[], addrs: GarpAddress[], gaps: { arp: number; na: number }): GarpSend[] {
  const out: GarpSend[] = [];
  const who = { owner: 0, rank: 0 };
  let s = emptyPacer();
  let wake: number | undefined;
  const take = (atMs: number, r: PacerResult): void => {
    for (const m of r.sends) out.push({ atMs, dev: m.dev, addresses: m.addresses });
    s = r.state;
    wake = r.wakeAtMs;
  };
  const drain = (until: number): void => { while (wake !== undefined && wake < until) take(wake, due(s, wake)); };
  for (const b of [...list].sort((x, y) => x.atMs - y.atMs)) {
    drain(b.atMs);
    for (let round = 0; round < b.repeat; round++) take(b.atMs, offer(s, b.atMs, who, addrs, gaps));
  }
  drain(Infinity);
  return out;
}
