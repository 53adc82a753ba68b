// Several VRRP machines on a simulated LAN under one fake clock: minutes of protocol time in
// milliseconds of real time. Expected instants come from the RFC formulas worked by hand:
//   1 s interval: Master_Down_Interval = 3000 ms + (256 - p)/256 s
//   p=200: skew 218.75, down 3218.75 | p=150: skew 414.0625, down 3414.0625 | p=100: skew 609.375, down 3609.375
// Packets take 0.05 ms (SimLan latency).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimLan } from '../support/fake-lan.js';

const LAT = 0.05;

for (const version of [2, 3] as const) {
  const v = `v${version}`;
  const lanOf = (): SimLan => new SimLan(LAT);

  test(`${v} election: the highest priority wins after its own Master_Down_Interval, the others stay backup`, () => {
    const lan = lanOf();
    lan.add('a', { version, addr: '10.0.0.1', priority: 200 });
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.add('c', { version, addr: '10.0.0.3', priority: 150 });
    lan.start('a', 'b', 'c');
    lan.run(60_000);
    assert.deepEqual(lan.masters(), ['a']);
    assert.deepEqual(lan.vipHolders(), ['a']);
    assert.equal(lan.clientNeighbour, 'a');
    const toMaster = lan.transitions.filter((t) => t.to === 'MASTER');
    assert.deepEqual(toMaster, [{ t: 3218.75, node: 'a', from: 'BACKUP', to: 'MASTER', reason: 'master-down' }]);
    assert.ok(lan.adverts.filter((x) => x.node === 'a').length >= 56, 'a keeps advertising every second');
    assert.deepEqual(lan.node('b').drops, {});
  });

  test(`${v} the owner (255) is master at once`, () => {
    const lan = lanOf();
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.start('b');
    lan.run(10_000);
    lan.add('o', { version, addr: '10.0.0.9', priority: 255 });
    lan.start('o');
    assert.deepEqual(lan.transitionsOf('o').map((t) => [t.t, t.to, t.reason]), [[10_000, 'MASTER', 'owner']]);
    lan.run(LAT);
    assert.deepEqual(lan.masters(), ['o'], 'b steps down as soon as the owner speaks');
    assert.deepEqual(lan.vipHolders(), ['o']);
  });

  test(`${v} preemption: a higher priority joining later takes over after its Master_Down_Interval`, () => {
    const lan = lanOf();
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.start('b');
    lan.run(10_000);
    assert.deepEqual(lan.masters(), ['b']);
    lan.add('a', { version, addr: '10.0.0.1', priority: 200 });
    lan.start('a');
    lan.run(20_000);
    assert.deepEqual(lan.masters(), ['a']);
    assert.deepEqual(lan.vipHolders(), ['a']);
    assert.equal(lan.clientNeighbour, 'a');
    assert.deepEqual(lan.transitionsOf('a').at(-1), { t: 10_000 + 3218.75, node: 'a', from: 'BACKUP', to: 'MASTER', reason: 'master-down' });
    assert.deepEqual(lan.transitionsOf('b').at(-1), { t: 10_000 + 3218.75 + LAT, node: 'b', from: 'MASTER', to: 'BACKUP', reason: 'higher-priority' });
  });

  test(`${v} nopreempt: a higher priority joining later stays backup until the master dies`, () => {
    const lan = lanOf();
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.add('a', { version, addr: '10.0.0.1', priority: 200, nopreempt: true });
    lan.start('b');
    lan.run(10_000);
    lan.start('a');
    lan.run(50_000);
    assert.deepEqual(lan.masters(), ['b']);
    lan.kill('b');
    const last = lan.lastAdvertOf('b')!;
    lan.run(10_000);
    assert.deepEqual(lan.masters(), ['a']);
    assert.deepEqual(lan.transitionsOf('a').at(-1), { t: last.t + LAT + 3218.75, node: 'a', from: 'BACKUP', to: 'MASTER', reason: 'master-down' });
  });

  test(`${v} preempt_delay: preemption waits the delay from the first lower-priority advert`, () => {
    const lan = lanOf();
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.add('a', { version, addr: '10.0.0.1', priority: 200, preemptDelayMs: 30_000 });
    lan.start('b');
    lan.run(10_000);
    lan.start('a');
    lan.run(25_000);
    assert.deepEqual(lan.masters(), ['b'], 'still inside the delay');
    const firstHeard = lan.adverts.find((x) => x.node === 'b' && x.t >= 10_000)!;
    lan.run(20_000);
    assert.deepEqual(lan.masters(), ['a']);
    assert.deepEqual(lan.transitionsOf('a').at(-1), { t: firstHeard.t + LAT + 30_000, node: 'a', from: 'BACKUP', to: 'MASTER', reason: 'preempt' });
    assert.deepEqual(lan.vipHolders(), ['a']);
  });

  test(`${v} priority-0 hand-over: a graceful stop hands over after Skew_Time, not Master_Down_Interval`, () => {
    const lan = lanOf();
    lan.add('a', { version, addr: '10.0.0.1', priority: 200 });
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.add('c', { version, addr: '10.0.0.3', priority: 150 });
    lan.start('a', 'b', 'c');
    lan.run(20_000);
    lan.send('a', { type: 'shutdown' });
    assert.equal(lan.node('a').state, 'STOPPED');
    assert.deepEqual(lan.vipHolders(), []);
    lan.run(10_000);
    assert.deepEqual(lan.masters(), ['c'], 'the best remaining backup wins the race: its skew is shortest');
    assert.deepEqual(lan.transitionsOf('c').at(-1), { t: 20_000 + LAT + 414.0625, node: 'c', from: 'BACKUP', to: 'MASTER', reason: 'master-stopped' });
    assert.equal(lan.transitionsOf('b').filter((t) => t.to === 'MASTER').length, 0, 'b heard c before its own skew ran out');
    assert.equal(lan.clientNeighbour, 'c');
  });

  test(`${v} equal priority: the higher primary address wins, even when both time out together`, () => {
    const lan = lanOf();
    lan.add('low', { version, addr: '10.0.0.1', priority: 100 });
    lan.add('high', { version, addr: '10.0.0.2', priority: 100 });
    lan.start('low', 'high');
    lan.run(3609.375);
    assert.deepEqual(lan.masters().sort(), ['high', 'low'], 'both timers expire at the same instant');
    lan.run(10_000);
    assert.deepEqual(lan.masters(), ['high']);
    assert.deepEqual(lan.vipHolders(), ['high']);
    assert.equal(lan.clientNeighbour, 'high');
  });

  test(`${v} equal priority joining a running master: no preemption (RFC: a backup accepts an equal priority)`, () => {
    const lan = lanOf();
    lan.add('low', { version, addr: '10.0.0.1', priority: 100 });
    lan.add('high', { version, addr: '10.0.0.2', priority: 100 });
    lan.start('low');
    lan.run(10_000);
    lan.start('high');
    lan.run(30_000);
    assert.deepEqual(lan.masters(), ['low']);
  });

  for (const order of ['winner speaks first', 'loser speaks first'] as const) {
    test(`${v} split brain heals to one master, the loser removes VIPs, the winner re-sends GARP (${order})`, () => {
      const lan = lanOf();
      lan.add('a', { version, addr: '10.0.0.1', priority: 200 });
      lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
      lan.start('a', 'b');
      lan.run(10_000);
      lan.partition('a', 'b');
      lan.run(10_000);
      assert.deepEqual(lan.masters().sort(), ['a', 'b'], 'split brain');
      assert.deepEqual(lan.vipHolders().sort(), ['a', 'b']);
      assert.equal(lan.clientNeighbour, 'b', 'the client followed the last GARP: the wrong box');
      // a advertises at 218.75 ms past each second; pick the heal instant so that the chosen
      // side's next advertisement crosses first.
      const nextA = lan.lastAdvertOf('a')!.t + 1000, nextB = lan.lastAdvertOf('b')!.t + 1000;
      assert.notEqual(nextA, nextB);
      const first = order === 'winner speaks first' ? Math.min(nextA, nextB) === nextA : Math.min(nextA, nextB) === nextB;
      if (!first) lan.run(Math.min(nextA, nextB) - lan.now + 1); // let the other one's advert pass unheard
      lan.heal('a', 'b');
      const garpsBefore = lan.transitions.length;
      lan.run(5_000);
      assert.deepEqual(lan.masters(), ['a']);
      assert.deepEqual(lan.vipHolders(), ['a']);
      assert.equal(lan.clientNeighbour, 'a', 'the winner re-announced the VIPs');
      assert.deepEqual(lan.transitions.slice(garpsBefore).map((t) => [t.node, t.from, t.to, t.reason]), [['b', 'MASTER', 'BACKUP', 'higher-priority']]);
    });
  }

  test(`${v} fault on the master: priority-0 advert, the backup takes over after Skew_Time; recovery preempts back`, () => {
    const lan = lanOf();
    lan.add('a', { version, addr: '10.0.0.1', priority: 200 });
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.start('a', 'b');
    lan.run(10_000);
    lan.send('a', { type: 'fault', reason: 'eth1 down' });
    assert.equal(lan.node('a').state, 'FAULT');
    lan.run(5_000);
    assert.deepEqual(lan.masters(), ['b']);
    assert.deepEqual(lan.transitionsOf('b').at(-1)!.t, 10_000 + LAT + 609.375);
    lan.send('a', { type: 'faultCleared' });
    lan.run(10_000);
    assert.deepEqual(lan.masters(), ['a']);
    assert.deepEqual(lan.transitionsOf('a').at(-1), { t: 15_000 + 3218.75, node: 'a', from: 'BACKUP', to: 'MASTER', reason: 'master-down' });
    assert.equal(lan.clientNeighbour, 'a');
  });

  test(`${v} link cut on the master: the backup takes over one Master_Down_Interval after the last advert heard`, () => {
    const lan = lanOf();
    lan.add('a', { version, addr: '10.0.0.1', priority: 200 });
    lan.add('b', { version, addr: '10.0.0.2', priority: 100 });
    lan.start('a', 'b');
    lan.run(10_000);
    lan.setCable('a', false);
    const last = lan.lastAdvertOf('a')!;
    lan.run(10_000);
    assert.deepEqual(lan.transitionsOf('b').at(-1), { t: last.t + LAT + 3609.375, node: 'b', from: 'BACKUP', to: 'MASTER', reason: 'master-down' });
    lan.setCable('a', true);
    lan.run(5_000);
    assert.deepEqual(lan.masters(), ['a']);
    assert.equal(lan.clientNeighbour, 'a');
  });
}

