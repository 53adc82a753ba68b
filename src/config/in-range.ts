// The tests behind range() and msRange() (semantic-vrrp.ts), alone: a caller checking 10,000 real
// servers asks these first and builds a path and a message only for a value that fails.

/** An integer within [min, max], or absent (absent values take their default elsewhere). */
export const inRange = (v: number | undefined, min: number, max: number): boolean =>
  v === undefined || (Number.isInteger(v) && v >= min && v <= max);

/** A duration in ms within [minMs, maxMs], or absent. */
export const inMsRange = (v: number | undefined, minMs: number, maxMs: number): boolean =>
  v === undefined || (v >= minMs && v <= maxMs);
