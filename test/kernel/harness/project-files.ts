// Which files of the checkout go into the guest's /project: what tsx needs to run the tests and the
// CLI (sources, tests, scripts, node_modules with esbuild's binary, the native addon when built).
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const TOP_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const TOP_DIRS = ['src', 'test', 'bench', 'scripts', 'conf', 'node_modules'];
/** Never shipped: git state, build caches, and type-checking only packages (25 MB never run). */
const SKIP = new Set(['.git', '.cache', 'node_modules/typescript', 'node_modules/@types']);

function walk(root: string, rel: string, out: string[]): void {
  if (SKIP.has(rel)) return;
  let st;
  try { st = lstatSync(join(root, rel)); } catch { return; }
  out.push(rel);
  if (!st.isDirectory()) return;
  for (const name of readdirSync(join(root, rel)).sort()) walk(root, `${rel}/${name}`, out);
}

/**
 * Project-relative paths to archive, every directory before its contents (the kernel's initramfs
 * unpacker does not create missing parents).
 */
export function projectEntries(root: string): string[] {
  const out: string[] = [];
  for (const f of TOP_FILES) if (existsSync(join(root, f))) out.push(f);
  for (const d of TOP_DIRS) walk(root, d, out);
  // The socket addon, when the network engineer's node-gyp build has produced it.
  const release = join(root, 'build/Release');
  const addons = existsSync(release) ? readdirSync(release).filter((f) => f.endsWith('.node')).sort() : [];
  if (addons.length) out.push('build', 'build/Release', ...addons.map((f) => `build/Release/${f}`));
  return out;
}

/** Absolute paths of the native addons among the entries. */
export function addonsOf(root: string, entries: string[]): string[] {
  return entries.filter((p) => p.endsWith('.node')).map((p) => join(root, p));
}
