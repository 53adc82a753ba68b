// Milliseconds on the monotonic clock, for every deadline, duration and time stamp the daemon
// compares. performance.now() reads the same clock from another origin, but reaching it loads
// node's perf_hooks, 0.3-0.6 MB of node's code the idle daemon would page in for one function
// (bench/README.md, "idle daemon", seventh pass). One clock everywhere: values from here are never
// compared with performance.now()'s.
export function monotonicMs(): number {
  const t = process.hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}
