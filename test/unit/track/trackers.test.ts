import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptTracker } from '../../../src/track/script-tracker.js';
import { InterfaceTracker } from '../../../src/track/interface-tracker.js';
import { FileTracker, parseTrackFile } from '../../../src/track/file-tracker.js';
import { combine, contribution } from '../../../src/track/binding.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';
import { FakeScripts } from '../../../src/ports/fake/scripts.js';
import { FakeLinks } from '../../../src/ports/fake/net.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import type { TrackSource } from '../../../src/track/source.js';

const flush = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

function scriptSetup(results: number[], over: Partial<ConstructorParameters<typeof ScriptTracker>[0]> = {}) {
  const clock = new FakeClock(0);
  const scripts = new FakeScripts();
  let i = 0;
  scripts.program = () => ({ code: results[i++] ?? 0 });
  const t = new ScriptTracker({ name: 'chk', argv: ['/chk'], intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3, ...over }, { clock, runner: scripts, logger: new MemoryLogger() });
  const changes: boolean[] = [];
  t.onChange((s) => changes.push(s.ok));
  return { clock, scripts, t, changes };
}

async function runTicks(s: ReturnType<typeof scriptSetup>, n: number) {
  s.t.start();
  for (let k = 0; k < n; k++) { s.clock.advance(k === 0 ? 0 : 1000); await flush(); }
}

test('vrrp_script: fall failures in a row make it fail, rise successes bring it back', async () => {
  const s = scriptSetup([1, 1, 0, 1, 1, 1, 0, 1, 0, 0]);
  await runTicks(s, 10);
  // 1,1,0 resets the streak; 1,1,1 -> fail; 0 then 1 resets; 0,0 -> ok again
  assert.deepEqual(s.changes, [false, true]);
  assert.equal(s.t.status().ok, true);
  assert.equal(s.scripts.runs.length, 10);
  assert.equal(s.scripts.runs[0]!.spec.timeoutMs, 500);
});

test('vrrp_script: init_fail starts failed until rise successes', async () => {
  const s = scriptSetup([0, 0], { initFail: true });
  assert.equal(s.t.status().ok, false);
  await runTicks(s, 2);
  assert.deepEqual(s.changes, [true]);
});

test('vrrp_script: a timeout counts as failure and runs never overlap', async () => {
  const clock = new FakeClock(0);
  const scripts = new FakeScripts(); // runs wait for finish()
  const t = new ScriptTracker({ name: 'c', argv: ['/c'], intervalMs: 100, timeoutMs: 50, rise: 1, fall: 1, user: 'u' }, { clock, runner: scripts, logger: new MemoryLogger() });
  t.start();
  clock.advance(0);
  clock.advance(1000);
  assert.equal(scripts.runs.length, 1, 'no second run while the first is going');
  assert.equal(scripts.runs[0]!.spec.user, 'u');
  scripts.runs[0]!.finish({ code: null, signal: 'SIGKILL', timedOut: true });
  await flush();
  assert.equal(t.status().ok, false);
  assert.equal(t.stats.timeouts, 1);
  t.stop();
  clock.advance(10_000);
  assert.equal(scripts.runs.length, 1, 'stopped trackers do not run');
});

test('track_interface follows the link watcher', () => {
  const links = new FakeLinks([{ ifname: 'eth1', index: 2, up: true }]);
  const t = new InterfaceTracker('eth1', links);
  const seen: boolean[] = [];
  t.onChange((s) => seen.push(s.ok));
  t.start();
  links.set('eth1', { up: false });
  links.set('eth1', { up: false });
  links.set('eth2', { up: true });
  links.set('eth1', { up: true });
  assert.deepEqual(seen, [false, true]);
  assert.equal(new InterfaceTracker('nope', links).status().ok, false);
});

test('track_file reads the integer and reports changes on poll', () => {
  const clock = new FakeClock(0);
  const files: Record<string, string> = { '/f': '0\n' };
  const t = new FileTracker('tf', '/f', { clock, files: { read: (p) => files[p] }, pollMs: 100 });
  const seen: number[] = [];
  t.onChange((s) => seen.push(s.value!));
  t.start();
  files['/f'] = '-20 trailing';
  clock.advance(100);
  delete files['/f'];
  clock.advance(100);
  assert.deepEqual(seen, [-20, 0]);
  assert.deepEqual([parseTrackFile('  7'), parseTrackFile('x'), parseTrackFile(undefined)], [7, 0, 0]);
  // strtol(buf, NULL, 0), as keepalived reads the file: hex, octal, signs, trailing text ignored.
  assert.deepEqual(['0x10', '010', '-0x1f', '+12abc', '0', '09', '-7\n'].map(parseTrackFile), [16, 8, -31, 12, 0, 0, -7]);
});

const src = (kind: TrackSource['kind'], ok: boolean, value?: number): TrackSource =>
  ({ kind, name: kind, status: () => ({ ok, value }), onChange: () => () => {}, start() {}, stop() {} });

for (const [name, b, want] of [
  ['weight 0 failing = fault', { source: src('script', false), weight: 0 }, { fault: true, delta: 0 }],
  ['weight 0 good', { source: src('script', true), weight: 0 }, { fault: false, delta: 0 }],
  ['positive weight added while good', { source: src('script', true), weight: 10 }, { fault: false, delta: 10 }],
  ['positive weight not added while failing', { source: src('script', false), weight: 10 }, { fault: false, delta: 0 }],
  ['negative weight added while failing', { source: src('interface', false), weight: -30 }, { fault: false, delta: -30 }],
  ['negative weight, reverse, good = failing', { source: src('interface', true), weight: -30, reverse: true }, { fault: false, delta: -30 }],
  ['weight 0 reverse: good is a fault', { source: src('interface', true), weight: 0, reverse: true }, { fault: true, delta: 0 }],
  ['file value times weight', { source: src('file', false, -5), weight: 3 }, { fault: false, delta: -15 }],
  ['file weight 0 non-zero = fault', { source: src('file', false, 2), weight: 0 }, { fault: true, delta: 0 }],
  ['file at or below -254 = fault', { source: src('file', false, -254), weight: 1 }, { fault: true, delta: -254 }],
] as const) {
  test(`contribution: ${name}`, () => assert.deepEqual(contribution(b as never), want));
}

test('combine sums deltas and names faulty sources', () => {
  const r = combine([{ source: src('script', true), weight: 5 }, { source: src('interface', false), weight: 0 }, { source: src('file', false, -2), weight: 2 }]);
  assert.deepEqual(r, { fault: true, delta: 1, faulty: ['interface:interface'] });
});

test('vrrp_script: a runner that throws counts as a failure, is logged, and the checks go on', async () => {
  const clock = new FakeClock(0);
  let n = 0;
  const runner = { run: async () => { if (n++ < 2) throw new Error('spawn exploded'); return { code: 0, signal: null, timedOut: false }; } };
  const log = new MemoryLogger();
  const t = new ScriptTracker({ name: 'c', argv: ['/c'], intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 2 }, { clock, runner, logger: log });
  const changes: boolean[] = [];
  t.onChange((s) => changes.push(s.ok));
  t.start();
  for (let k = 0; k < 4; k++) { clock.advance(k === 0 ? 0 : 1000); await flush(); }
  assert.equal(n, 4, 'runs continued after the throws');
  assert.deepEqual(changes, [false, true]);
  assert.equal(log.records.filter((r) => r.level === 'error' && r['err'] === 'spawn exploded').length, 2);
  t.stop();
});
