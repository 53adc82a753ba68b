// Monotonic time and one-shot timers. The VRRP runtime never reads wall-clock time: a clock step
// (NTP, an operator) must not shorten or stretch Master_Down_Interval.
export interface TimerHandle { readonly id: number }

export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic, fractional. */
  now(): number;
  /**
   * Calls fn once after ms (>= 0). `precise` asks for sub-millisecond accuracy (the real clock
   * sleeps to just before the deadline, then polls); use it only for rare, latency-critical timers.
   */
  setTimer(ms: number, fn: () => void, precise?: boolean): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}
