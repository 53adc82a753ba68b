// Tests that need root or network namespaces call needRoot(t) first. Unprivileged they skip with a
// reason; under VIPKEEPER_REQUIRE_PRIVILEGED=1 (CI) a missing privilege fails the test instead.
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';

export function requirePrivileged(): boolean {
  return process.env.VIPKEEPER_REQUIRE_PRIVILEGED === '1';
}

/** Returns true when the test may go on; otherwise the test is skipped (or fails in CI). */
export function needRoot(t: TestContext, ...tools: string[]): boolean {
  let why: string | undefined;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) why = 'needs root';
  for (const tool of tools) {
    if (why) break;
    const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]);
    if (r.status !== 0) why = `needs ${tool} on PATH`;
  }
  if (!why) return true;
  if (requirePrivileged()) throw new Error(`VIPKEEPER_REQUIRE_PRIVILEGED=1 but this test ${why}`);
  t.skip(why);
  return false;
}

/** A short unique suffix for namespace, bridge and veth names (interface names max 15 chars). */
export function uniqueTag(): string {
  return (process.pid % 10000).toString(36) + Math.floor(Math.random() * 36 ** 3).toString(36);
}
