// The checker port: one probe of one real server with one protocol. A checker knows its protocol
// and nothing of retries, weights or quorum (src/check/policy.ts does). Every probe settles by
// itself within its own timeout and never rejects: failures are outcomes with a reason in words.
import type { Checker, RealServer, VirtualServer } from '../config/model.js';

export interface CheckOutcome {
  ok: boolean;
  /** In words, for the log and status: `connect timeout after 1 s`, `HTTP 503 on /health`, `digest mismatch`, `exit code 1`. */
  reason: string;
  /** Short stable label for metrics (`timeout`, `refused`, `status`, `digest`, `exit`, `unreachable`, ...). */
  code: string;
  /** MISC_CHECK misc_dynamic / FILE_CHECK: the weight the real server should get while up. */
  weight?: number;
  /** Time the probe took, ms. */
  latencyMs: number;
}

/** One configured checker bound to its target; `run` may be called again after it settles. */
export interface Probe {
  run(): Promise<CheckOutcome>;
  /** Releases sockets/pools; an in-flight run settles as failed. */
  close(): void;
}

/** Where a checker connects: connect_ip / connect_port, else the real server's address and port. */
export interface CheckTarget {
  address: string;
  family: 4 | 6;
  port: number;
}

export interface ProbeContext {
  vs: VirtualServer;
  rs: RealServer;
  target: CheckTarget;
}

/** Builds the probe for one checker (src/check/factory.ts has the real one; tests build fakes). */
export type ProbeFactory = (check: Checker, ctx: ProbeContext) => Probe;

export function targetOf(check: Checker, rs: RealServer): CheckTarget {
  const address = check.connectIp ?? rs.address;
  const family: 4 | 6 = address.includes(':') ? 6 : 4;
  return { address, family, port: check.connectPort ?? rs.port };
}

/** Milliseconds as operators read them: `1 s`, `1.5 s`, `250 ms`. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(3))} s` : `${Math.round(ms)} ms`;
}

/** What a probe answers once closed, or when close() ends a run in flight. */
export function closedOutcome(): CheckOutcome { return { ok: false, code: 'closed', reason: 'probe closed', latencyMs: 0 }; }

/**
 * A probe from one attempt: a run while one is in flight joins it (a checker never overlaps itself),
 * a closed probe answers `closed` at once, and close() calls `onClose` to end the run in flight.
 */
export function singleFlight(attempt: () => Promise<CheckOutcome>, onClose: () => void): Probe {
  let closed = false;
  let inflight: Promise<CheckOutcome> | undefined;
  return {
    run(): Promise<CheckOutcome> {
      if (closed) return Promise.resolve(closedOutcome());
      inflight ??= attempt().finally(() => { inflight = undefined; });
      return inflight;
    },
    close(): void { closed = true; onClose(); },
  };
}
