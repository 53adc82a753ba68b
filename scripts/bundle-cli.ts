// dist/cli.js as an esbuild bundle of src/cli.ts, written over tsc's per-file output (which the
// benches and the kernel VM's inside tests import module by module). Why: node loads one ES module
// per file, and the ~160 files a command needs cost 20-25 ms of CPU at every start
// (bench/README.md, "config check"). Code splitting keeps each command's lazily imported modules
// out of the others' start; packages stay in node_modules, resolved at run time as before. The
// chunks go to dist/bundle/, emptied first so that a rebuild leaves no stale chunk; code finds
// files beside the package from any depth through src/lib/package-root.ts.
//   node --import tsx scripts/bundle-cli.ts      (npm run build does it after tsc)
import { buildSync } from 'esbuild';
import { realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function bundleCli(root: string, outdir: string): void {
  rmSync(join(outdir, 'bundle'), { recursive: true, force: true });
  buildSync({
    absWorkingDir: root,
    entryPoints: { cli: join(root, 'src', 'cli.ts') },
    outdir,
    chunkNames: 'bundle/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && realpathSync(process.argv[1]) === self) {
  const root = join(dirname(self), '..');
  bundleCli(root, join(root, 'dist'));
}
