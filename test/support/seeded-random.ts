// A small seeded generator (mulberry32) for tests that draw random cases: a fixed seed, so a
// failure names a case that can be made again.

/** Floats in [0, 1) from `seed`. */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rnd(n)`: an integer in [0, n); `pick(xs)`: one of xs. */
export function seededDraws(seed: number): { rnd: (n: number) => number; pick: <T>(xs: readonly T[]) => T } {
  const next = mulberry32(seed);
  const rnd = (n: number): number => Math.floor(next() * 4294967296) % n;
  return { rnd, pick: <T>(xs: readonly T[]): T => xs[rnd(xs.length)]! };
}
