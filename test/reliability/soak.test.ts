// The soak of bench/soak.ts for 2 minutes (VIPKEEPER_SOAK_MINUTES to change): a vipkeeper pair at
// advert_int 0.01 s under random SIGSTOP/SIGCONT, link flaps and SIGKILL+restart must end with both
// daemons alive and exactly one master. The figures (RSS, slope, advert timer lateness) are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot } from '../support/privileged.js';

const MINUTES = Number(process.env.VIPKEEPER_SOAK_MINUTES ?? 2);

test(`soak: ${MINUTES} min of random faults at advert_int 0.01 s ends with both daemons alive and one master`, { timeout: (MINUTES * 60 + 180) * 1000 }, async (t) => {
  if (!needRoot(t, 'ip', 'tcpdump')) return;
  const dir = mkdtempSync(join(tmpdir(), 'vk-soak-'));
  try {
    const json = join(dir, 'soak.json');
    const p = spawn(process.execPath, ['--import', 'tsx', 'bench/soak.ts', '--minutes', String(MINUTES), '--json', json], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d; });
    p.stderr.on('data', (d: Buffer) => { out += d; });
    const killer = setTimeout(() => p.kill('SIGKILL'), (MINUTES * 60 + 150) * 1000);
    const code = await new Promise<number | null>((r) => p.on('close', r));
    clearTimeout(killer);
    for (const line of out.trim().split('\n').slice(-8)) t.diagnostic(line);
    const s = JSON.parse(readFileSync(json, 'utf8')) as { ok: boolean; faults: number; alive: { a: boolean; b: boolean }; vip: { a: boolean; b: boolean }; states: { a?: string; b?: string }; adverts: number };
    assert.equal(code, 0, out.slice(-4000));
    assert.ok(s.ok);
    assert.deepEqual(s.alive, { a: true, b: true });
    assert.notEqual(s.vip.a, s.vip.b, 'the VIP on exactly one director');
    assert.deepEqual([s.states.a, s.states.b].filter((x) => x === 'MASTER').length, 1);
    assert.ok(s.faults >= MINUTES * 60 / 8 - 2, `faults injected: ${s.faults}`);
    assert.ok(s.adverts > MINUTES * 60 * 50, `adverts captured: ${s.adverts}`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
