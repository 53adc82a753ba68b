// A virtual server, real server and checker timings for probe tests: the probes under test read
// only their own checker's fields and the target, so the rest is a plausible minimum.
import type { CheckerCommon, RealServer, VirtualServer } from '../../../src/config/model.js';
import type { CheckTarget, ProbeContext } from '../../../src/check/checker.js';

export function common(over: Partial<CheckerCommon> = {}): CheckerCommon {
  return {
    connectTimeoutMs: 3000, retry: 0, delayBeforeRetryMs: 1000, delayLoopMs: 60_000, warmupMs: 0, alpha: false,
    ...over,
  };
}

export function probeContext(target: Partial<CheckTarget> = {}, rsWeight = 10): ProbeContext {
  const rs: RealServer = {
    address: target.address ?? '127.0.0.1', family: target.family ?? 4, port: target.port ?? 0,
    weight: rsWeight, lbKind: 'NAT', inhibitOnFailure: false, upperThreshold: 0, lowerThreshold: 0, checkers: [],
  };
  const vs: VirtualServer = {
    name: '10.9.9.9:80/TCP', kind: 'addr', address: '10.9.9.9', port: 80, family: 4, protocol: 'TCP',
    lbAlgo: 'wlc', schedFlags: [], ops: false, lbKind: 'NAT', quorum: 1, hysteresis: 0,
    alpha: false, omega: false, haSuspend: false, inhibitOnFailure: false, realServers: [rs],
  };
  return { vs, rs, target: { address: rs.address, family: rs.family, port: rs.port } };
}
