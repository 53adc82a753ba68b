// A probe that fails every run with one reason: a checker that cannot be built, or one refused by
// script security. Its own module so the daemon can name it without loading the real probes.
import type { CheckOutcome, Probe } from './checker.js';

export function failingProbe(reason: string): Probe {
  const out: CheckOutcome = { ok: false, code: 'error', reason, latencyMs: 0 };
  return { run: () => Promise.resolve({ ...out }), close() {} };
}
