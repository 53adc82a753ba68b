// The real process monitor (netlink proc connector + /proc) under a real ProcessTracker: a named
// process starting, renaming itself (PROC_EVENT_COMM), forking and exiting is seen from events,
// and a receive queue overflow (ENOBUFS) is reported so the table is read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot, uniqueTag } from '../../support/privileged.js';
import { waitFor } from '../../support/wait.js';
import { MonotonicClock } from '../../../src/adapters/clock.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import { ProcConnector } from '../../../src/track/process-connector.js';
import { ProcfsProcessMonitor } from '../../../src/track/process-monitor.js';
import { ProcessTracker, type ProcessTrackConfig } from '../../../src/track/process-tracker.js';
import type { ProcessChange } from '../../../src/track/process-port.js';

const base = { params: [], paramMatch: 'none', fullCommand: false, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0 } as const;

function tracker(monitor: ProcfsProcessMonitor, cfg: Partial<ProcessTrackConfig> & { process: string }) {
  const t = new ProcessTracker({ name: cfg.process, ...base, ...cfg }, { clock: new MonotonicClock(), monitor, logger: new MemoryLogger() });
  t.start();
  return t;
}

test('proc connector: start, comm change, fork+exec and exit of a named process move the count at once', { timeout: 30_000 }, async (t) => {
  if (!needRoot(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'vk-proc-'));
  const log = new MemoryLogger();
  const monitor = new ProcfsProcessMonitor(log);
  const name = `vks${uniqueTag()}`, renamed = `vkr${uniqueTag()}`;
  const link = join(dir, name);
  symlinkSync('/bin/sleep', link);
  const bySleep = tracker(monitor, { process: name });
  const byRename = tracker(monitor, { process: renamed });
  const byPath = tracker(monitor, { process: link, fullCommand: true, params: ['1000'], paramMatch: 'exact' });
  const kids: ReturnType<typeof spawn>[] = [];
  try {
    assert.equal(bySleep.count, 0);
    const started = Date.now();
    kids.push(spawn(link, ['1000'], { stdio: 'ignore' }));
    assert.ok(await waitFor(() => bySleep.count === 1 && byPath.count === 1, 3000), `counted: ${bySleep.count}/${byPath.count}`);
    t.diagnostic(`start seen in ${Date.now() - started} ms`);
    // A shell renames itself, then keeps forking children that exec sleep: the shell counts under
    // its new name; each child counts while it is a fork of the shell, and stops at its exec.
    kids.push(spawn('bash', ['-c', `printf ${renamed} > /proc/$$/comm; while :; do sleep 0.2; done`], { stdio: 'ignore' }));
    assert.ok(await waitFor(() => byRename.count >= 1, 3000), 'the comm change is seen');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(byRename.count, 1, 'forked children that exec sleep are no longer counted');
    kids[0]!.kill('SIGKILL');
    assert.ok(await waitFor(() => bySleep.count === 0 && byPath.count === 0, 3000), 'the exit is seen');
    assert.equal(bySleep.status().ok, false);
    kids[1]!.kill('SIGKILL');
    assert.ok(await waitFor(() => byRename.count === 0, 3000));
    for (const x of [bySleep, byRename, byPath]) x.stop();
  } finally {
    for (const k of kids) k.kill('SIGKILL');
    monitor.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('proc connector: an overflowing receive queue (ENOBUFS) is reported as an overrun', { timeout: 30_000 }, async (t) => {
  if (!needRoot(t)) return;
  const log = new MemoryLogger();
  // The smallest buffer the kernel allows, and a blocked event loop while 300 processes come and go.
  const monitor = new ProcfsProcessMonitor(log, (cb) => ProcConnector.open(cb, log, 1));
  const seen: ProcessChange['kind'][] = [];
  const stop = monitor.watch((c) => seen.push(c.kind), { argv: false });
  try {
    spawnSync('sh', ['-c', 'for i in $(seq 300); do /bin/true; done'], { stdio: 'ignore', timeout: 20_000 });
    assert.ok(await waitFor(() => seen.includes('overrun'), 5000), `overrun reported (saw ${seen.length} changes)`);
  } finally {
    stop();
    monitor.close();
  }
});
