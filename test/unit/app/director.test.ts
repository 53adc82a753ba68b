import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPVS_UNAVAILABLE_LOG } from '../../../src/app/director-ipvs.js';
import { config, directorRig, realServer, table, tcpCheck, virtualServer } from '../../support/fake-director.js';

const notify = (name: string) => ({ argv: [`/etc/vk/${name}.sh`, 'arg one'] });

function twoServers(over: Parameters<typeof virtualServer>[2] = {}, rsOver: Parameters<typeof realServer>[1] = {}) {
  return config([virtualServer('10.0.0.1', [
    realServer('10.0.1.1', { notifyUp: notify('up1'), notifyDown: notify('down1'), ...rsOver }),
    realServer('10.0.1.2', { notifyUp: notify('up2'), notifyDown: notify('down2'), ...rsOver }),
  ], over)]);
}

test('without alpha every real server starts up; one failing its first check leaves at once (keepalived), later failures are retried', async () => {
  const rig = directorRig(twoServers());
  rig.probes.set('10.0.1.2:80', false);
  rig.director.start();
  await rig.settle();
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1, 10.0.1.2:80/1'], 'programmed up before any check');
  await rig.advance(50);
  // At start one failure is enough: the first check (warmup 0) failed and the server is out.
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1']);
  assert.equal(rig.probes.runs.get('10.0.1.2:80'), 1);
  const line = rig.log.records.find((r) => r.msg === 'real server down');
  assert.ok(line);
  assert.deepEqual({ vs: line.vs, rs: line.rs, check: line.check, from: line.from, to: line.to, reason: line.reason, level: line.level },
    { vs: '10.0.0.1:80/TCP', rs: '10.0.1.2:80', check: 'TCP_CHECK', from: 'up', to: 'down', reason: 'connection refused', level: 'info' });
  assert.deepEqual(rig.scripts.runs.map((r) => r.spec.argv), [['/etc/vk/down2.sh', 'arg one']]);
  // Recovery at the next delay_loop (5 s): back in, notify_up.
  rig.probes.set('10.0.1.2:80', true);
  await rig.advance(5000);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1, 10.0.1.2:80/1']);
  assert.deepEqual(rig.scripts.runs.map((r) => r.spec.argv[0]), ['/etc/vk/down2.sh', '/etc/vk/up2.sh']);
  // Having passed, a failure is retried once (retry 1) at delay_before_retry (1 s) before it counts.
  rig.probes.set('10.0.1.2:80', false);
  await rig.advance(5000);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1, 10.0.1.2:80/1'], 'one failure with a retry left');
  await rig.advance(1100);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1']);
  await rig.director.stop(0);
});

test('a health change is one incremental change: no dump of the kernel table after start', async () => {
  const rig = directorRig(twoServers());
  rig.director.start();
  await rig.settle();
  rig.kernel.takeLog();
  rig.probes.set('10.0.1.1:80', false);
  rig.probes.set('10.0.1.2:80', false);
  await rig.advance(6100);
  const log = rig.kernel.takeLog();
  assert.ok(!log.includes('GET_SERVICE') && !log.includes('GET_DEST'), log.join(' '));
  assert.deepEqual(log.filter((c) => c === 'DEL_DEST').length, 2);
  await rig.director.stop(0);
});

test('inhibit_on_failure: a dead real server stays at weight 0 and comes back with its weight', async () => {
  const rig = directorRig(twoServers({}, { inhibitOnFailure: true, weight: 3 }));
  rig.probes.set('10.0.1.1:80', false);
  rig.director.start();
  await rig.advance(1100);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/0, 10.0.1.2:80/3']);
  rig.probes.set('10.0.1.1:80', true);
  await rig.advance(5000);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/3, 10.0.1.2:80/3']);
  await rig.director.stop(0);
});

