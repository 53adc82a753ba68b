// An instance's configuration as the pure pieces see it: the machine's MachineConfig and the
// receive validation's ReceiveConfig. Built at start and again by an in-place reload.
import type { VrrpInstance } from '../config/model.js';
import { parseIP } from '../lib/ip.js';
import type { MachineConfig } from './machine.js';
import type { ReceiveConfig } from './validate.js';

export function machineConfig(spec: VrrpInstance, primaryAddr: Uint8Array): MachineConfig {
  return {
    version: spec.version,
    priority: spec.priority,
    advertIntervalCs: Math.round(spec.advertIntervalMs / 10),
    // keepalived clears an initial MASTER with AH: its fresh sequence counter would be a replay.
    initialState: spec.authType === 'AH' ? 'BACKUP' : spec.state,
    nopreempt: !spec.preempt,
    preemptDelayMs: spec.preemptDelayMs,
    primaryAddr,
    stepDownAdvert: spec.higherPrioSendAdvert !== false,
    lowerPrioNoAdvert: spec.lowerPrioNoAdvert === true,
  };
}

export function receiveConfig(spec: VrrpInstance): ReceiveConfig {
  const ttlRanges = spec.unicastPeers.filter((p) => p.minTtl !== undefined || p.maxTtl !== undefined)
    .map((p) => ({ addr: parseIP(p.address).addr, minTtl: p.minTtl ?? 0, maxTtl: p.maxTtl ?? 255 }));
  return {
    version: spec.version, family: spec.family, vrid: spec.vrid, advertIntervalCs: Math.round(spec.advertIntervalMs / 10),
    checksumMode: spec.v3ChecksumAsV2 ? 'plain' : 'pseudo-header',
    auth: spec.authPass === undefined ? { type: 'none' } : { type: spec.authType === 'AH' ? 'ah' : 'pass', password: spec.authPass },
    ...(checksSource(spec) ? { allowedPeers: spec.unicastPeers.map((p) => parseIP(p.address).addr) } : {}),
    ...(ttlRanges.length ? { peerTtls: ttlRanges } : {}),
    ...(spec.authType === 'AH' ? { ahZeroTtl: spec.unicastPeers.length > 0 } : {}),
  };
}

/** check_unicast_src (default on here), or keepalived's implied one with a peer's TTL range. */
function checksSource(spec: VrrpInstance): boolean {
  if (!spec.unicastPeers.length) return false;
  return spec.checkUnicastSrc !== false || spec.unicastPeers.some((p) => p.minTtl !== undefined || p.maxTtl !== undefined);
}
