// The director against VRRP state and configuration changes: reload, ha_suspend, the sync daemon,
// lvs_flush / lvs_timeouts / lvs_flush_on_stop, and the behind-schedule warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { config, directorRig, realServer, table, tcpCheck, virtualServer, vrrpInstance } from '../../support/fake-director.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';

const MUTATING = new Set(['NEW_SERVICE', 'SET_SERVICE', 'DEL_SERVICE', 'NEW_DEST', 'SET_DEST', 'DEL_DEST', 'FLUSH']);

test('reload: an unchanged real server keeps its health and checker (zero IPVS ops); a changed checker restarts; a removed one leaves', async () => {
  const rs = (a: string, over = {}) => realServer(a, { checkers: [tcpCheck({ delayLoopMs: 60_000 })], ...over });
  const cfg1 = config([virtualServer('10.0.0.1', [rs('10.0.1.1'), rs('10.0.1.2'), rs('10.0.1.3')])]);
  const rig = directorRig(cfg1);
  rig.probes.set('10.0.1.2:80', false);
  rig.director.start();
  await rig.advance(1100);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1, 10.0.1.3:80/1']);
  const built = rig.probes.built;
  rig.kernel.takeLog();

  // Same config, new objects: nothing rebuilt, nothing re-checked, nothing sent to the kernel.
  rig.director.reload(structuredClone(cfg1));
  await rig.settle();
  assert.equal(rig.probes.built, built);
  assert.deepEqual(rig.kernel.takeLog().filter((c) => MUTATING.has(c)), []);
  assert.equal(rig.director.status().virtualServers[0]!.realServers[1]!.up, false);

  // 10.0.1.3's checker changes (restarts, starts up), 10.0.1.1 is removed, 10.0.1.2 kept down.
  const cfg2 = config([virtualServer('10.0.0.1', [rs('10.0.1.2'), rs('10.0.1.3', { checkers: [tcpCheck({ delayLoopMs: 30_000 })] })])]);
  rig.director.reload(cfg2);
  await rig.settle();
  assert.equal(rig.probes.built, built + 1);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.3:80/1']);
  assert.deepEqual(rig.kernel.takeLog().filter((c) => MUTATING.has(c)), ['DEL_DEST']);

  // A removed virtual server leaves IPVS through the same reconcile.
  rig.director.reload(config([virtualServer('10.0.0.2', [rs('10.0.2.1')])]));
  await rig.settle();
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.2:80: 10.0.2.1:80/1']);
  await rig.director.stop(0);
  assert.equal(rig.kernel.services.size, 0);
});

test('ha_suspend: checks run only while this director is MASTER of the instance holding the address', async () => {
  const cfg = config([virtualServer('10.0.0.1', [realServer('10.0.1.1', { checkers: [tcpCheck({ delayLoopMs: 1000 })] })], { haSuspend: true })],
    { vrrpInstances: [vrrpInstance('VI_1', '10.0.0.1')] });
  const rig = directorRig(cfg);
  rig.vrrp.set('VI_1', 'BACKUP');
  rig.director.start();
  await rig.advance(3000);
  assert.equal(rig.probes.runs.get('10.0.1.1:80'), undefined);
  rig.vrrp.set('VI_1', 'MASTER');
  rig.director.onVrrpState('VI_1');
  await rig.advance(3000);
  const n = rig.probes.runs.get('10.0.1.1:80') ?? 0;
  assert.ok(n >= 2 && n <= 4, `runs while MASTER: ${n}`);
  rig.vrrp.set('VI_1', 'BACKUP');
  rig.director.onVrrpState('VI_1');
  await rig.advance(3000);
  assert.equal(rig.probes.runs.get('10.0.1.1:80'), n);
  assert.ok(rig.log.records.some((r) => r.msg === 'checks suspended (ha_suspend)' && r.vs === '10.0.0.1:80/TCP'));
  await rig.director.stop(0);
});

test('lvs_sync_daemon follows the VRRP instance: backup, master on MASTER, backup again; stopped at stop', async () => {
  const kernel = new FakeIpvsKernel();
  const cfg = config([], { vrrpInstances: [vrrpInstance('VI_1', '10.0.0.1', { vrid: 42 })] }, { lvsSyncDaemon: { interface: 'eth1', vrrpInstance: 'VI_1', ttl: 2 } });
  const rig = directorRig(cfg, {}, kernel);
  rig.vrrp.set('VI_1', 'BACKUP');
  rig.director.start();
  await rig.settle();
  assert.deepEqual([...kernel.daemons.values()], [{ role: 'backup', iface: 'eth1', syncId: 42, ttl: 2 }]);
  rig.vrrp.set('VI_1', 'MASTER');
  rig.director.onVrrpState('VI_1');
  await rig.settle();
  assert.deepEqual([...kernel.daemons.keys()], ['master']);
  rig.vrrp.set('VI_1', 'FAULT');
  rig.director.onVrrpState('VI_1');
  await rig.settle();
  assert.deepEqual([...kernel.daemons.keys()], ['backup']);
  await rig.director.stop(0);
  assert.equal(kernel.daemons.size, 0);
});

