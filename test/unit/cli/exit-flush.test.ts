// The CLI exits as soon as its command returns (src/cli.ts), but never before its output has left:
// a pipe takes 64 KiB at once and node queues the rest, so an exit straight after the write cut a
// large `convert` (or `ipvs list`) short when the reader was slower than the writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readSlowly } from '../../support/slow-reader.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const N = 1000;

function conf(): string {
  const out = ['global_defs {', '  router_id flush', '}'];
  for (let i = 0; i < N; i++) {
    out.push(`virtual_server 10.1.${Math.floor(i / 250)}.${(i % 250) + 1} 80 {`, '  delay_loop 6', '  lb_algo wrr', '  lb_kind DR', '  protocol TCP');
    for (let j = 1; j <= 4; j++) out.push(`  real_server 172.16.${i % 250}.${j} 80 {`, '    weight 1', '    TCP_CHECK {', '      connect_timeout 3', '    }', '  }');
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

test('a large convert read by a slow reader arrives whole', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-flush-'));
  try {
    const file = join(dir, 'big.conf');
    writeFileSync(file, conf());
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'convert', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Nothing is read for a while, so most of the output can only wait in node's queue in the child.
    const { code, out, err } = await readSlowly(child);
    const text = out.toString('utf8');
    assert.equal(code, 0, err);
    assert.ok(text.length > 512 * 1024, `the output is larger than the socket pair holds (${text.length} bytes)`);
    const doc = parse(text) as { virtualServers: unknown[] };
    assert.equal(doc.virtualServers.length, N);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
