// Loads one of the build's CommonJS bundles (dist/run.cjs, dist/ipvs.cjs) as require() would, but
// reads it in pieces. require() reads a file whole through one growing buffer: freeing that
// buffer (and the half-size one before it) makes glibc raise its mmap and trim thresholds to the
// file's size and twice that, and the ~2.5 MB that compiling the daemon's bundle frees at the top
// of the heap is then never given back (the idle daemon's RSS, bench/README.md, sixth pass).
// Pieces below glibc's default mmap threshold (128 KiB) leave the thresholds alone.
// A bundle with a code cache beside it (src/cli/code-cache.ts) is compiled from that cache.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { compileFunction, Script } from 'node:vm';
import { Utf8Pieces } from '../lib/utf8-pieces.js';
import { readCodeCache } from './code-cache.js';
import { requireFrom } from '../lib/require-from.js';

const PIECE = 64 << 10;
/** The parameters node's own CommonJS loader wraps a file's code in (same names, same order). */
const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

/** The file's text, read PIECE bytes at a time. */
function readInPieces(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(PIECE);
    const utf8 = new Utf8Pieces();
    let text = '';
    for (let n; (n = readSync(fd, buf, 0, PIECE, null)) > 0;) text += utf8.write(buf.subarray(0, n));
    return text + utf8.end();
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's code as a vm.Script whose value is the wrapper function: a Script's code cache can be
 * made after it has run, with what ran compiled (src/cli/bundle-code-cache.ts). The wrapper opens
 * on a line of its own and lineOffset -1 takes it back, so stack positions are the file's own.
 */
function bundleScript(file: string, text: string, cachedData?: Buffer): Script {
  return new Script(`(function (${PARAMS.join(', ')}) {\n${text}\n})`, { filename: file, lineOffset: -1, cachedData });
}

/** How a load went with the code cache: used, refused by V8 (another node, other V8 flags), not a whole cache of this bundle, or absent. */
export type CacheUse = 'used' | 'rejected' | 'stale' | 'none';

/**
 * module.exports of the CommonJS file `file` (an absolute path), run as node's loader runs it, and
 * how the code cache served. `fresh`: compiled from the text as a Script whatever the cache, for
 * making a new cache (src/cli/bundle-code-cache.ts).
 */
export function loadBundleWithCache(file: string, fresh = false): { exports: unknown; cache: CacheUse; text: string; script?: Script } {
  // With a cache beside it, the bundle's bytes are checked against the cache's copy natively and
  // decoded once; without, read in pieces (the daemon's bundle, see above).
  let bytes: Buffer | undefined;
  const cached = fresh ? undefined : readCodeCache(file, () => (bytes = readFileSync(file)));
  const text = bytes ? bytes.toString('utf8') : readInPieces(file);
  let fn: (...args: unknown[]) => void;
  let cache: CacheUse;
  let script: Script | undefined;
  if (typeof cached === 'string') {
    cache = cached;
    // The wrapper node's own CommonJS loader compiles a file into (same arguments, same positions
    // in stack traces and source maps).
    fn = compileFunction(text, PARAMS, { filename: file }) as typeof fn;
  } else {
    script = bundleScript(file, text, cached);
    cache = cached === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
    fn = script.runInThisContext() as typeof fn;
  }
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  fn.call(module.exports, module.exports, requireFor(file), module, file, dirname(file));
  module.loaded = true;
  return { exports: module.exports, cache, text, script };
}

declare const VK_CJS: boolean | undefined;

/**
 * The require() a bundle gets: the bin's own for a bundle beside it (they resolve alike), so that
 * node:module is not loaded (src/lib/require-from.ts); else one made for the file by node:module.
 */
function requireFor(file: string): NodeRequire {
  if (typeof VK_CJS === 'boolean' && dirname(file) === __dirname) return require;
  return (requireFrom(() => import.meta.url)('node:module') as typeof import('node:module')).createRequire(file);
}

/** module.exports of the CommonJS file `file` (an absolute path), run as node's loader runs it. */
export function loadBundle(file: string): unknown {
  return loadBundleWithCache(file).exports;
}
