import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Notifier } from '../../../src/notify/notifier.js';
import { FakeScripts } from '../../../src/ports/fake/scripts.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import type { NotifyEvent } from '../../../src/notify/format.js';

const tick = () => new Promise((r) => setImmediate(r));
const ev = (state: NotifyEvent['state'], name = 'VI_1', priority = 100): NotifyEvent => ({ kind: 'INSTANCE', name, state, priority });
const sc = (...argv: string[]) => ({ argv });
const target = { scripts: { master: sc('/m'), backup: { argv: ['/b', 'x'], user: 'daemon' }, fault: sc('/f'), stop: sc('/s'), generic: sc('/g') }, user: 'nobody' };

test('state script runs before the generic one, then the fifo line; with user and timeout', async () => {
  const scripts = new FakeScripts();
  scripts.program = () => ({ code: 0 });
  const lines: string[] = [];
  const n = new Notifier({ runner: scripts, logger: new MemoryLogger(), timeoutMs: 1234, fifo: { write: async (l) => { lines.push(l); scripts.journal.push('fifo'); }, close() {} } });
  await n.notify(ev('BACKUP', 'VI_1', 90), target);
  assert.deepEqual(scripts.journal, ['run /b x', 'run /g INSTANCE VI_1 BACKUP 90', 'fifo']);
  assert.deepEqual(lines, ['INSTANCE "VI_1" BACKUP 90\n']);
  assert.equal(scripts.runs[0]!.spec.timeoutMs, 1234);
  assert.equal(scripts.runs[0]!.spec.user, 'daemon', 'the script\'s own user wins');
  assert.equal(scripts.runs[1]!.spec.user, 'nobody', 'else script_user');
});

test('one instance never runs two scripts at once and keeps transition order', async () => {
  const scripts = new FakeScripts();
  const n = new Notifier({ runner: scripts, logger: new MemoryLogger(), timeoutMs: 1000 });
  const t = { scripts: { master: sc('/m'), backup: sc('/b'), fault: sc('/f') } };
  void n.notify(ev('MASTER'), t);
  void n.notify(ev('FAULT'), t);
  void n.notify(ev('BACKUP'), t);
  void n.notify(ev('MASTER', 'VI_2'), t); // another instance runs independently
  await tick();
  assert.deepEqual(scripts.running.map((r) => r.spec.argv[0]), ['/m', '/m']);
  scripts.runs[0]!.finish({ code: 0 }); // VI_1's master script ends: its fault script may start
  await tick(); await tick();
  assert.deepEqual(scripts.running.map((r) => r.spec.argv[0]), ['/m', '/f']);
  scripts.runs[2]!.finish({ code: 0 });
  await tick(); await tick();
  assert.deepEqual(scripts.running.map((r) => r.spec.argv[0]), ['/m', '/b']);
  assert.deepEqual(scripts.runs.map((r) => r.spec.argv[0]), ['/m', '/m', '/f', '/b']);
});

test('a failing or timed-out script is logged and does not stop the next ones', async () => {
  const scripts = new FakeScripts();
  scripts.program = (s) => (s.argv[0] === '/m' ? { code: null, signal: 'SIGKILL', timedOut: true } : { code: 0 });
  const log = new MemoryLogger();
  const n = new Notifier({ runner: scripts, logger: log, timeoutMs: 10 });
  await n.notify(ev('MASTER'), target);
  assert.deepEqual(scripts.journal, ['run /m', 'run /g INSTANCE VI_1 MASTER 100']);
  assert.equal(n.stats.timedOut, 1);
  assert.ok(log.records.some((r) => r.level === 'warn' && r.timedOut === true));
});

test('script security refuses unsafe scripts without running them', async () => {
  const scripts = new FakeScripts();
  scripts.program = () => ({ code: 0 });
  const n = new Notifier({ runner: scripts, logger: new MemoryLogger(), timeoutMs: 10, security: { check: (p) => (p === '/m' ? 'writable by others' : undefined) } });
  await n.notify(ev('MASTER'), target);
  assert.deepEqual(scripts.journal, ['run /g INSTANCE VI_1 MASTER 100']);
  assert.equal(n.stats.refused, 1);
});

test('idle() waits for everything queued', async () => {
  const scripts = new FakeScripts();
  const n = new Notifier({ runner: scripts, logger: new MemoryLogger(), timeoutMs: 10 });
  void n.notify(ev('STOP'), { scripts: { stop: sc('/s') } });
  let idle = false;
  void n.idle().then(() => { idle = true; });
  await tick();
  assert.equal(idle, false);
  scripts.running[0]!.finish({ code: 0 });
  await tick(); await tick(); await tick();
  assert.equal(idle, true);
});
