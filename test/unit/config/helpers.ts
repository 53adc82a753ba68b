// Shared helpers for config tests: load text in memory and find the line a case marks with `# <-`.
import assert from 'node:assert/strict';
import { loadConfigText, type LoadOptions, type LoadResult } from '../../../src/config/load.js';
import { readKeepalived } from '../../../src/config/keepalived/translate.js';
import { toYaml } from '../../../src/cli/commands/convert.js';
import type { Diagnostic } from '../../../src/config/model.js';

export function load(text: string, file = 'test.conf', opts: LoadOptions = {}): LoadResult {
  return loadConfigText(file, text, opts);
}

/** 1-based line of the first line containing `# <-`. */
export function markedLine(text: string): number {
  const i = text.split('\n').findIndex((l) => l.includes('# <-'));
  if (i < 0) throw new Error('test text has no `# <-` marker');
  return i + 1;
}

export const errors = (r: LoadResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');
export const warnings = (r: LoadResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'warning');

/** A minimal valid VRRP instance block, with `extra` lines inside it. */
export function instance(extra = '', name = 'VI_1', vrid = 51, iface = 'eth0'): string {
  return `vrrp_instance ${name} {
  interface ${iface}
  virtual_router_id ${vrid}
  priority 100
  virtual_ipaddress {
    10.0.0.${vrid % 250 + 1}/24
  }
${extra}}
`;
}

/**
 * `vipkeeper convert`'s round trip: keepalived.conf `text` loads without errors, its YAML loads
 * without errors and gives the same model. Returns the YAML and what it loaded to.
 */
export function convertedBack(text: string, file = 't.conf'): { yaml: string; back: LoadResult } {
  const direct = load(text, file);
  assert.deepEqual(errors(direct), []);
  const yaml = toYaml(readKeepalived(file, text, { strict: false }).input!, file);
  const back = loadConfigText(file.replace(/\.conf$/, '.yaml'), yaml);
  assert.deepEqual(errors(back), [], yaml);
  assert.deepEqual(back.model, direct.model);
  return { yaml, back };
}
