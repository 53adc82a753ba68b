// node:child_process, loaded at its first use: it brings net and streams with it, ~1.4 MB of
// node's code the idle daemon would page in for good (bench/README.md, "idle daemon", seventh
// pass). Required, not import()ed: the daemon's bundle is compiled without an ES module loader
// (src/cli/load-bundle.ts), where a dynamic import of a node module cannot run.
import { requireFrom } from './require-from.js';

let loaded: typeof import('node:child_process') | undefined;

export function childProcess(): typeof import('node:child_process') {
  return (loaded ??= requireFrom(() => import.meta.url)('node:child_process') as typeof import('node:child_process'));
}