test('why masters step down with one last advert: without it (keepalived) a winner-first heal leaves the client on the loser', () => {
  const heal = (stepDownAdvert: boolean): string | undefined => {
    const lan = new SimLan(LAT);
    lan.add('a', { addr: '10.0.0.1', priority: 200, stepDownAdvert });
    lan.add('b', { addr: '10.0.0.2', priority: 100, stepDownAdvert });
    lan.start('a', 'b');
    lan.run(10_000);
    lan.partition('a', 'b');
    lan.run(10_000);
    assert.ok(lan.lastAdvertOf('a')!.t + 1000 < lan.lastAdvertOf('b')!.t + 1000, 'a speaks first after the heal');
    lan.heal('a', 'b');
    lan.run(5_000);
    assert.deepEqual(lan.masters(), ['a']);
    return lan.clientNeighbour;
  };
  assert.equal(heal(true), 'a');
  assert.equal(heal(false), 'b', 'stale neighbour cache: clients keep sending to the box without the VIPs');
});

test('a backup paused past Master_Down_Interval does not take over when it reads the queued adverts first', () => {
  const pausedRun = (drainFirst: boolean): string[] => {
    const lan = new SimLan(LAT);
    lan.add('a', { addr: '10.0.0.1', priority: 200, advertIntervalCs: 1 });
    lan.add('b', { addr: '10.0.0.2', priority: 100, advertIntervalCs: 1 });
    lan.start('a', 'b');
    lan.run(1000);
    lan.pause('b');
    lan.run(200); // 200 ms stopped: Master_Down_Interval at 10 ms adverts is 36.09375 ms
    assert.ok(lan.node('b').queuedTimers.includes('masterDown'));
    lan.resume('b', drainFirst);
    lan.run(1000);
    return lan.transitionsOf('b').map((t) => t.to);
  };
  assert.deepEqual(pausedRun(true), ['BACKUP'], 'no spurious transition');
  assert.deepEqual(pausedRun(false), ['BACKUP', 'MASTER', 'BACKUP'], 'timers first: a spurious takeover');
});

