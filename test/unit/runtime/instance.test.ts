import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, spec, settle } from './harness.js';
import { decodeVrrp, encodeVrrp } from '../../../src/codec/vrrp.js';
import { parseIP } from '../../../src/lib/ip.js';
import { FakeLinks } from '../../../src/ports/fake/net.js';
import { InterfaceTracker } from '../../../src/track/interface-tracker.js';

const ip = (s: string) => parseIP(s).addr;

for (const version of [2, 3] as const) {
  test(`v${version}: the higher priority becomes master, the VIP is on exactly one node`, async () => {
    const w = new World();
    const a = w.add('a', '10.0.0.1', spec({ version, priority: 200 }));
    const b = w.add('b', '10.0.0.2', spec({ version, priority: 100 }));
    a.inst.start(); b.inst.start();
    await w.run(5000);
    assert.equal(a.inst.state, 'MASTER');
    assert.equal(b.inst.state, 'BACKUP');
    assert.ok(a.addrs.has('eth0', '10.0.0.100/24'));
    assert.ok(!b.addrs.has('eth0', '10.0.0.100/24'));
    const sent = decodeVrrp(a.transport.sent.at(-1)!.payload, 4);
    assert.ok(sent.ok && sent.advert.version === version && sent.advert.priority === 200);
  });
}

test('becoming master: advertise, then add VIPs, then GARP, then notify', async () => {
  const w = new World();
  const a = w.add('a', '10.0.0.1', spec({ excludedVips: [{ address: '10.0.1.5', family: 4, prefixLen: 32, dev: 'eth1', scope: 'global', noTrack: false }] }));
  a.inst.start();
  await w.run(4000);
  assert.equal(a.inst.state, 'MASTER');
  const i = a.journal.indexOf('advert 100');
  assert.deepEqual(a.journal.slice(i, i + 5), ['advert 100', 'add eth0 10.0.0.100/24', 'add eth1 10.0.1.5/32', 'garp eth0 10.0.0.100', 'garp eth1 10.0.1.5']);
  const firstNotifyMaster = a.journal.indexOf('notify MASTER');
  assert.ok(firstNotifyMaster > i + 4, a.journal.join('\n'));
  // garp_master_repeat 5 in the first burst, then 5 more after garp_master_delay (5 s)
  assert.equal(a.announcer.sent.filter((s) => s.ifname === 'eth0').length, 5);
  await w.run(5000, 100);
  assert.equal(a.announcer.sent.filter((s) => s.ifname === 'eth0').length, 10);
});

test('graceful stop: priority-0 advert, VIPs removed, STOPPED notified; backup takes over after Skew_Time', async () => {
  const w = new World();
  const a = w.add('a', '10.0.0.1', spec({ priority: 200 }));
  const b = w.add('b', '10.0.0.2', spec({ priority: 100 }));
  a.inst.start(); b.inst.start();
  await w.run(5000);
  const stopAt = w.clock.now();
  await a.inst.stop();
  assert.deepEqual(a.journal.slice(-3), ['advert 0', 'del eth0 10.0.0.100/24', 'notify STOPPED']);
  // v3 Skew_Time at priority 100 and 1 s interval = 156/256 s ≈ 609 ms (well under Master_Down 3.6 s)
  await w.run(700, 1);
  assert.equal(b.inst.state, 'MASTER');
  assert.equal(b.transitions.at(-1)!.reason, 'master-stopped');
  assert.ok(w.clock.now() - stopAt < 1000);
});

test('a master that hears a higher priority steps down and removes its VIPs', async () => {
  const w = new World();
  const b = w.add('b', '10.0.0.2', spec({ priority: 100 }));
  b.inst.start();
  await w.run(5000);
  assert.equal(b.inst.state, 'MASTER');
  const a = w.add('a', '10.0.0.1', spec({ priority: 200 }));
  a.inst.start();
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  assert.equal(b.inst.state, 'BACKUP');
  assert.ok(!b.addrs.has('eth0', '10.0.0.100/24'));
  assert.ok(b.journal.includes('del eth0 10.0.0.100/24'));
});

