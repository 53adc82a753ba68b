// V8's code cache for one of the build's CommonJS bundles, kept beside it as FILE.cache: the
// bytecode of every function a rehearsal of the command compiled (src/cli/bundle-code-cache.ts
// writes it at build time), so a cold start reads compiled code instead of compiling it. An
// `ipvs list` under the kernel VM's emulated CPU spends ~0.1 s compiling (bench/README.md, IPVS,
// ninth pass). V8 checks its own version, flags and the source's length; the header adds the
// bundle's size and mtime, so a bundle rebuilt without its cache is not run with stale code.
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';

const MAGIC = 'vipkeeper-code-cache 1';

/** What the header records of the bundle the cache was made from. */
export interface BundleStamp { size: number; mtimeMs: number }

export const codeCacheFile = (bundle: string): string => `${bundle}.cache`;

/** The header line: magic, the bundle's size and its mtime in whole seconds (all an archive such as the kernel VM's initramfs keeps). */
const header = (s: BundleStamp): string => `${MAGIC} ${s.size} ${Math.trunc(s.mtimeMs / 1000)}\n`;

export function writeCodeCache(bundle: string, stamp: BundleStamp, data: Buffer): void {
  writeFileSync(codeCacheFile(bundle), Buffer.concat([Buffer.from(header(stamp), 'latin1'), data]));
}

/**
 * The cache's bytes for the bundle stamped `stamp`, or why there are none: 'none' (no file),
 * 'stale' (made from another bundle, or not a cache of ours).
 */
export function readCodeCache(bundle: string, stamp: BundleStamp): Buffer | 'none' | 'stale' {
  let fd: number;
  try { fd = openSync(codeCacheFile(bundle), 'r'); } catch { return 'none'; }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(size);
    for (let at = 0, n; at < size && (n = readSync(fd, buf, at, size - at, null)) > 0;) at += n;
    const want = header(stamp);
    if (size <= want.length || buf.toString('latin1', 0, want.length) !== want) return 'stale';
    return buf.subarray(want.length);
  } finally {
    closeSync(fd);
  }
}