test('v3 at advert_int 0.01 (1 cs): election and failover in tens of milliseconds', () => {
  const lan = new SimLan(0.01);
  lan.add('a', { version: 3, addr: '10.0.0.1', priority: 200, advertIntervalCs: 1 });
  lan.add('b', { version: 3, addr: '10.0.0.2', priority: 100, advertIntervalCs: 1 });
  lan.start('a', 'b');
  lan.run(1000);
  // p=200 at 1 cs: 30 ms + 56/256 * 10 ms = 32.1875 ms
  assert.deepEqual(lan.transitionsOf('a').at(-1)!.t, 32.1875);
  lan.kill('a');
  const last = lan.lastAdvertOf('a')!;
  lan.run(1000);
  // p=100: 30 ms + 156/256 * 10 ms = 36.09375 ms
  assert.equal(lan.transitionsOf('b').at(-1)!.t, last.t + 0.01 + 36.09375);
  assert.deepEqual(lan.masters(), ['b']);
});

test('v3 a backup configured at 1 s adopts a 0.2 s master and detects its death at the master\'s pace', () => {
  const lan = new SimLan(LAT);
  lan.add('a', { version: 3, addr: '10.0.0.1', priority: 200, advertIntervalCs: 20 });
  lan.add('b', { version: 3, addr: '10.0.0.2', priority: 100, advertIntervalCs: 100 });
  lan.start('a');
  lan.run(5000);
  lan.start('b');
  lan.run(5000);
  lan.kill('a');
  const last = lan.lastAdvertOf('a')!;
  lan.run(10_000);
  // 3 * 200 ms + 156 * 20 / 256 cs = 600 + 121.875 ms
  assert.equal(lan.transitionsOf('b').at(-1)!.t, last.t + LAT + 721.875);
  assert.equal(lan.transitionsOf('b').at(-1)!.to, 'MASTER');
});

