// The two fast paths must change nothing on the wire or in the elections: a master's adverts
// through the transport's repeat (the addon's sender thread) instead of the advert timer, and a
// backup's copies of the master's advert dropped by the transport (the kernel filter's dedupe)
// and fed at Master_Down time. Same instants, bytes, destinations and transitions across a
// takeover, priority changes, a reload of VIPs and interval, a split brain healing and a stop.
// The same scenario runs on two fake LANs, one whose transports offer both and one without.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, spec, settle, type Node } from './harness.js';
import { FakeLinks } from '../../../src/ports/fake/net.js';
import { InterfaceTracker } from '../../../src/track/interface-tracker.js';
import { formatIP } from '../../../src/lib/ip.js';
import type { VrrpInstance } from '../../../src/config/model.js';

interface Wire { t: number; from: string; to: string; hex: string }

interface Outcome { wire: Wire[]; sent: number; repeats: number; aLog: string[]; bLog: string[]; bReceived: number; bDelivered: number; bRefs: number; bWatches: number }

/** A fake LAN whose transports offer the fast paths (the addon's repeat, the kernel's dedupe), or not. */
function world(fast: boolean): World {
  const w = new World();
  if (fast) w.lan.repeatClock = w.clock;
  return w;
}

/** Every transition of the nodes, as "time name FROM->TO reason", in order. */
function transitions(w: World, nodes: Record<string, Node>): string[] {
  const log: string[] = [];
  for (const [n, x] of Object.entries(nodes)) x.inst.onTransition((t) => log.push(`${w.clock.now()} ${n} ${t.from}->${t.to} ${t.reason}`));
  return log;
}

async function scenario(withRepeat: boolean): Promise<Outcome> {
  const w = world(withRepeat);
  const base = (over: Partial<VrrpInstance>) => spec({ advertIntervalMs: 100, ...over });
  const a = w.add('a', '10.0.0.1', base({ priority: 200 }));
  const b = w.add('b', '10.0.0.2', base({ priority: 100 }));
  const c = w.add('c', '10.0.0.3', base({ priority: 50 }));
  const wire: Wire[] = [];
  let bDelivered = 0;
  const deliver = b.transport.deliver.bind(b.transport);
  b.transport.deliver = () => { bDelivered += b.transport.queue.length; deliver(); };
  for (const [name, n] of [['a', a], ['b', b], ['c', c]] as const) {
    const send = n.transport.send.bind(n.transport);
    n.transport.send = (p, d) => { wire.push({ t: w.clock.now(), from: name, to: formatIP(d), hex: Buffer.from(p).toString('hex') }); send(p, d); };
  }
  const dst = { destinations: ['224.0.0.18'], tracking: [] };
  a.inst.start(); b.inst.start(); c.inst.start();
  await w.run(2000, 5);
  assert.equal(a.inst.state, 'MASTER');
  a.inst.reconfigure(base({ priority: 150 }), dst);           // advertised at once, then every 100 ms
  await w.run(537, 5);
  a.inst.reconfigure(base({ priority: 150, virtualIps: [...spec().virtualIps, { ...spec().virtualIps[0]!, address: '10.0.0.101' }] }), dst);
  await w.run(463, 5);                                         // new bytes from the next advert on
  a.inst.reconfigure(base({ priority: 150, advertIntervalMs: 50 }), dst);
  await w.run(300, 5);                                         // a shorter interval applies now
  w.lan.cut.add(c.transport);                                  // c hears nothing and takes over
  await w.run(1500, 5);
  assert.equal(c.inst.state, 'MASTER');
  w.lan.cut.delete(c.transport);                               // a hears a lower priority and re-asserts
  await w.run(1000, 5);
  assert.equal(a.inst.state, 'MASTER');
  await a.inst.stop();                                         // priority 0, and nothing after it
  await w.run(500, 5);
  const bReceived = b.inst.counters.received + (b.inst.kernelDrops()['duplicate'] ?? 0);
  return { wire, sent: a.inst.counters.sent, repeats: a.transport.repeatsStarted, aLog: a.journal, bLog: b.journal, bReceived, bDelivered, bRefs: b.transport.refsSet, bWatches: b.transport.watchesStarted };
}

test('repeat and dedupe: the same adverts on the wire at the same instants, the same elections', async () => {
  const timer = await scenario(false);
  const repeat = await scenario(true);
  assert.equal(timer.repeats, 0);
  assert.ok(repeat.repeats >= 5, `the master's adverts went through repeat (${repeat.repeats} starts)`);
  const fromA = (x: Wire[]) => x.filter((p) => p.from === 'a');
  assert.ok(fromA(timer.wire).length > 60, 'the scenario has adverts to compare');
  assert.deepEqual(fromA(repeat.wire), fromA(timer.wire));
  assert.deepEqual(repeat.wire, timer.wire, 'and the whole LAN behaves the same');
  assert.equal(repeat.sent, timer.sent, 'counters.sent includes what the repeat sent');
  assert.equal(repeat.sent, fromA(repeat.wire).length);
  assert.deepEqual(repeat.aLog, timer.aLog);
  assert.deepEqual(repeat.bLog, timer.bLog, 'the backup did the same, in the same order');
  assert.equal(repeat.bReceived, timer.bReceived, 'received counts the copies dropped');
  assert.ok(repeat.bRefs >= 3, `the backup set references (${repeat.bRefs})`);
  assert.ok(repeat.bWatches >= 3, `the backup's Master_Down was a quiet watch (${repeat.bWatches})`);
  assert.ok(repeat.bDelivered < timer.bDelivered / 5, `the backup was handed ${repeat.bDelivered} adverts instead of ${timer.bDelivered}`);
});

