// Monotonic time and one-shot timers. The VRRP runtime never reads wall-clock time: a clock step
// (NTP, an operator) must not shorten or stretch Master_Down_Interval.
export interface TimerHandle { readonly id: number }

export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic, fractional. */
  now(): number;
  /** Calls fn once after ms (>= 0). */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}
