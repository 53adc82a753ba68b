// src/lib/sched.ts: the scheduling fields of /proc/PID/stat, and a process started under
// `chrt --rr` (as systemd's CPUSchedulingPolicy=rr starts the daemon) seen as already switched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allThreadsRoundRobin, SCHED_RR, schedFromStat } from '../../../src/lib/sched.js';
import { needRoot } from '../../support/privileged.js';

/** A stat line: pid, the command in parentheses, then fields 3-52 (rt_priority 40, policy 41). */
const stat = (comm: string, priority: number, policy: number): string =>
  `123 (${comm}) ${Array.from({ length: 50 }, (_, i) => (i === 37 ? priority : i === 38 ? policy : i === 0 ? 'S' : 7)).join(' ')}\n`;

test('schedFromStat reads rt_priority and policy, whatever the command name holds', () => {
  assert.deepEqual(schedFromStat(stat('node', 10, SCHED_RR)), { policy: 2, priority: 10 });
  assert.deepEqual(schedFromStat(stat('a) (b c) 9', 0, 0)), { policy: 0, priority: 0 });
  assert.equal(schedFromStat('123 (node) S 1 2'), undefined, 'a cut line');
});

test('allThreadsRoundRobin: every task at SCHED_RR and the priority, else no', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-sched-'));
  try {
    for (const [t, prio] of [['1', 10], ['2', 10]] as const) { mkdirSync(join(dir, t)); writeFileSync(join(dir, t, 'stat'), stat('node', prio, SCHED_RR)); }
    assert.equal(allThreadsRoundRobin(10, dir), true);
    assert.equal(allThreadsRoundRobin(20, dir), false, 'another priority');
    mkdirSync(join(dir, '3')); writeFileSync(join(dir, '3', 'stat'), stat('node', 0, 0));
    assert.equal(allThreadsRoundRobin(10, dir), false, 'one thread at SCHED_OTHER');
    assert.equal(allThreadsRoundRobin(10, join(dir, 'missing')), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a node started under chrt --rr 10 is seen at 10 on every thread; one started plainly is not', (t) => {
  if (!needRoot(t, 'chrt')) return;
  const probe = "import('./src/lib/sched.ts').then((m) => process.stdout.write(JSON.stringify([m.allThreadsRoundRobin(10), m.allThreadsRoundRobin(11)])))";
  const rr = spawnSync('chrt', ['--rr', '10', process.execPath, '--import', 'tsx', '-e', probe], { encoding: 'utf8' });
  assert.equal(rr.stdout, '[true,false]', rr.stderr);
  const plain = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { encoding: 'utf8' });
  assert.equal(plain.stdout, '[false,false]', plain.stderr);
});
