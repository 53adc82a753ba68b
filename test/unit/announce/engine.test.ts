// The announcement engine over a fake clock and an in-memory kernel table: flush before anything
// is announced, hold-down (and its restart on a flap), withdrawal at once, metric, `always`, VRRP
// MASTER, unknown inputs, stop, and kernel failures retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Announcements, AnnounceCondition } from '../../../src/config/announcements.js';
import { AnnouncementEngine } from '../../../src/announce/engine.js';
import { FakeRoutes } from '../../../src/announce/fake-routes.js';
import type { PoolHealth, VrrpStates } from '../../../src/announce/inputs.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';

const VS = '10.20.0.1:80/TCP';

class Pools implements PoolHealth {
  up = new Map<string, boolean | undefined>();
  private fns: ((vs: string) => void)[] = [];
  onChange(fn: (vs: string) => void) { this.fns.push(fn); return () => { this.fns = this.fns.filter((f) => f !== fn); }; }
  isUp(vs: string) { return this.up.get(vs); }
  set(vs: string, v: boolean | undefined) { this.up.set(vs, v); for (const f of this.fns) f(vs); }
  get listeners() { return this.fns.length; }
}

class Vrrp implements VrrpStates {
  states = new Map<string, string>();
  private fns: ((t: { instance: string }) => void)[] = [];
  stateOf(n: string) { return this.states.get(n); }
  onTransition(fn: (t: { instance: string }) => void) { this.fns.push(fn); }
  set(n: string, s: string) { this.states.set(n, s); for (const f of this.fns) f({ instance: n }); }
}

function route(prefix: string, condition: AnnounceCondition, holdDownMs = 0, metric = 0) {
  return { prefix, family: (prefix.includes(':') ? 6 : 4) as 4 | 6, condition, holdDownMs, metric };
}

function setup(routes: Announcements['routes'], table = 100) {
  const clock = new FakeClock(0);
  const kernel = new FakeRoutes();
  const pools = new Pools();
  const vrrp = new Vrrp();
  const engine = new AnnouncementEngine({ table, routes }, { routes: kernel, clock, pools, vrrp, wallNow: () => 1_700_000_000_000 + clock.now() });
  /** Advances the clock and lets the engine's kernel operations finish. */
  const advance = async (ms: number) => { clock.advance(ms); await engine.idle(); };
  return { clock, kernel, pools, vrrp, engine, advance };
}

test('start flushes our routes left by an earlier run before announcing, and touches nothing else', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'always' })]);
  s.kernel.entries.push(
    { prefix: '10.20.0.9/32', table: 100, metric: 5, protocol: 'ours' }, // a crashed run's leftover
    { prefix: '10.20.0.1/32', table: 100, metric: 0, protocol: 'ours' }, // even the one we are about to announce
    { prefix: '10.20.0.8/32', table: 100, metric: 0, protocol: 'foreign' },
    { prefix: '10.20.0.7/32', table: 200, metric: 0, protocol: 'ours' }, // another table: not ours to flush
  );
  await s.engine.start();
  assert.deepEqual(s.kernel.log, ['list t100', 'remove 10.20.0.9/32 t100 m5', 'remove 10.20.0.1/32 t100 m0', 'install 10.20.0.1/32 t100 m0']);
  assert.deepEqual(s.kernel.ours(100), ['10.20.0.1/32 m0']);
  assert.ok(s.kernel.entries.some((e) => e.protocol === 'foreign' && e.prefix === '10.20.0.8/32'));
  assert.deepEqual(s.kernel.ours(200), ['10.20.0.7/32 m0']);
});

test('hold-down: announced only once the pool has been up for holdDownMs; withdrawn at once', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }, 5000, 10)]);
  s.pools.up.set(VS, true);
  await s.engine.start();
  assert.deepEqual(s.kernel.ours(), []);
  await s.advance(4999);
  assert.deepEqual(s.kernel.ours(), [], 'not before the hold-down');
  assert.equal(s.engine.snapshot()[0]!.holdingDown, true);
  await s.advance(1);
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m10'], 'the metric goes on the route');
  s.pools.set(VS, false);
  await s.engine.idle();
  assert.deepEqual(s.kernel.ours(), [], 'withdrawal does not wait');
  assert.equal(s.clock.armed, 0);
});

