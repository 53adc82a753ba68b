// A stack trace from the minified CommonJS bundles (dist/run.cjs, dist/ipvs.cjs: minified because
// the daemon's idle RSS goes down 1.4 MB with it, bench/README.md "idle daemon", sixth pass) told
// in the TypeScript sources' names and lines, from the source map the build writes beside each
// bundle. The map is read only when a stack is shown (an error nobody expected), never at start:
// node's own --enable-source-maps would parse every map at load and keep it.
import { existsSync, readFileSync } from 'node:fs';
import type { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { requireFrom } from './require-from.js';

const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  let m = maps.get(file);
  if (m !== undefined) return m;
  m = null;
  try {
    const at = `${file}.map`;
    // node:module loaded only here: it is not free to load (src/lib/require-from.ts).
    if (file.endsWith('.cjs') && existsSync(at)) m = new (requireFrom(() => import.meta.url)('node:module') as typeof import('node:module')).SourceMap(JSON.parse(readFileSync(at, 'utf8')));
  } catch { /* an unreadable map: the frames stay as they are */ }
  maps.set(file, m);
  return m;
}

/** One frame's `file:line:col` (1-based), in the source when the bundle has a map. */
function frame(file: string, line: number, col: number): string | undefined {
  const m = mapOf(file);
  const e = m?.findEntry(line - 1, col - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (!e?.originalSource) return undefined;
  const src = e.originalSource.startsWith('file:') ? new URL(e.originalSource).pathname : resolve(dirname(file), e.originalSource);
  return `${src}:${e.originalLine! + 1}:${e.originalColumn! + 1}`;
}

/** `stack` with each frame in a mapped bundle rewritten to its source; anything else unchanged. */
export function readableStack(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  return stack.replace(/^( +at )(?:(.*?) \()?(\/[^()]+?\.cjs):(\d+):(\d+)\)?$/gm, (all, at: string, fn: string | undefined, file: string, line: string, col: string) => {
    const where = frame(file, Number(line), Number(col));
    if (!where) return all;
    // The name in a frame is the minified one; the map names the identifier at the frame's
    // position (the callee), not the caller, so the minified name stays beside the location.
    return fn === undefined ? `${at}${where}` : `${at}${fn} (${where})`;
  });
}
