// readKeepalived streams lexer -> parser -> translator and records no positions on its first
// pass (the first lookup re-reads the file with recording on). Against the whole-file pipeline
// with every position recorded up front, every diagnostic must be the same, at the same line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finishConfig, type ReadResult } from '../../../src/config/load.js';
import { readKeepalived, translateTree } from '../../../src/config/keepalived/translate.js';
import { lexKeepalived } from '../../../src/config/keepalived/lexer.js';
import { parseLines } from '../../../src/config/keepalived/parser.js';
import { Ctx } from '../../../src/config/keepalived/context.js';
import { instance } from './helpers.js';

const opts = { strict: false, configId: 'dir-a' };

/** The pipeline as it was: whole-file stages, positions recorded as values are read. */
function eager(file: string, text: string): ReadResult {
  const lexed = lexKeepalived(file, text, { configId: opts.configId });
  const parsed = parseLines(lexed.lines);
  const ctx = new Ctx(opts.strict);
  ctx.known = new Set(); // misplaced-keyword wording: none of the cases below has one
  const diagnostics = [...lexed.diagnostics, ...parsed.diagnostics];
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { sources: ctx.sources, diagnostics };
  const input = translateTree(ctx, parsed.nodes);
  return { format: 'keepalived', input, sources: ctx.sources, diagnostics: [...diagnostics, ...ctx.diagnostics] };
}

function same(text: string, file = 'k.conf'): number {
  const streamed = finishConfig(readKeepalived(file, text, opts), file);
  const reference = finishConfig(eager(file, text), file);
  assert.deepEqual(streamed.diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`), reference.diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`), text);
  assert.deepEqual(streamed.model, reference.model);
  return reference.diagnostics.length;
}

const vs = (body: string, rs = '  real_server 10.0.1.1 80 {\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n') => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n${body}${rs}}\n`;

test('keepalived stream: diagnostics from every stage are those of the whole-file reading', () => {
  const cases = [
    instance('  priority 300\n  advert_int 0\n'),
    instance('  unicast_peer {\n    10.0.0.300\n  }\n'),
    vs('  delay_loop 0\n  lb_algo nope\n'),
    vs('  delay_loop 6\n', '  real_server 10.0.1.1 81 {\n    weight 70000\n    TCP_CHECK {\n      connect_timeout 0\n      retry -1\n    }\n  }\n  real_server 10.0.1.1 81 {\n  }\n'),
    vs('  lb_kind DR\n', '  real_server 10.0.1.1 8080 {\n  }\n'),
    `global_defs {\n  lvs_sync_daemon eth0 VI_1\n  lvs_sync_daemon eth1 VI_1\n}\n${instance()}`,
    `${instance()}${instance('', 'VI_1', 52)}`,
    `${instance('  ~SEQ(i, 1, 3) track_interface {\n    eth9\n  }\n')}`,
    `$X=10.0.0.999\n${instance('  unicast_src_ip $X\n')}`,
    `vrrp_script chk {\n  script /bin/true\n  interval 0\n}\n${instance('  track_script {\n    chk\n    nope\n  }\n')}`,
    `${instance('  prioirty 5\n  bogus_keyword\n')}`,
    `${instance()}}\n`,
    `vrrp_instance X {\n  interface eth0\n`,
    `@dir-a ${instance('  @dir-b priority 300\n  @^dir-b priority 0\n').split('\n')[0]}\n${instance('  @dir-b priority 300\n  @^dir-b priority 0\n').split('\n').slice(1).join('\n')}`,
  ];
  for (const text of cases) assert.ok(same(text) > 0, `a case without a diagnostic proves nothing:\n${text}`);
});

test('keepalived stream: the example configurations read the same either way', () => {
  const dir = fileURLToPath(new URL('../../../conf/', import.meta.url));
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || !f.name.endsWith('.conf') || /^(bird|frr)-/.test(f.name)) continue;
    const path = join(f.parentPath, f.name);
    same(readFileSync(path, 'utf8'), path);
  }
});
