// node:os, loaded at its first use, and the host name without it. Nothing in src imports node:os
// itself (a test checks): the CommonJS bundles stand scripts/os-hostname-only.cjs in for it, since
// pino reads the host name as it loads and the real module pages in ~0.3 MB of node's code that the
// idle daemon would keep (bench/README.md, "idle daemon", eighth pass). Required, not import()ed,
// for the reason child-process.ts gives.
import { readFileSync } from 'node:fs';
import { requireFrom } from './require-from.js';

let loaded: typeof import('node:os') | undefined;

export function nodeOs(): typeof import('node:os') {
  return (loaded ??= requireFrom(() => import.meta.url)('node:os') as typeof import('node:os'));
}

/** gethostname(2): the UTS namespace's node name, which the kernel also shows here. */
export function hostname(): string {
  try { return readFileSync('/proc/sys/kernel/hostname', 'utf8').trim(); } catch { return nodeOs().hostname(); }
}