test('all real servers fail: quorum_down runs and the sorry server goes in; one recovers: quorum_up, sorry server out', async () => {
  const cfg = twoServers({
    quorumUp: notify('qup'), quorumDown: notify('qdown'),
    sorryServer: { address: '10.0.9.9', family: 4, port: 8080, lbKind: 'NAT', inhibit: false },
  });
  const rig = directorRig(cfg);
  rig.director.start();
  await rig.settle();
  rig.probes.set('10.0.1.1:80', false);
  rig.probes.set('10.0.1.2:80', false);
  await rig.advance(6100);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.9.9:8080/1']);
  assert.ok(rig.log.records.some((r) => r.msg === 'quorum lost' && r.weightSum === 0 && r.threshold === 1));
  assert.ok(rig.scripts.runs.some((r) => r.spec.argv[0] === '/etc/vk/qdown.sh' && r.spec.argv[1] === 'arg one'));
  assert.equal(rig.director.status().virtualServers[0]!.sorryActive, true);
  rig.probes.set('10.0.1.1:80', true);
  await rig.advance(5000);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1']);
  assert.ok(rig.scripts.runs.some((r) => r.spec.argv[0] === '/etc/vk/qup.sh'));
  assert.ok(rig.log.records.some((r) => r.msg === 'sorry server out'));
  assert.equal(rig.director.status().virtualServers[0]!.quorumUp, true);
  await rig.director.stop(0);
});

test('alpha: nothing is programmed until a check succeeds', async () => {
  const cfg = config([virtualServer('10.0.0.1', [
    realServer('10.0.1.1', { checkers: [tcpCheck({ alpha: true, warmupMs: 2000 })] }),
    realServer('10.0.1.2', { checkers: [tcpCheck({ alpha: true, warmupMs: 2000 })] }),
  ], { alpha: true })]);
  const rig = directorRig(cfg, { random: () => 0.5 });
  rig.probes.set('10.0.1.2:80', false);
  rig.director.start();
  await rig.settle();
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: ']);
  // Warmup: the first check comes after random() * warmup = 1 s.
  await rig.advance(900);
  assert.equal(rig.probes.runs.get('10.0.1.1:80'), undefined);
  await rig.advance(200);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1']);
  // A down (alpha) checker that fails is not retried: no notify_down, next check after delay_loop.
  assert.equal(rig.probes.runs.get('10.0.1.2:80'), 1);
  await rig.director.stop(0);
});

test('omega: notify_down for every live real server and quorum_down at stop; stop removes the services it created', async () => {
  const rig = directorRig(twoServers({ omega: true, quorumDown: notify('qdown') }));
  rig.director.start();
  await rig.settle();
  assert.equal(rig.kernel.services.size, 1);
  await rig.director.stop(0);
  await rig.settle();
  assert.deepEqual(rig.scripts.runs.map((r) => r.spec.argv[0]).sort(), ['/etc/vk/down1.sh', '/etc/vk/down2.sh', '/etc/vk/qdown.sh']);
  assert.equal(rig.kernel.services.size, 0);
});

test('stop leaves services it did not create; --keep-ipvs leaves its own too', async () => {
  const { FakeIpvsKernel } = await import('../../support/fake-ipvs-kernel.js');
  const { IpvsClient } = await import('../../../src/ipvs/client.js');
  const kernel = new FakeIpvsKernel();
  const c = await IpvsClient.open(kernel.connect());
  await c.addService({ family: 4, protocol: 'tcp', address: '192.0.2.1', port: 443, fwmark: 0, scheduler: 'wlc', flags: [], timeout: 0, netmask: 32 });
  const rig = directorRig(twoServers(), {}, kernel);
  rig.director.start();
  await rig.settle();
  assert.equal(kernel.services.size, 2);
  await rig.director.stop(0);
  assert.deepEqual([...kernel.services.keys()], ['tcp 192.0.2.1:443']);

  const keep = directorRig(twoServers(), { keepIpvs: true }, kernel);
  keep.director.start();
  await keep.settle();
  await keep.director.stop(0);
  assert.deepEqual([...kernel.services.keys()].sort(), ['tcp 10.0.0.1:80', 'tcp 192.0.2.1:443']);
});

