// The package's top directory (the one holding package.json), found by walking up from this
// module: sources (src/lib), tsc's output (dist/lib) and the bundle's chunks (dist/bundle) sit at
// different depths, and files beside the package (package.json, build/, src/config's generated
// validator) must be found from all three.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { moduleDir } from './module-dir.js';

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = moduleDir(() => import.meta.url);
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return (root = d);
    if (dirname(d) === d) throw new Error(`no package.json above ${start}`);
  }
}

/** A path inside the package, e.g. `inPackage('build', 'Release', 'x.node')`. */
export const inPackage = (...parts: string[]): string => join(packageRoot(), ...parts);
