// Files beside the package (package.json, the addon's build/, the generated validator) are found
// from the package root whatever depth the code runs at: src/ here, dist/ and dist/bundle/ built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inPackage, packageRoot } from '../../../src/lib/package-root.js';

test('the package root is the directory of vipkeeper\'s package.json, three levels above this test', () => {
  assert.equal(packageRoot(), fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, ''));
  assert.equal(JSON.parse(readFileSync(inPackage('package.json'), 'utf8')).name, 'vipkeeper');
  assert.ok(existsSync(inPackage('src', 'config', 'schema-validate.gen.cjs')), 'the YAML validator is found from the root');
});