test('lvs_flush empties the table at start, lvs_timeouts are set, lvs_flush_on_stop empties it at stop', async () => {
  const kernel = new FakeIpvsKernel();
  const c = await IpvsClient.open(kernel.connect());
  await c.addService({ family: 4, protocol: 'tcp', address: '192.0.2.1', port: 443, fwmark: 0, scheduler: 'wlc', flags: [], timeout: 0, netmask: 32 });
  const cfg = config([virtualServer('10.0.0.1', [realServer('10.0.1.1')])], {}, { lvsFlush: true, lvsTimeouts: { tcpS: 7200, udpS: 30 } });
  const rig = directorRig(cfg, {}, kernel);
  rig.director.start();
  await rig.settle();
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1']);
  assert.deepEqual(kernel.timeouts, { tcp: 7200, tcpFin: 120, udp: 30 });
  await c.addService({ family: 4, protocol: 'tcp', address: '192.0.2.1', port: 443, fwmark: 0, scheduler: 'wlc', flags: [], timeout: 0, netmask: 32 });
  rig.director.reload({ ...cfg, global: { ...cfg.global, lvsFlushOnStop: true } });
  await rig.director.stop(0);
  assert.equal(kernel.services.size, 0);
});

test('checks that fall behind by more than a delay_loop are logged at warn and the watchdog is told', async () => {
  const cfg = config([virtualServer('10.0.0.1', [realServer('10.0.1.1', { checkers: [tcpCheck({ delayLoopMs: 1000, connectTimeoutMs: 1000 })] })])]);
  const rig = directorRig(cfg);
  rig.director.start();
  await rig.advance(2500);
  assert.equal(rig.director.onTime(), true);
  rig.clock.jump(5000); // the process was not scheduled for 5 s
  await rig.advance(1000);
  const w = rig.log.records.find((r) => r.level === 'warn' && r.msg === 'checks are behind schedule');
  assert.ok(w && Number(w.lagMs) >= 1000, JSON.stringify(w));
  assert.equal(rig.director.onTime(), false);
  await rig.advance(3000);
  assert.equal(rig.director.onTime(), true);
  await rig.director.stop(0);
});

test('a hung real server delays no other check, and its stalled probe is reported', async () => {
  const cfg = config([virtualServer('10.0.0.1', [
    realServer('10.0.1.1', { checkers: [tcpCheck({ delayLoopMs: 1000, connectTimeoutMs: 1000 })] }),
    realServer('10.0.1.2', { checkers: [tcpCheck({ delayLoopMs: 1000, connectTimeoutMs: 1000 })] }),
  ])]);
  const rig = directorRig(cfg);
  rig.probes.hung.add('10.0.1.1:80');
  rig.director.start();
  await rig.advance(10_000);
  assert.equal(rig.probes.runs.get('10.0.1.1:80'), 1);
  const other = rig.probes.runs.get('10.0.1.2:80') ?? 0;
  assert.ok(other >= 9 && other <= 11, `runs of the healthy server: ${other}`);
  assert.ok(rig.log.records.some((r) => r.msg === 'checks are behind schedule' && Array.isArray(r.stalled) && (r.stalled as string[])[0]!.includes('10.0.1.1:80')));
  rig.probes.releaseHung();
  await rig.director.stop(0);
});

test('--keep-ipvs wins over lvs_flush_on_stop: services and the sync daemon stay', async () => {
  const kernel = new FakeIpvsKernel();
  const cfg = config([virtualServer('10.0.0.1', [realServer('10.0.1.1')])], { vrrpInstances: [vrrpInstance('VI_1', '10.0.0.9')] },
    { lvsFlushOnStop: true, lvsSyncDaemon: { interface: 'eth1', vrrpInstance: 'VI_1' } });
  const rig = directorRig(cfg, { keepIpvs: true }, kernel);
  rig.director.start();
  await rig.settle();
  await rig.director.stop(0);
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1']);
  assert.deepEqual([...kernel.daemons.keys()], ['backup']);
});
