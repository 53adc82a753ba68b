// RFC timer maths for VRRP, in one place. All results are exact: every formula divides by 256,
// which binary floating point represents without rounding, so ms values may carry a fraction
// (e.g. 218.75 ms) and the runtime rounds only when it hands them to a real timer.
//
// VRRPv2 (RFC 3768 §6.1): Advertisement_Interval in seconds,
//   Skew_Time = (256 - Priority) / 256 seconds, Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time.
// VRRPv3 (RFC 5798 §6.1): Master_Adver_Interval in centiseconds,
//   Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 centiseconds,
//   Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time.
// "Priority" is the effective priority (base priority adjusted by trackers), as keepalived uses.

export type VrrpVersion = 2 | 3;

/** v2 Skew_Time in seconds (RFC 3768 §6.1). */
export function skewTimeV2Seconds(priority: number): number {
  return (256 - priority) / 256;
}

/** v2 Master_Down_Interval in seconds (RFC 3768 §6.1). */
export function masterDownIntervalV2Seconds(advertIntervalSeconds: number, priority: number): number {
  return 3 * advertIntervalSeconds + skewTimeV2Seconds(priority);
}

/** v3 Skew_Time in centiseconds (RFC 5798 §6.1). */
export function skewTimeV3Cs(masterAdverIntervalCs: number, priority: number): number {
  return ((256 - priority) * masterAdverIntervalCs) / 256;
}

/** v3 Master_Down_Interval in centiseconds (RFC 5798 §6.1). */
export function masterDownIntervalV3Cs(masterAdverIntervalCs: number, priority: number): number {
  return 3 * masterAdverIntervalCs + skewTimeV3Cs(masterAdverIntervalCs, priority);
}

/**
 * Skew_Time in milliseconds for either version. For v2 the interval is ignored (the v2 skew does
 * not scale with the interval); for v3 it is Master_Adver_Interval in centiseconds.
 */
export function skewTimeMs(version: VrrpVersion, priority: number, intervalCs: number): number {
  return version === 2 ? skewTimeV2Seconds(priority) * 1000 : skewTimeV3Cs(intervalCs, priority) * 10;
}

/**
 * Master_Down_Interval in milliseconds. v2: intervalCs is the configured Advertisement_Interval
 * (a whole number of seconds, given in cs); v3: Master_Adver_Interval in cs.
 */
export function masterDownIntervalMs(version: VrrpVersion, priority: number, intervalCs: number): number {
  return 3 * intervalCs * 10 + skewTimeMs(version, priority, intervalCs);
}

/** Centiseconds to milliseconds. */
export function csToMs(cs: number): number {
  return cs * 10;
}

/**
 * The master's next advert on an absolute schedule: one interval after the deadline that just
 * passed, not after `now`. A real timer always fires a little late (a millisecond at 0.01 s is a
 * tenth of the interval); re-arming from the firing time would add that lateness to every interval
 * and the master would send ~90 adverts a second instead of 100. When the master fell behind by
 * a whole interval or more (descheduled), the missed slots are skipped, not sent in a burst: the
 * next advert is the first slot of the same schedule still in the future.
 */
export function nextAdvertAt(deadline: number, now: number, intervalMs: number): number {
  const next = deadline + intervalMs;
  if (next > now) return next;
  return deadline + (Math.floor((now - deadline) / intervalMs) + 1) * intervalMs;
}