test('timing under load: queued adverts are read before the master-down timer acts', async () => {
  const w = new World();
  const b = w.add('b', '10.0.0.2', spec({ priority: 100 }));
  b.inst.start();
  await settle();
  // Adverts from a live master sit in b's socket (b's event loop was busy and never read them).
  const pkt = (prio: number) => encodeVrrp({ version: 3, vrid: 51, priority: prio, interval: 100, addresses: [ip('10.0.0.100')] }, { src: ip('10.0.0.1'), dst: ip('224.0.0.18'), mode: 'pseudo-header' });
  const ticks = Math.ceil(3700 / 1000);
  w.clock.jump(3000);
  for (let i = 0; i < ticks; i++) b.transport.enqueue({ payload: pkt(200), src: ip('10.0.0.1'), dst: ip('224.0.0.18'), ttl: 255 });
  w.clock.advance(700); // the down timer (3.6 s) fires late; the queue holds fresh adverts
  await settle();
  assert.equal(b.inst.state, 'BACKUP', 'a paused backup must not take over from a master whose adverts are queued');
  assert.equal(b.transport.queue.length, 0, 'the queue was drained');
  assert.equal(b.inst.counters.received, ticks);
  // Without adverts the same pause leads to a takeover.
  await w.run(4000, 100);
  assert.equal(b.inst.state, 'MASTER');
});

test('invalid packets are dropped and counted by reason', async () => {
  const w = new World();
  const b = w.add('b', '10.0.0.2', spec({ version: 2, priority: 100, authPass: 'secret' }));
  b.inst.start();
  await settle();
  const base = { version: 2 as const, vrid: 51, priority: 200, interval: 1, addresses: [ip('10.0.0.100')] };
  const good = encodeVrrp({ ...base, authType: 1, authData: Buffer.from('secret\0\0') });
  const wrongPass = encodeVrrp({ ...base, authType: 1, authData: Buffer.from('other\0\0\0') });
  const wrongVrid = encodeVrrp({ ...base, vrid: 52, authType: 1, authData: Buffer.from('secret\0\0') });
  const wrongInt = encodeVrrp({ ...base, interval: 2, authType: 1, authData: Buffer.from('secret\0\0') });
  const corrupt = Buffer.from(good); corrupt[6]! ^= 0xff;
  for (const [payload, ttl] of [[good, 64], [wrongPass, 255], [wrongVrid, 255], [wrongInt, 255], [corrupt, 255], [good.subarray(0, 10), 255]] as const) {
    b.transport.enqueue({ payload, src: ip('10.0.0.1'), dst: ip('224.0.0.18'), ttl });
  }
  b.transport.deliver();
  const c = b.inst.counters;
  assert.deepEqual([c['bad-ttl'], c['auth-mismatch'], c['vrid-mismatch'], c['interval-mismatch'], c['bad-checksum'], c['bad-length']], [1, 1, 1, 1, 1, 1]);
  await w.run(4000, 100);
  assert.equal(b.inst.state, 'MASTER', 'nothing valid was heard');
});

test('PASS mismatch: both sides ignore each other and both become master', async () => {
  const w = new World();
  const a = w.add('a', '10.0.0.1', spec({ version: 2, priority: 200, authPass: 'one' }));
  const b = w.add('b', '10.0.0.2', spec({ version: 2, priority: 100, authPass: 'two' }));
  a.inst.start(); b.inst.start();
  await w.run(5000, 50);
  assert.deepEqual([a.inst.state, b.inst.state], ['MASTER', 'MASTER']);
  assert.ok(b.inst.counters['auth-mismatch'] > 0);
});

test('unicast: adverts go to each peer, sources that are not peers are dropped', async () => {
  const w = new World();
  const peers = (p: string[]) => p.map((address) => ({ address, family: 4 as const }));
  const a = w.add('a', '10.0.0.1', spec({ priority: 200, unicastPeers: peers(['10.0.0.2', '10.0.0.3']) }));
  const b = w.add('b', '10.0.0.2', spec({ priority: 100, unicastPeers: peers(['10.0.0.1']) }));
  a.inst.start(); b.inst.start();
  await w.run(5000, 50);
  assert.equal(a.inst.state, 'MASTER');
  assert.equal(b.inst.state, 'BACKUP');
  assert.deepEqual(new Set(a.transport.sent.map((s) => s.dst.join('.'))), new Set(['10.0.0.2', '10.0.0.3']));
  const stranger = encodeVrrp({ version: 3, vrid: 51, priority: 250, interval: 100, addresses: [ip('10.0.0.100')] }, { src: ip('10.0.0.9'), dst: ip('10.0.0.2'), mode: 'pseudo-header' });
  b.transport.enqueue({ payload: stranger, src: ip('10.0.0.9'), dst: ip('10.0.0.2'), ttl: 255 });
  b.transport.deliver();
  assert.equal(b.inst.counters['unknown-peer'], 1);
});

