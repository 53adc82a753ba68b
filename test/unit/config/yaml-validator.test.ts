// The YAML schema is compiled ahead of time (scripts/gen-config-validator.ts): the committed
// src/config/schema-validate.gen.cjs must be what ajv generates from src/config/schema.ts now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OUTPUT, generateValidator } from '../../../scripts/gen-config-validator.js';

test('src/config/schema-validate.gen.cjs is up to date (regenerate: node --import tsx scripts/gen-config-validator.ts)', () => {
  let onDisk = '';
  try { onDisk = readFileSync(OUTPUT, 'utf8'); } catch { /* missing: stale */ }
  assert.ok(onDisk === generateValidator(), 'src/config/schema-validate.gen.cjs is stale: run node --import tsx scripts/gen-config-validator.ts');
});

test('the precompiled validator (entries as definitions) reports what ajv compiling the schema as written does', async () => {
  const { Ajv } = await import('ajv');
  const { createRequire } = await import('node:module');
  const { parse } = await import('yaml');
  const { AJV_OPTIONS, CONFIG_SCHEMA } = await import('../../../src/config/schema.js');
  const { schemaDiagnostics } = await import('../../../src/config/yaml.js');
  const { Positions } = await import('../../../src/config/positions.js');
  const reference = new Ajv({ ...AJV_OPTIONS }).compile(CONFIG_SCHEMA);
  const generated = createRequire(import.meta.url)(OUTPUT) as typeof reference;
  const docs = [
    'vrrpScripts:\n  - { name: a, script: 5 }\n  - { name: b, script: /bin/true }\n  - { name: c, script: [] }\n',
    'vrrpInstances:\n  - { name: A, vrid: "1", prioirty: 2, virtualIps: [5, { address: 1 }], notify: { master: 3, backup: /x } }\n',
    'virtualServers:\n  - address: 10.0.0.1\n    realServers:\n      - { address: 1, weight: x, checkers: [{ type: NOPE }, { type: HTTP_GET, urls: [{ path: 1, statusCodes: [] }] }] }\n      - { port: 80 }\n  - { fwmark: 1, group: g, bogus: 1 }\n',
    'global: { garp: { masterDelayMs: -1 }, lvsSyncDaemon: { interface: 1 } }\nvirtualServerGroups: [{ name: g, entries: [{ family: 5 }] }]\nannouncements: { routes: [{ metric: -1 }] }\ntop: 1\n',
  ];
  for (const text of docs) {
    const data = parse(text);
    assert.equal(generated(data), reference(data));
    const show = (v: typeof reference) => schemaDiagnostics(v.errors ?? [], new Positions(), 'c.yaml').map((d) => d.message);
    assert.deepEqual(show(generated), show(reference), text);
    assert.ok(show(reference).length > 0);
  }
});
