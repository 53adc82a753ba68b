// The package's version, from its package.json (found from any depth: src/lib/package-root.ts).
import { readFileSync } from 'node:fs';
import { inPackage } from '../lib/package-root.js';

export function version(): string {
  return String((JSON.parse(readFileSync(inPackage('package.json'), 'utf8')) as { version: unknown }).version);
}
