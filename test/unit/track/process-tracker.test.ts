import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessTracker, inQuorum, type ProcessTrackConfig } from '../../../src/track/process-tracker.js';
import { matchesProcess, paramsMatch } from '../../../src/track/process-match.js';
import { FakeProcesses } from '../../../src/track/process-fake.js';
import { parseCmdline, parseStat } from '../../../src/track/process-procfs.js';
import { combine } from '../../../src/track/binding.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';

function setup(over: Partial<ProcessTrackConfig> = {}, before?: (p: FakeProcesses) => void) {
  const clock = new FakeClock(0);
  const procs = new FakeProcesses();
  procs.start(['/usr/sbin/sshd', '-D']);
  before?.(procs);
  const t = new ProcessTracker({ name: 'tp', process: 'haproxy', params: [], paramMatch: 'none', fullCommand: false, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0, ...over }, { clock, monitor: procs, logger: new MemoryLogger() });
  const changes: boolean[] = [];
  t.onChange((s) => changes.push(s.ok));
  t.start();
  return { clock, procs, t, changes };
}

test('track_process: the initial scan counts running processes; start and kill change the status at once', () => {
  const s = setup({}, (p) => p.start(['/usr/sbin/haproxy', '-f', 'x']));
  assert.equal(s.t.count, 1);
  assert.equal(s.t.status().ok, true);
  const second = s.procs.start(['/usr/sbin/haproxy']);
  assert.equal(s.t.count, 2);
  s.procs.kill(second);
  const first = s.procs.scan(false).find((p) => p.comm === 'haproxy')!.pid;
  s.procs.kill(first);
  assert.deepEqual(s.changes, [false]);
  s.procs.start(['/usr/sbin/haproxy']);
  assert.deepEqual(s.changes, [false, true]);
  s.t.stop();
  assert.equal(s.procs.watching, 0);
});

test('track_process: quorum and quorum_max bound the count; quorum_max 0 means "must not run"', () => {
  const s = setup({ quorum: 2, quorumMax: 3 });
  assert.equal(s.t.status().ok, false);
  const pids = [1, 2, 3, 4].map(() => s.procs.start(['haproxy']));
  assert.deepEqual(s.changes, [true, false], 'up at 2, down again at 4');
  s.procs.kill(pids[0]!);
  assert.deepEqual(s.changes, [true, false, true]);
  const none = setup({ quorum: 0, quorumMax: 0 });
  assert.equal(none.t.status().ok, true);
  const p = none.procs.start(['haproxy']);
  none.procs.kill(p);
  assert.deepEqual(none.changes, [false, true]);
  assert.equal(inQuorum(5, { quorum: 1 }), true, 'no quorum_max: no upper bound');
});

test('track_process: terminate_delay absorbs a restart; a quorum still lost when it ends is reported', () => {
  const s = setup({ terminateDelayMs: 2000 }, (p) => p.start(['haproxy']));
  let pid = s.procs.scan(false).find((p) => p.comm === 'haproxy')!.pid;
  s.procs.kill(pid);
  s.clock.advance(1500);
  pid = s.procs.start(['haproxy']);
  s.clock.advance(5000);
  assert.deepEqual(s.changes, [], 'restarted within the delay: never reported down');
  s.procs.kill(pid);
  s.clock.advance(1999);
  assert.deepEqual(s.changes, []);
  s.clock.advance(1);
  assert.deepEqual(s.changes, [false]);
});

test('track_process: fork_delay holds an up caused by a fork of a counted process, not one caused by an exec', () => {
  const s = setup({ quorum: 2, forkDelayMs: 1000 });
  const parent = s.procs.start(['haproxy']);
  const child = s.procs.fork(parent);
  assert.deepEqual(s.changes, []);
  s.procs.kill(child); // the fork's child went away within the delay: no bounce at all
  s.clock.advance(2000);
  assert.deepEqual(s.changes, []);
  s.procs.fork(parent);
  s.clock.advance(1000);
  assert.deepEqual(s.changes, [true]);
  const e = setup({ forkDelayMs: 1000 });
  e.procs.start(['haproxy']);
  assert.deepEqual(e.changes, [true], 'fork (untracked shell) + exec: immediate');
});

test('track_process: exec to another program and a comm change move a process in and out of the count', () => {
  const s = setup({}, (p) => p.start(['haproxy']));
  const pid = s.procs.scan(false).find((p) => p.comm === 'haproxy')!.pid;
  s.procs.exec(pid, ['/bin/true']);
  assert.equal(s.t.count, 0);
  s.procs.rename(pid, 'haproxy');
  assert.equal(s.t.count, 1);
  s.procs.rename(pid, 'worker');
  assert.deepEqual(s.changes, [false, true, false]);
  // full_command trackers ignore comm changes (they say nothing about the command line).
  const f = setup({ process: '/usr/sbin/haproxy', fullCommand: true }, (p) => p.start(['/usr/sbin/haproxy']));
  const fp = f.procs.scan(false).find((p) => p.comm === 'haproxy')!.pid;
  f.procs.rename(fp, 'other');
  assert.equal(f.t.count, 1);
});

