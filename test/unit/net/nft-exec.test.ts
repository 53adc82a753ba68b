// The real nft adapter against stand-in programs (no root, no nft): the batch arrives as one
// argument after -j, a failure carries the program's stderr, a hung one is killed at the timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NftExec } from '../../../src/net/nft-exec.js';
import { planAcceptTable } from '../../../src/net/nft-plan.js';

function standIn(body: string): { argv: string[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vk-nft-'));
  const file = join(dir, 'nft.js');
  writeFileSync(file, body);
  return { argv: [process.execPath, file], dir };
}

const batch = planAcceptTable({ vips4: ['10.0.0.1'], vips6: [], linkLocal: [] });

test('nft exec: the batch is one JSON argument after -j, nothing on a shell', async () => {
  const s = standIn(`require('node:fs').writeFileSync(__dirname + '/args.json', JSON.stringify(process.argv.slice(2)));`);
  try {
    await new NftExec(s.argv).apply(batch);
    const args = JSON.parse(readFileSync(join(s.dir, 'args.json'), 'utf8')) as string[];
    assert.equal(args.length, 2);
    assert.equal(args[0], '-j');
    assert.deepEqual(JSON.parse(args[1]!), batch);
  } finally { rmSync(s.dir, { recursive: true, force: true }); }
});

test('nft exec: a failure is rejected with the exit code and stderr, on one line', async () => {
  const s = standIn(`process.stderr.write('internal:0:0-0: Error: Could not process rule: No such file or directory\\n\\n'); process.exit(1);`);
  try {
    await assert.rejects(new NftExec(s.argv).apply(batch), { message: 'nft failed (exit 1): internal:0:0-0: Error: Could not process rule: No such file or directory' });
  } finally { rmSync(s.dir, { recursive: true, force: true }); }
});

test('nft exec: a hung nft is killed at the timeout', async () => {
  const s = standIn('setTimeout(() => {}, 60_000);');
  try {
    const t0 = Date.now();
    await assert.rejects(new NftExec(s.argv, 300).apply(batch), /did not finish within 300 ms and was killed/);
    assert.ok(Date.now() - t0 < 20_000);
  } finally { rmSync(s.dir, { recursive: true, force: true }); }
});

test('nft exec: a missing nft says so', async () => {
  await assert.rejects(new NftExec(['/nonexistent/nft']).apply(batch), /\/nonexistent\/nft is not installed \(install nftables\)/);
});