test('a failing repeat is counted as send-error and logged as the timer path does', async () => {
  const w = world(true);
  const a = w.add('a', '10.0.0.1', spec({ priority: 200, advertIntervalMs: 100 }));
  a.inst.start();
  await w.run(4000, 5);
  assert.equal(a.inst.state, 'MASTER');
  const before = a.inst.counters.sent;
  a.transport.send = () => { throw new Error('ENETUNREACH'); };
  await w.run(1000, 5);
  assert.equal(a.inst.counters.sent, before);
  assert.ok(a.inst.counters['send-error'] >= 9 && a.inst.counters['send-error'] <= 11, `${a.inst.counters['send-error']} failures in 1 s at 100 ms`);
  assert.equal(a.log.records.filter((r) => r.msg === 'sending an advertisement failed').length, 1, 'the 1st failure is logged, not each');
});

async function preemption(fast: boolean): Promise<string[]> {
  const w = world(fast);
  const low = w.add('low', '10.0.0.3', spec({ priority: 50, advertIntervalMs: 100 }));
  low.inst.start();
  await w.run(1000, 5);
  const high = w.add('high', '10.0.0.1', spec({ priority: 200, advertIntervalMs: 100 }));
  const log = transitions(w, { low, high });
  high.inst.start();
  await w.run(3000, 5);
  await high.inst.stop();                                  // priority 0: low takes over after Skew_Time
  await w.run(1000, 5);
  return log;
}

test('dedupe: copies of an advert the machine ignores (a lower priority it preempts) never hold its deadline', async () => {
  const slow = await preemption(false), fast = await preemption(true);
  assert.ok(slow.some((l) => / high BACKUP->MASTER master-down/.test(l)), slow.join('\n'));
  assert.deepEqual(fast, slow);
});

/**
 * A backup (90 while its tracked interface is down) follows a master at 100; the interface comes
 * back (150): the master's adverts are now ones it discards, and it preempts after Master_Down.
 * With dedupe, the copies the kernel kept dropping at 90 must stop holding the deadline (a
 * vrrp_track_process against keepalived, seen once in CI, never preempted).
 */
async function risenBackup(fast: boolean): Promise<string[]> {
  const w = world(fast);
  const links = new FakeLinks([{ ifname: 'eth9', index: 9, up: false }]);
  const tr = new InterfaceTracker('eth9', links);
  tr.start();
  const master = w.add('master', '10.0.0.1', spec({ priority: 100, advertIntervalMs: 100 }));
  const risen = w.add('risen', '10.0.0.2', spec({ priority: 150, advertIntervalMs: 100 }), { tracking: [{ source: tr, weight: -60 }] });
  const log = transitions(w, { master, risen });
  master.inst.start();
  await w.run(1000, 5);
  risen.inst.start();
  await w.run(3000, 5);                                     // several Master_Down intervals of copies
  assert.equal(risen.inst.state, 'BACKUP');
  assert.equal(risen.inst.priority, 90);
  links.set('eth9', { up: true });
  await settle();
  await w.run(1500, 5);
  return log;
}

test('dedupe: a backup whose priority rises above its master\'s stops following the copies and preempts', async () => {
  const slow = await risenBackup(false), fast = await risenBackup(true);
  assert.ok(slow.some((l) => / risen BACKUP->MASTER master-down/.test(l)), slow.join('\n'));
  assert.deepEqual(fast, slow);
});

/** The same rise by a reload (priority 90 -> 150 in place) and a fall that keeps it below its master (90 -> 95). */
async function reloadedBackup(fast: boolean, to: number): Promise<string[]> {
  const w = world(fast);
  const master = w.add('master', '10.0.0.1', spec({ priority: 100, advertIntervalMs: 100 }));
  const b = w.add('b', '10.0.0.2', spec({ priority: 90, advertIntervalMs: 100 }));
  const log = transitions(w, { master, b });
  master.inst.start();
  await w.run(1000, 5);
  b.inst.start();
  await w.run(3000, 5);
  b.inst.reconfigure(spec({ priority: to, advertIntervalMs: 100 }), { destinations: ['224.0.0.18'], tracking: [] });
  await w.run(1500, 5);
  return log;
}

test('dedupe: a reload that changes a backup\'s priority takes in the copies first (over its master: preempts; under: stays)', async () => {
  const upSlow = await reloadedBackup(false, 150), upFast = await reloadedBackup(true, 150);
  assert.ok(upSlow.some((l) => / b BACKUP->MASTER master-down/.test(l)), upSlow.join('\n'));
  assert.deepEqual(upFast, upSlow);
  const stay = await reloadedBackup(true, 95);
  assert.ok(!stay.some((l) => / b BACKUP->MASTER/.test(l)), stay.join('\n'));
  assert.deepEqual(stay, await reloadedBackup(false, 95));
});
