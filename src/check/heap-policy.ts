// How far V8 lets the heap grow between full collections in a process that runs checkers. At
// 11,000 checks a second the live heap is ~50 MB, but every check leaves a little garbage that
// survives long enough to be promoted (its result and state live a whole delay_loop), and V8's
// default growth factor (up to 4x the live size when allocation is fast) let the old generation
// reach ~200 MB before it was collected: RSS 250-280 MB. At 1.5x the full collections come every
// few seconds instead (~50 ms each): RSS about 160 MB for the same CPU per check (bench/README.md).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** The V8 flag to set, or undefined when the operator already chose one (node flags or NODE_OPTIONS). */
export function heapGrowthFlag(nodeArgs: readonly string[]): string | undefined {
  if (nodeArgs.some((a) => a === '--heap-growing-percent' || a.startsWith('--heap-growing-percent=') || a.startsWith('--heap_growing_percent'))) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Sets the growth factor for this process (V8 reads it at each collection); true when set. */
export function applyCheckerHeapPolicy(): boolean {
  const flag = heapGrowthFlag([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]);
  if (flag) setFlagsFromString(flag);
  return flag !== undefined;
}
