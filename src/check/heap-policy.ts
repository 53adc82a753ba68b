// How far V8 lets the heap grow between full collections in a process that runs checkers. At
// 11,000 checks a second the live heap is ~50 MB, but every check leaves a little garbage that
// survives long enough to be promoted (its result and state live a whole delay_loop), and V8's
// default growth factor (up to 4x the live size when allocation is fast) let the old generation
// reach ~200 MB before it was collected: RSS 250-280 MB. At 1.5x the full collections came every
// few seconds instead (~50 ms each): RSS about 160 MB for the same CPU per check. At 1.3x (with
// ~33 MB live) they come every ~1.5 s and the old generation stays ~7 MB smaller, for CPU per
// check within the runs' noise (bench/README.md, "checkers at scale", fourth pass).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const HEAP_GROWING_PERCENT = 30;

/** The V8 flag to set, or undefined when the operator already chose one (node flags or NODE_OPTIONS). */
export function heapGrowthFlag(nodeArgs: readonly string[]): string | undefined {
  if (nodeArgs.some((a) => a === '--heap-growing-percent' || a.startsWith('--heap-growing-percent=') || a.startsWith('--heap_growing_percent'))) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/**
 * Sets the growth factor for this process (V8 reads it at each collection), then collects once:
 * true when the factor was set. Loading an 11,000-server configuration leaves ~45 MB of garbage
 * in the old generation under a limit V8 worked out before the factor was set, and with checks
 * promoting little it stayed there for 15 s or more after start (RSS 167 MB with 26 MB live).
 */
export function applyCheckerHeapPolicy(): boolean {
  const flag = heapGrowthFlag([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]);
  if (flag) setFlagsFromString(flag);
  collectGarbageNow();
  return flag !== undefined;
}

/**
 * One full collection, from V8's own `gc` (what --expose-gc gives), fetched through a fresh vm
 * context while the flag is briefly on, so that no global `gc` is left in the daemon's context.
 * False when this V8 gave none (nothing is collected then).
 */
export function collectGarbageNow(): boolean {
  setFlagsFromString('--expose-gc');
  let gc: unknown;
  try { gc = runInNewContext('typeof gc === "function" ? gc : undefined'); } finally { setFlagsFromString('--no-expose-gc'); }
  if (typeof gc !== 'function') return false;
  (gc as () => void)();
  return true;
}
