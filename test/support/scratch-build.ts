// A scratch package with the build's bundles in dist/ (scripts/bundle-cli.ts), as `npm run build`
// makes them: package.json, node_modules and the YAML checker's validator beside it. Returns its
// directory, to remove.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '../../scripts/bundle-cli.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function scratchBuild(): string {
  const pkg = mkdtempSync(join(tmpdir(), 'vk-bundle-'));
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  mkdirSync(join(pkg, 'src', 'config'), { recursive: true });
  copyFileSync(join(ROOT, 'src', 'config', 'schema-validate.gen.cjs'), join(pkg, 'src', 'config', 'schema-validate.gen.cjs'));
  mkdirSync(join(pkg, 'dist'));
  bundleCli(ROOT, join(pkg, 'dist'));
  return pkg;
}
