// node:os reached only through src/lib/node-os.ts: the CommonJS bundles stand a shim with nothing
// but hostname() in for a static import of it (scripts/os-hostname-only.cjs, for pino), so a
// module of src importing it directly would get the shim in dist/run.cjs and fail there only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostname, nodeOs } from '../../../src/lib/node-os.js';
import { errnoName } from '../../../src/lib/errors.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

test('no module of src imports node:os itself (types aside)', () => {
  const offenders = (readdirSync(SRC, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => /(from|import|import\(|require\()\s*['"](node:)?os['"]/.test(readFileSync(join(SRC, f), 'utf8').replaceAll('typeof import(', '')));
  assert.deepEqual(offenders, []);
});

test('the host name is gethostname()\'s, node:os is the real module, errno names come from it', () => {
  assert.equal(hostname(), osHostname());
  assert.equal(typeof nodeOs().setPriority, 'function');
  assert.equal(errnoName(-19), 'ENODEV');
  assert.equal(errnoName(95), 'EOPNOTSUPP');
  assert.equal(errnoName(11), 'EAGAIN');
  assert.equal(errnoName(4095), 'E4095');
  assert.equal(errnoName(35), 'EDEADLK', 'a number libuv has no name for: node:os\'s');
  assert.equal(errnoName(0), 'E0');
});