test('IPVS unavailable: one warning, health still tracked and reported', async () => {
  const { FakeIpvsKernel } = await import('../../support/fake-ipvs-kernel.js');
  const kernel = new FakeIpvsKernel();
  kernel.loaded = false;
  const rig = directorRig(twoServers(), { resyncMs: 2000 }, kernel);
  rig.probes.set('10.0.1.1:80', false);
  rig.director.start();
  await rig.advance(7000);
  const warns = rig.log.records.filter((r) => r.level === 'warn');
  assert.deepEqual(warns.map((r) => r.msg), [IPVS_UNAVAILABLE_LOG]);
  const st = rig.director.status();
  assert.equal(st.ipvsAvailable, false);
  assert.deepEqual(st.virtualServers[0]!.realServers.map((r) => [r.address, r.up]), [['10.0.1.1', false], ['10.0.1.2', true]]);
  assert.equal(st.virtualServers[0]!.realServers[0]!.checks[0]!.reason, 'connection refused');
  assert.ok(rig.log.records.some((r) => r.msg === 'real server down'));
  // The module gets loaded: the next periodic resync programs what the checks say.
  kernel.loaded = true;
  await rig.advance(2500);
  assert.ok(rig.log.records.some((r) => r.msg === 'ipvs: available now'));
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.2:80/1']);
  assert.equal(rig.director.status().ipvsAvailable, true);
  await rig.director.stop(0);
  assert.equal(kernel.services.size, 0);
});

test('an apply that fails (table changed behind our back) is logged with its errno, re-read and retried', async () => {
  const rig = directorRig(twoServers());
  rig.director.start();
  await rig.settle();
  rig.kernel.services.clear(); // someone ran ipvsadm -C
  rig.probes.set('10.0.1.1:80', false);
  await rig.advance(1100);
  const err = rig.log.records.find((r) => r.level === 'error' && /applying changes failed/.test(String(r.msg)));
  assert.ok(err && /ESRCH/.test(String(err.err)), JSON.stringify(err));
  await rig.advance(1100);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.2:80/1']);
  assert.ok(rig.director.status().ipvsOps.some((o) => o.result === 'error'));
  await rig.director.stop(0);
});

test('a service the kernel refuses (unknown scheduler) holds back no other service; its retries back off', async () => {
  const { FakeIpvsKernel } = await import('../../support/fake-ipvs-kernel.js');
  const kernel = new FakeIpvsKernel();
  kernel.schedulers.delete('mh');
  // The refused service comes first: in one batch its failure would stop everything after it.
  const cfg = config([
    virtualServer('10.0.0.2', [realServer('10.0.2.1')], { name: '10.0.0.2:80/TCP', lbAlgo: 'mh' }),
    virtualServer('10.0.0.1', [realServer('10.0.1.1'), realServer('10.0.1.2')]),
  ]);
  const rig = directorRig(cfg, {}, kernel);
  rig.director.start();
  await rig.settle();
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1, 10.0.1.2:80/1']);
  rig.probes.set('10.0.1.1:80', false);
  await rig.advance(1100);
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.2:80/1']);
  const refusals = () => rig.log.records.filter((r) => r.level === 'error' && /unknown scheduler/.test(String(r.err))).length;
  // Retries 1 s, 2 s, 4 s, 8 s ... apart: over 20 s about 5, not 20.
  const before = refusals();
  await rig.advance(20_000, 250);
  const n = refusals() - before;
  assert.ok(n >= 3 && n <= 6, `refusals in 20 s: ${n}`);
  // The kernel learns the scheduler: the next retry programs the service.
  kernel.schedulers.add('mh');
  await rig.advance(40_000, 500);
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.2:80/1', 'tcp 10.0.0.2:80: 10.0.2.1:80/1']);
  await rig.director.stop(0);
  assert.equal(kernel.services.size, 0);
});
