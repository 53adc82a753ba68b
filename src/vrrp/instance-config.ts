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
    initialState: spec.state,
    nopreempt: !spec.preempt,
    preemptDelayMs: spec.preemptDelayMs,
    primaryAddr,
  };
}

export function receiveConfig(spec: VrrpInstance): ReceiveConfig {
  return {
    version: spec.version, family: spec.family, vrid: spec.vrid, advertIntervalCs: Math.round(spec.advertIntervalMs / 10),
    checksumMode: spec.v3ChecksumAsV2 ? 'plain' : 'pseudo-header',
    auth: spec.authPass !== undefined ? { type: 'pass', password: spec.authPass } : { type: 'none' },
    ...(spec.unicastPeers.length ? { allowedPeers: spec.unicastPeers.map((p) => parseIP(p.address).addr) } : {}),
  };
}