test('start removes VIPs left by a crashed run unless it becomes master at once', async () => {
  const w = new World();
  const b = w.add('b', '10.0.0.2', spec({ priority: 100 }));
  await b.addrs.add({ ifname: 'eth0', prefix: '10.0.0.100/24' });
  b.inst.start();
  await settle();
  assert.ok(!b.addrs.has('eth0', '10.0.0.100/24'));
  const o = w.add('o', '10.0.0.3', spec({ vrid: 52, priority: 255 }));
  await o.addrs.add({ ifname: 'eth0', prefix: '10.0.0.100/24' });
  o.inst.start();
  await settle();
  assert.equal(o.inst.state, 'MASTER');
  assert.ok(o.addrs.has('eth0', '10.0.0.100/24'));
  assert.ok(!o.journal.some((j) => j.startsWith('del')));
});

test('tracked interface down: fault (priority-0 advert, VIPs removed), back up: backup again', async () => {
  const w = new World();
  const links = new FakeLinks([{ ifname: 'eth1', index: 2, up: true }]);
  const tr = new InterfaceTracker('eth1', links);
  tr.start();
  const a = w.add('a', '10.0.0.1', spec({ priority: 200 }), { tracking: [{ source: tr, weight: 0 }] });
  a.inst.start();
  await w.run(4000);
  assert.equal(a.inst.state, 'MASTER');
  links.set('eth1', { up: false });
  await settle();
  assert.equal(a.inst.state, 'FAULT');
  assert.ok(a.journal.includes('advert 0'));
  assert.ok(!a.addrs.has('eth0', '10.0.0.100/24'));
  links.set('eth1', { up: true });
  await settle();
  assert.equal(a.inst.state, 'BACKUP');
});

test('weighted tracking lowers the effective priority, advertised at once, and hands over', async () => {
  const w = new World();
  const links = new FakeLinks([{ ifname: 'eth1', index: 2, up: true }]);
  const tr = new InterfaceTracker('eth1', links);
  tr.start();
  const a = w.add('a', '10.0.0.1', spec({ priority: 200 }), { tracking: [{ source: tr, weight: -150 }] });
  const b = w.add('b', '10.0.0.2', spec({ priority: 100 }));
  a.inst.start(); b.inst.start();
  await w.run(5000);
  assert.equal(a.inst.state, 'MASTER');
  const before = a.transport.sent.length;
  links.set('eth1', { up: false });
  assert.equal(a.inst.priority, 50);
  const p = decodeVrrp(a.transport.sent[before]!.payload, 4);
  assert.ok(p.ok && p.advert.priority === 50, 'the new priority is advertised at once');
  await w.run(5000);
  assert.equal(b.inst.state, 'MASTER');
  assert.equal(a.inst.state, 'BACKUP');
});

test('every transition is logged at info with from, to and reason', async () => {
  const w = new World();
  const a = w.add('a', '10.0.0.1', spec());
  a.inst.start();
  await w.run(4000);
  const recs = a.log.records.filter((r) => r.level === 'info' && r.to !== undefined);
  assert.deepEqual(recs.map((r) => [r.instance, r.from, r.to, r.reason]), [['VI_1', 'INIT', 'BACKUP', 'startup'], ['VI_1', 'BACKUP', 'MASTER', 'master-down']]);
});

