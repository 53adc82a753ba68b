// A third initramfs layer with what the checkout does not hold as files: /project/dist, a fresh
// transpile of src/ (type checking is the typecheck script's job) so that benchmarks can time
// `node dist/cli.cjs` (the package's bin) without tsx's start-up, which costs seconds under software
// emulation, with the same bundles `npm run build` makes; and the shared libraries of the native addon.
import { buildSync } from 'esbuild';
import { bundleCli } from '../../../scripts/bundle-cli.js';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sharedLibraries } from './exec.js';

function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

function copy(src: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(src, to);
}

/** Stages the layer's files under stage/: project/dist/... and the addons' libraries at their paths. */
export function stageExtras(stage: string, projectRoot: string, addons: string[]): void {
  rmSync(stage, { recursive: true, force: true });
  const src = join(projectRoot, 'src');
  const dist = join(stage, 'project/dist');
  mkdirSync(dist, { recursive: true });
  const files = existsSync(src) ? filesUnder(src) : [];
  const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  if (ts.length) {
    buildSync({
      entryPoints: ts.map((f) => join(src, f)), outdir: dist, outbase: src, bundle: false,
      format: 'esm', platform: 'node', target: 'node20', sourcemap: 'inline', logLevel: 'error',
    });
    if (existsSync(join(src, 'cli.ts'))) bundleCli(projectRoot, dist);
  }
  // Files src/ reads at run time (schemas, scripts) sit next to the code that reads them.
  for (const f of files.filter((x) => !x.endsWith('.ts'))) copy(join(src, f), join(dist, f));
  for (const addon of addons) {
    for (const lib of sharedLibraries(addon)) copy(lib, join(stage, lib));
  }
}
