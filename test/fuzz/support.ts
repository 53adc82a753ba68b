// Shared rules for the fuzz targets in test/fuzz/targets/ (Jazzer.js shape: `fuzz(data: Buffer)`).
// A target throws only on a real bug: a decoder that throws what it does not document (TypeError,
// RangeError from a DataView, an assertion broken), or that breaks an invariant of its own result.
// Decoders documented to throw (the netlink family) may throw only their named errors.
import { ShortBufferError } from '../../src/lib/bytes.js';
import { VipError } from '../../src/lib/errors.js';

/** A broken invariant found by a target: always a bug. */
export class FuzzBug extends Error {
  constructor(message: string) { super(message); this.name = 'FuzzBug'; }
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new FuzzBug(message);
}

/**
 * The errors a netlink decoder may throw on bad input (a named error): ShortBufferError
 * ('short-buffer'), a VipError with a code, or a plain Error whose message names the layer
 * ("netlink: ...", "genl: ..."). Anything else (TypeError, RangeError, ...) is a bug.
 */
export function isNamedDecodeError(e: unknown): boolean {
  if (e instanceof ShortBufferError || e instanceof VipError) return true;
  return e instanceof Error && Object.getPrototypeOf(e) === Error.prototype && /^(netlink|genl|ipvs|rtnl):/.test(e.message);
}

/** Runs a decoder that may throw only named errors; returns undefined for a named error. */
export function namedOrValue<T>(fn: () => T): T | undefined {
  try { return fn(); } catch (e) {
    if (isNamedDecodeError(e)) return undefined;
    throw e;
  }
}

/** For "never throws" decoders: a result with ok:false must carry a non-empty string reason. */
export function checkDecoded(r: { ok: boolean; reason?: unknown; error?: unknown }, what: string): void {
  check(r && typeof r.ok === 'boolean', `${what}: result without ok`);
  if (!r.ok) {
    const why = r.reason ?? r.error;
    check(typeof why === 'string' && why.length > 0, `${what}: failure without a named reason`);
  }
}

/** Splits fuzz bytes into a leading control byte and the rest. */
export function control(data: Buffer): { c: number; rest: Buffer } {
  return { c: data.length ? data[0]! : 0, rest: data.subarray(1) };
}