test('garp_master_refresh repeats announcements while master and stops when leaving', async () => {
  const w = new World();
  const garp = { masterDelayMs: 0, masterRepeat: 1, lowerPrioDelayMs: 0, lowerPrioRepeat: 1, masterRefreshMs: 2000, masterRefreshRepeat: 2, intervalMs: 100, gnaIntervalMs: 0 };
  const a = w.add('a', '10.0.0.1', spec({ priority: 100, garp }));
  a.inst.start();
  await w.run(4000);
  assert.equal(a.inst.state, 'MASTER');
  const n0 = a.announcer.sent.length;
  assert.equal(n0, 1, 'one round at takeover');
  await w.run(4100);
  assert.equal(a.announcer.sent.length - n0, 4, 'two refreshes of two rounds each');
  const b = w.add('b', '10.0.0.2', spec({ priority: 200, garp }));
  b.inst.start();
  await w.run(4000);
  assert.equal(a.inst.state, 'BACKUP');
  const n1 = a.announcer.sent.length;
  await w.run(6000);
  assert.equal(a.announcer.sent.length, n1, 'no refresh after leaving master');
});

test('a master hearing a lower-priority master re-asserts with an advert and a GARP round', async () => {
  const w = new World();
  const a = w.add('a', '10.0.0.1', spec({ priority: 200 }));
  a.inst.start();
  await w.run(4000);
  const n0 = a.announcer.sent.length;
  const sent0 = a.transport.sent.length;
  const low = encodeVrrp({ version: 3, vrid: 51, priority: 50, interval: 100, addresses: [ip('10.0.0.100')] }, { src: ip('10.0.0.9'), dst: ip('224.0.0.18'), mode: 'pseudo-header' });
  a.transport.enqueue({ payload: low, src: ip('10.0.0.9'), dst: ip('224.0.0.18'), ttl: 255 });
  a.transport.deliver();
  await settle();
  assert.equal(a.transport.sent.length, sent0 + 1, 'an advert at once');
  assert.equal(a.announcer.sent.length, n0 + 5, 'a lower-priority burst (garp_lower_prio_repeat 5)');
  assert.equal(a.inst.state, 'MASTER');
});

test('a throwing listener or tracker callback is logged; the instance keeps running and advertising', async () => {
  const w = new World();
  const links = new FakeLinks([{ ifname: 'eth9', index: 9, up: true }]);
  const tr = new InterfaceTracker('eth9', links);
  tr.start();
  const a = w.add('a', '10.0.0.1', spec({ priority: 150 }), { tracking: [{ source: tr, weight: -20 }] });
  a.inst.onTransition((t) => { throw new Error(`listener broke on ${t.to}`); });
  a.inst.start();
  await w.run(4000);
  assert.equal(a.inst.state, 'MASTER');
  const sentAtMaster = a.transport.sent.length;
  await w.run(3000);
  assert.ok(a.transport.sent.length >= sentAtMaster + 2, 'the advert timer survived the listener throwing');
  links.set('eth9', { up: false }); // a tracker change still reaches the machine
  await settle();
  assert.equal(a.inst.priority, 130);
  const errs = a.log.records.filter((r) => r.level === 'error' && /listener broke on MASTER/.test(String(r['err'])));
  assert.equal(errs.length, 1, JSON.stringify(a.log.records.filter((r) => r.level === 'error')));
  assert.equal(errs[0]!['in'], 'transition listener');
});

test('a failed address change is retried at once, logged with the errno name, and does not stop the next one', async () => {
  const w = new World();
  const { SysError } = await import('../../../src/lib/errors.js');
  const a = w.add('a', '10.0.0.1', spec({ excludedVips: [{ address: '10.0.1.5', family: 4, prefixLen: 32, dev: 'eth1', scope: 'global', noTrack: false }] }));
  a.addrs.failNext = new SysError('add address 10.0.0.100/24 on ifindex 2', 'EPERM');
  a.inst.start();
  await w.run(4000);
  assert.equal(a.inst.state, 'MASTER');
  assert.ok(a.addrs.has('eth1', '10.0.1.5/32'), 'the second VIP was still added');
  assert.ok(a.addrs.has('eth0', '10.0.0.100/24'), 'the first VIP holds after its retry');
  const r = a.log.records.find((x) => x.level === 'warn' && x['vip'] === '10.0.0.100/24');
  assert.ok(r, JSON.stringify(a.log.records));
  assert.equal(r['code'], 'EPERM');
});
