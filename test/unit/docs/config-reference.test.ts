// docs/config-reference.md is generated (scripts/gen-config-reference.ts): the committed file must
// equal a fresh generation, list every key of the schema, and every range it states must be the
// one the validator enforces (the edge values pass, one beyond fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OUTPUT, RANGES, generateConfigReference, rangeFor, rows } from '../../../scripts/gen-config-reference.js';
import { CONFIG_SCHEMA } from '../../../src/config/schema.js';
import { loadConfigText } from '../../../src/config/load.js';

test('docs/config-reference.md is up to date (regenerate: node --import tsx scripts/gen-config-reference.ts)', () => {
  let onDisk = '';
  try { onDisk = readFileSync(OUTPUT, 'utf8'); } catch { /* missing: stale */ }
  assert.ok(onDisk === generateConfigReference(), 'docs/config-reference.md is stale: run node --import tsx scripts/gen-config-reference.ts');
});

test('every property name in the schema has a row', () => {
  const names = new Set<string>();
  const scan = (s: unknown): void => {
    if (Array.isArray(s)) { s.forEach(scan); return; }
    if (!s || typeof s !== 'object') return;
    const o = s as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) names.add(k);
    Object.values(o).forEach(scan);
  };
  scan(CONFIG_SCHEMA);
  const documented = new Set(rows().map((r) => r.path.split('.').pop()!.replace('[]', '')));
  const missing = [...names].filter((n) => !documented.has(n));
  assert.deepEqual(missing, []);
  assert.ok(names.size > 100, `the scan saw ${names.size} names`);
});

/** A small valid YAML config with one of everything a range applies to. */
function skeleton(): Record<string, any> {
  return {
    global: { garp: {}, lvsTimeouts: {}, lvsSyncDaemon: { interface: 'eth0', vrrpInstance: 'I' } },
    vrrpScripts: [{ name: 's', script: '/bin/true' }],
    trackFiles: [{ name: 'f', path: '/tmp/f' }],
    vrrpInstances: [{
      name: 'I', interface: 'eth0', vrid: 1, virtualIps: ['10.0.0.1/32'], unicastPeers: [{ address: '10.0.0.2' }],
      trackInterfaces: [{ name: 'eth1' }], trackScripts: [{ name: 's' }], trackFiles: [{ name: 'f' }], garp: {},
    }],
    virtualServers: [{
      address: '10.0.0.1', port: 80, protocol: 'TCP', persistenceTimeoutS: 60,
      realServers: [{ address: '10.0.0.5', port: 80, checkers: [{ type: 'TCP_CHECK' }] }],
    }],
    announcements: { routes: [{ prefix: '10.0.0.1/32', always: true }] },
  };
}

function withValue(path: string, value: number): Record<string, any> {
  const c = skeleton();
  if (path === 'virtualServers[].fwmark') { c.virtualServers[0] = { fwmark: value, realServers: [{ address: '10.0.0.5' }] }; return c; }
  if (path.includes('checkers[].weight')) c.virtualServers[0].realServers[0].checkers[0] = { type: 'FILE_CHECK', trackFile: 'f' };
  const segs = path.split('.');
  let o: any = c;
  for (const s of segs.slice(0, -1)) o = s.endsWith('[]') ? o[s.slice(0, -2)][0] : (o[s] ??= {});
  o[segs.at(-1)!] = value;
  return c;
}

const errorsOf = (c: Record<string, any>): string[] =>
  loadConfigText('t.yaml', JSON.stringify(c)).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

test('every range in the reference is the validator\'s: min and max pass, one step outside fails', () => {
  assert.deepEqual(errorsOf(skeleton()), [], 'the skeleton is valid');
  const ranged = rows().filter((r) => rangeFor(r.path));
  assert.ok(ranged.length >= Object.keys(RANGES).length);
  const wrong: string[] = [];
  for (const r of ranged) {
    const { min, max } = rangeFor(r.path)!;
    for (const v of [min, max]) { const e = errorsOf(withValue(r.path, v)); if (e.length) wrong.push(`${r.path}=${v} refused: ${e.join('; ')}`); }
    for (const v of [min - 1, max + 1]) if (errorsOf(withValue(r.path, v)).length === 0) wrong.push(`${r.path}=${v} accepted`);
  }
  assert.deepEqual(wrong, []);
});
