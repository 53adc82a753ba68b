// A virtual server's pool, pure: from its real servers' health to the destinations IPVS should
// hold, with keepalived's quorum rules (ipwrapper.c update_quorum_state): the pool gains quorum
// when the weight of live servers reaches quorum + hysteresis and loses it below
// quorum - hysteresis (or at zero). While quorum is lost the sorry server, if any, replaces the
// live servers; `inhibit_on_failure` keeps a dead server at weight 0 so its connections drain.
import type { LbKind, RealServer, VirtualServer } from '../config/model.js';
import type { DestSpec, ForwardMethod } from '../ipvs/model.js';

export const FORWARD: Record<LbKind, ForwardMethod> = { NAT: 'masq', DR: 'route', TUN: 'tunnel' };

export interface RsView {
  rs: RealServer;
  up: boolean;
  /** The weight while up (configured, or the last dynamic weight). */
  weight: number;
}

export interface PoolState { quorumUp: boolean }

export interface PoolEvent {
  type: 'quorum-up' | 'quorum-down';
  /** Sum of the weights of live real servers, and the threshold it was compared with. */
  weightSum: number;
  threshold: number;
}

export interface PoolResult {
  state: PoolState;
  events: PoolEvent[];
  dests: DestSpec[];
  sorryActive: boolean;
}

/** keepalived starts every pool with quorum, so a pool that is short at start reports the loss. */
export function initialPoolState(): PoolState { return { quorumUp: true }; }

export function destOf(rs: Pick<RealServer, 'family' | 'address' | 'port' | 'lbKind' | 'upperThreshold' | 'lowerThreshold'>, weight: number): DestSpec {
  return {
    family: rs.family, address: rs.address, port: rs.port, forward: FORWARD[rs.lbKind],
    weight, upperThreshold: rs.upperThreshold, lowerThreshold: rs.lowerThreshold,
  };
}

export function evaluatePool(vs: Pick<VirtualServer, 'quorum' | 'hysteresis' | 'sorryServer'>, views: readonly RsView[], st: PoolState): PoolResult {
  const weightSum = views.reduce((n, v) => n + (v.up ? v.weight : 0), 0);
  const threshold = vs.quorum + (st.quorumUp ? -vs.hysteresis : vs.hysteresis);
  const events: PoolEvent[] = [];
  let quorumUp = st.quorumUp;
  if (!quorumUp && weightSum >= threshold) { quorumUp = true; events.push({ type: 'quorum-up', weightSum, threshold }); }
  else if (quorumUp && (weightSum === 0 || weightSum < threshold)) { quorumUp = false; events.push({ type: 'quorum-down', weightSum, threshold }); }

  const sorry = vs.sorryServer;
  const sorryActive = !quorumUp && sorry !== undefined;
  const dests: DestSpec[] = [];
  for (const v of views) {
    if (v.up && !sorryActive) dests.push(destOf(v.rs, v.weight));
    else if (!v.up && v.rs.inhibitOnFailure) dests.push(destOf(v.rs, 0));
  }
  if (sorry && (sorryActive || sorry.inhibit)) {
    dests.push(destOf({ ...sorry, upperThreshold: 0, lowerThreshold: 0 }, sorryActive ? 1 : 0));
  }
  return { state: { quorumUp }, events, dests, sorryActive };
}