test('track_process: after lost notifications the table is read again (after a second) and the status follows', () => {
  const s = setup({}, (p) => p.start(['haproxy']));
  const pid = s.procs.scan(false).find((p) => p.comm === 'haproxy')!.pid;
  s.procs.losing = true;
  s.procs.kill(pid);
  s.procs.losing = false;
  assert.equal(s.t.status().ok, true, 'the exit was lost');
  s.procs.overrun();
  s.clock.advance(999);
  assert.deepEqual(s.changes, []);
  s.clock.advance(1);
  assert.deepEqual(s.changes, [false]);
  assert.equal(s.t.stats.overruns, 1);
});

test('track_process: without a process monitor nothing is counted and the failure is logged', () => {
  const log = new MemoryLogger();
  const t = new ProcessTracker({ name: 'x', process: 'a', params: [], paramMatch: 'none', fullCommand: false, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0 }, { clock: new FakeClock(0), monitor: undefined, logger: log });
  t.start();
  assert.equal(t.status().ok, false);
  assert.ok(log.records.some((r) => r.level === 'error'));
});

test('track_process: names match exactly (15-byte comm); full_command and param_match as keepalived', () => {
  const info = { pid: 1, comm: 'haproxy', argv: ['/usr/sbin/haproxy', '-f', '/etc/haproxy.cfg', '-Ds'] };
  const p = (o: Partial<Parameters<typeof matchesProcess>[0]>) => ({ process: 'haproxy', params: [], paramMatch: 'none' as const, fullCommand: false, ...o });
  assert.equal(matchesProcess(p({}), info), true);
  assert.equal(matchesProcess(p({ process: 'hap' }), info), false, 'not a prefix match (unlike pgrep)');
  assert.equal(matchesProcess(p({ process: 'haproxy', fullCommand: true }), info), false, 'full_command compares argv[0]');
  assert.equal(matchesProcess(p({ process: '/usr/sbin/haproxy', fullCommand: true }), info), true);
  const full = (params: string[], paramMatch: 'exact' | 'partial' | 'initial') => matchesProcess(p({ process: '/usr/sbin/haproxy', fullCommand: true, params, paramMatch }), info);
  assert.equal(full(['-f', '/etc/haproxy.cfg', '-Ds'], 'exact'), true);
  assert.equal(full(['-f', '/etc/haproxy.cfg'], 'exact'), false);
  assert.equal(full(['-f', '/etc/haproxy.cfg'], 'partial'), true);
  assert.equal(full(['-f', '/etc/haproxy'], 'partial'), false);
  assert.equal(full(['-f', '/etc/haproxy'], 'initial'), true);
  assert.equal(full([], 'exact'), false, 'param_match with no parameters: must have none');
  assert.equal(paramsMatch({ params: [], paramMatch: 'exact' }, []), true);
});

test('/proc parsing: comm may hold spaces and parentheses; zombies show state Z; cmdline splits at NULs', () => {
  assert.deepEqual(parseStat('42 (a (b) c) S 1 42 42 0'), { comm: 'a (b) c', state: 'S' });
  assert.deepEqual(parseStat('43 (x) Z 1'), { comm: 'x', state: 'Z' });
  assert.equal(parseStat('garbage'), undefined);
  assert.deepEqual(parseCmdline(Buffer.from('sleep\x001000\x00')), ['sleep', '1000']);
  assert.deepEqual(parseCmdline(Buffer.alloc(0)), []);
});

test('track_process binding: weight 0 faults on lost quorum, a weight adds, reverse inverts', () => {
  const s = setup();
  assert.deepEqual(combine([{ source: s.t, weight: 0 }]), { fault: true, delta: 0, faulty: ['process:tp'] });
  assert.deepEqual(combine([{ source: s.t, weight: 0, reverse: true }]).fault, false);
  s.procs.start(['haproxy']);
  assert.deepEqual(combine([{ source: s.t, weight: 20 }]), { fault: false, delta: 20, faulty: [] });
  assert.deepEqual(combine([{ source: s.t, weight: -20, reverse: true }]).delta, -20);
});

test('track_process: when process events cannot be received, /proc is read every second instead (and the errno logged)', () => {
  const clock = new FakeClock(0);
  const procs = new FakeProcesses();
  const log = new MemoryLogger();
  const monitor = { scan: (a: boolean) => procs.scan(a), watch: () => { throw new Error('open proc connector socket (NETLINK_CONNECTOR): EPERM (operation not permitted)'); } };
  const t = new ProcessTracker({ name: 'x', process: 'haproxy', params: [], paramMatch: 'none', fullCommand: false, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0 }, { clock, monitor, logger: log });
  t.start();
  assert.ok(log.records.some((r) => r.level === 'error' && JSON.stringify(r).includes('EPERM')));
  procs.start(['haproxy']);
  assert.equal(t.status().ok, false);
  clock.advance(1000);
  assert.equal(t.status().ok, true);
  t.stop();
  procs.kill(procs.scan(false)[0]!.pid);
  clock.advance(5000);
  assert.equal(t.status().ok, true, 'stopped: no more reads');
});