test('v2 an advert interval mismatch is dropped and counted, so both become master', () => {
  const lan = new SimLan(LAT);
  lan.add('a', { version: 2, addr: '10.0.0.1', priority: 200, advertIntervalCs: 100 });
  lan.add('b', { version: 2, addr: '10.0.0.2', priority: 100, advertIntervalCs: 200 });
  lan.start('a', 'b');
  lan.run(20_000);
  assert.deepEqual(lan.masters().sort(), ['a', 'b']);
  assert.ok((lan.node('b').drops['interval-mismatch'] ?? 0) > 5);
});

test('other VRIDs on the same LAN do not interfere', () => {
  const lan = new SimLan(LAT);
  lan.add('a', { addr: '10.0.0.1', priority: 200, vrid: 1 });
  lan.add('b', { addr: '10.0.0.2', priority: 100, vrid: 2 });
  lan.start('a', 'b');
  lan.run(10_000);
  assert.deepEqual(lan.masters().sort(), ['a', 'b']);
  assert.ok((lan.node('b').drops['vrid-mismatch'] ?? 0) > 5);
});

test('IPv6 v3: election by link-local addresses', () => {
  const lan = new SimLan(LAT);
  lan.add('a', { addr: 'fe80::1', priority: 100 });
  lan.add('b', { addr: 'fe80::2', priority: 100 });
  lan.start('a', 'b');
  lan.run(10_000);
  assert.deepEqual(lan.masters(), ['b']);
});
