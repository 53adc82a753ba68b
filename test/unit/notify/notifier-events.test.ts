// keepalived's non-transition notifications and DELETED: notify_master_rx_lower_pri runs its script
// with its own arguments only and writes MASTER_RX_LOWER_PRI; priority changes only write a FIFO
// line; DELETED runs notify_deleted's script and the generic one with DELETED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Notifier } from '../../../src/notify/notifier.js';
import { FakeScripts } from '../../../src/ports/fake/scripts.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';

function setup() {
  const scripts = new FakeScripts();
  scripts.program = () => ({ code: 0 });
  const lines: string[] = [];
  const n = new Notifier({ runner: scripts, logger: new MemoryLogger(), timeoutMs: 500, fifo: { write: async (l) => { lines.push(l); scripts.journal.push(`fifo ${l.trim()}`); }, close() {} } });
  return { scripts, lines, n };
}
const target = {
  scripts: { masterRxLowerPri: { argv: ['/lower', 'a b'], user: 'op' }, deleted: { argv: ['/del'] }, fault: { argv: ['/f'] }, generic: { argv: ['/g'] } },
};

test('MASTER_RX_LOWER_PRI: its script (no arguments appended, not the generic one), then the FIFO line', async () => {
  const { scripts, n } = setup();
  await n.event('VI_1', 'MASTER_RX_LOWER_PRI', 150, target);
  assert.deepEqual(scripts.journal, ['run /lower a b', 'fifo INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150']);
  assert.equal(scripts.runs[0]!.spec.user, 'op');
  assert.equal(scripts.runs[0]!.spec.timeoutMs, 500, 'run with the notify timeout');
});

test('priority changes: a FIFO line only, no script', async () => {
  const { scripts, lines, n } = setup();
  await n.event('VI_1', 'MASTER_PRIORITY', 90, target);
  await n.event('VI_1', 'BACKUP_PRIORITY', 80, target);
  assert.deepEqual(lines, ['INSTANCE "VI_1" MASTER_PRIORITY 90\n', 'INSTANCE "VI_1" BACKUP_PRIORITY 80\n']);
  assert.equal(scripts.runs.length, 0);
});

test('DELETED: the notify_deleted script, then the generic script with DELETED, then the FIFO', async () => {
  const { scripts, n } = setup();
  await n.notify({ kind: 'INSTANCE', name: 'VI_1', state: 'DELETED', priority: 100 }, target);
  assert.deepEqual(scripts.journal, ['run /del', 'run /g INSTANCE VI_1 DELETED 100', 'fifo INSTANCE "VI_1" DELETED 100']);
});

test('events and transitions of one instance share its queue: order kept, never overlapping', async () => {
  const { scripts, n } = setup();
  scripts.program = undefined; // every run waits for finish()
  const a = n.notify({ kind: 'INSTANCE', name: 'VI_1', state: 'FAULT', priority: 100 }, target);
  const b = n.event('VI_1', 'MASTER_RX_LOWER_PRI', 100, target);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(scripts.journal, ['run /f'], 'the event waits for the transition before it');
  for (let i = 0; i < 5; i++) { for (const r of scripts.running) r.finish({ code: 0 }); await new Promise((r) => setImmediate(r)); }
  await Promise.all([a, b]);
  assert.deepEqual(scripts.journal, ['run /f', 'run /g INSTANCE VI_1 FAULT 100', 'fifo INSTANCE "VI_1" FAULT 100', 'run /lower a b', 'fifo INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100']);
});
