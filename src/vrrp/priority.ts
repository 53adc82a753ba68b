// Effective priority: the configured priority plus the weights of the trackers, clamped to 1-254
// so that tracking never makes an instance the address owner (255) nor "stopping" (0). An owner
// keeps 255 whatever its trackers say (keepalived ignores weights on an owner).
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX_TRACKED = 254;
export const PRIORITY_OWNER = 255;

export function effectivePriority(base: number, delta: number): number {
  if (base >= PRIORITY_OWNER) return PRIORITY_OWNER;
  return Math.max(PRIORITY_MIN, Math.min(PRIORITY_MAX_TRACKED, Math.trunc(base + delta)));
}
