// Polling helpers for tests and benchmarks that watch real processes and namespaces.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `pred` every `every` ms until it holds or `ms` passes; returns whether it held. */
export async function waitFor(pred: () => boolean, ms: number, every = 50): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    try { if (pred()) return true; } catch { /* not yet */ }
    if (Date.now() > end) return false;
    await sleep(every);
  }
}

/** waitFor for an asynchronous predicate (a status query, say); a rejection counts as "not yet". */
export async function waitForAsync(pred: () => Promise<boolean>, ms: number, every = 100): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    try { if (await pred()) return true; } catch { /* not yet */ }
    if (Date.now() > end) return false;
    await sleep(every);
  }
}