test('a flap during the hold-down starts it again', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }, 5000)]);
  await s.engine.start();
  s.pools.set(VS, true);
  await s.advance(2000);
  s.pools.set(VS, false);
  await s.advance(1000);
  s.pools.set(VS, true); // t = 3000: must hold until 8000
  await s.advance(4999);
  assert.deepEqual(s.kernel.ours(), []);
  await s.advance(1);
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0']);
  assert.equal(s.kernel.log.filter((l) => l.startsWith('install')).length, 1);
});

test('repeated notifications with the same health do nothing', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }, 1000)]);
  await s.engine.start();
  s.pools.set(VS, true);
  await s.advance(600);
  s.pools.set(VS, true); // same value: the hold-down keeps running from the first
  await s.advance(400);
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0']);
});

test('unknown pool health (not checked yet, or no such service) is never announced', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }), route('10.20.0.2/32', { kind: 'virtualServer', virtualServer: 'nope' })]);
  await s.engine.start();
  s.pools.set(VS, undefined);
  await s.advance(10_000);
  assert.deepEqual(s.kernel.ours(), []);
  s.pools.set(VS, true);
  await s.engine.idle();
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0']);
});

test('always: announced at start with no input at all', async () => {
  const clock = new FakeClock(0);
  const kernel = new FakeRoutes();
  const engine = new AnnouncementEngine({ table: 7, routes: [route('2001:db8:20::/48', { kind: 'always' }, 0, 3)] }, { routes: kernel, clock });
  await engine.start();
  assert.deepEqual(kernel.ours(7), ['2001:db8:20::/48 m3']);
  assert.throws(() => new AnnouncementEngine({ table: 7, routes: [route('10.0.0.1/32', { kind: 'virtualServer', virtualServer: VS })] }, { routes: kernel, clock }), /needs pool health/);
});

test('VRRP condition: announced while MASTER, withdrawn on BACKUP or FAULT, unknown instance never', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'vrrpInstance', vrrpInstance: 'VI_1' }), route('10.20.0.2/32', { kind: 'vrrpInstance', vrrpInstance: 'VI_9' })]);
  s.vrrp.states.set('VI_1', 'BACKUP');
  await s.engine.start();
  assert.deepEqual(s.kernel.ours(), []);
  s.vrrp.set('VI_1', 'MASTER');
  await s.engine.idle();
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0']);
  s.vrrp.set('VI_1', 'FAULT');
  await s.engine.idle();
  assert.deepEqual(s.kernel.ours(), []);
  s.vrrp.set('VI_1', 'MASTER');
  await s.engine.idle();
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0']);
});

test('stop withdraws every announced route, cancels hold-downs, unsubscribes; later events do nothing', async () => {
  const s = setup([
    route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }),
    route('10.20.0.2/32', { kind: 'always' }, 3000),
    route('10.20.0.3/32', { kind: 'always' }),
  ]);
  s.pools.up.set(VS, true);
  await s.engine.start();
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0', '10.20.0.3/32 m0']);
  assert.equal(s.clock.armed, 1);
  assert.equal(s.pools.listeners, 1);
  await s.engine.stop();
  assert.deepEqual(s.kernel.ours(), []);
  assert.equal(s.clock.armed, 0);
  assert.equal(s.pools.listeners, 0);
  s.pools.set(VS, false);
  s.pools.set(VS, true);
  await s.advance(10_000);
  assert.deepEqual(s.kernel.ours(), []);
  assert.deepEqual(s.engine.snapshot().map((x) => x.active), [false, false, false]);
});

test('a failed install is retried on the clock until it succeeds', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'always' })]);
  s.kernel.failWith = new Error('ENOBUFS');
  await s.engine.start();
  assert.deepEqual(s.kernel.ours(), []);
  assert.equal(s.engine.snapshot()[0]!.active, false);
  await s.advance(1000);
  assert.ok(s.kernel.log.filter((l) => l.startsWith('!')).length >= 2, 'tried again');
  s.kernel.failWith = undefined;
  await s.advance(1000);
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0']);
  assert.equal(s.engine.snapshot()[0]!.active, true);
});

test('nothing is announced until the start-up flush has worked', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'always' })]);
  s.kernel.entries.push({ prefix: '10.20.0.9/32', table: 100, metric: 0, protocol: 'ours' });
  s.kernel.failWith = new Error('EPERM');
  await s.engine.start();
  await s.advance(3000);
  assert.ok(!s.kernel.log.some((l) => l.includes('install')), 'no install attempted before the flush');
  s.kernel.failWith = undefined;
  await s.advance(1000);
  const clean = s.kernel.log.filter((l) => !l.startsWith('!'));
  assert.deepEqual(clean, ['list t100', 'remove 10.20.0.9/32 t100 m0', 'install 10.20.0.1/32 t100 m0']);
});

test('snapshot: prefix, condition text, active and since (wall clock of the last change)', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }, 2000, 10), route('10.20.0.2/32', { kind: 'vrrpInstance', vrrpInstance: 'VI_1' })]);
  await s.advance(500);
  await s.engine.start();
  s.pools.set(VS, true);
  await s.advance(2000);
  await s.advance(1500);
  const [a, b] = s.engine.snapshot();
  assert.deepEqual(a, { prefix: '10.20.0.1/32', table: 100, metric: 10, condition: `virtualServer ${VS}`, conditionMet: true, active: true, holdingDown: false, since: 1_700_000_000_000 + 2500 });
  assert.deepEqual(b, { prefix: '10.20.0.2/32', table: 100, metric: 0, condition: 'vrrpInstance VI_1', conditionMet: false, active: false, holdingDown: false, since: 1_700_000_000_000 + 500 });
});

test('reload keeps continuing routes announced (no flap), withdraws removed ones, holds new ones down', async () => {
  const keep = route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }, 5000);
  const s = setup([keep, route('10.20.0.2/32', { kind: 'always' }), route('10.20.0.3/32', { kind: 'always' }, 0, 5)]);
  s.pools.up.set(VS, true);
  await s.engine.start();
  await s.advance(5000);
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0', '10.20.0.2/32 m0', '10.20.0.3/32 m5']);
  s.kernel.log.length = 0;
  await s.engine.reload({ table: 100, routes: [
    { ...keep, holdDownMs: 9000 },                              // continues: a new hold-down does not withdraw it
    route('10.20.0.3/32', { kind: 'always' }, 0, 6),            // metric changed: replaced
    route('10.20.0.4/32', { kind: 'always' }, 2000),            // new: held down like at start
  ] });
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0', '10.20.0.3/32 m6']);
  assert.ok(!s.kernel.log.some((l) => l.includes('10.20.0.1/32')), 'the continuing route was never touched');
  await s.advance(2000);
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0', '10.20.0.3/32 m6', '10.20.0.4/32 m0']);
  s.pools.set(VS, false);
  await s.engine.idle();
  assert.deepEqual(s.kernel.ours(), ['10.20.0.3/32 m6', '10.20.0.4/32 m0'], 'the continuing route still follows its pool');
  await s.engine.stop();
  assert.deepEqual(s.kernel.ours(), []);
});

test('reload during a hold-down: the new hold-down counts from when the condition began', async () => {
  const r = route('10.20.0.1/32', { kind: 'virtualServer', virtualServer: VS }, 5000);
  const s = setup([r]);
  await s.engine.start();
  s.pools.set(VS, true);
  await s.advance(3000);
  await s.engine.reload({ table: 100, routes: [{ ...r, holdDownMs: 4000 }] });
  await s.advance(999);
  assert.deepEqual(s.kernel.ours(), []);
  await s.advance(1);
  assert.deepEqual(s.kernel.ours(), ['10.20.0.1/32 m0']);
  assert.equal(s.clock.armed, 0);
  // Shortened below what has already held: announced by the reload itself.
  const s2 = setup([r]);
  await s2.engine.start();
  s2.pools.set(VS, true);
  await s2.advance(3000);
  await s2.engine.reload({ table: 100, routes: [{ ...r, holdDownMs: 1000 }] });
  assert.deepEqual(s2.kernel.ours(), ['10.20.0.1/32 m0']);
});

test('reload to another table moves every route', async () => {
  const s = setup([route('10.20.0.1/32', { kind: 'always' })]);
  await s.engine.start();
  await s.engine.reload({ table: 101, routes: [route('10.20.0.1/32', { kind: 'always' })] });
  assert.deepEqual([s.kernel.ours(100), s.kernel.ours(101)], [[], ['10.20.0.1/32 m0']]);
});
