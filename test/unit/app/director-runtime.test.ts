// The Runtime wiring of `vipkeeper run`: VRRP and the director in one process over fake ports, a
// keepalived.conf through the real config loader, systemd notifications.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../../src/app/runtime.js';
import { notifySettings, sockaddrUn, Watchdog } from '../../../src/app/director-watchdog.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import { FakeProbes, table } from '../../support/fake-director.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import { fakePlatform } from './fake-platform.js';
import { conf, instanceText, settle } from './helpers.js';

const TEXT = `
global_defs {
  lvs_sync_daemon eth1 VI_1
}
${instanceText('VI_1', 51, 150, '', '10.0.0.1/32')}
virtual_server 10.0.0.1 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  ha_suspend
  real_server 10.0.1.1 80 {
    TCP_CHECK {
      connect_timeout 1
      warmup 0
    }
  }
  real_server 10.0.1.2 80 {
    TCP_CHECK {
      connect_timeout 1
      warmup 0
    }
  }
}
`;

test('run: VRRP and the director in one process; ha_suspend and the sync daemon follow the instance; systemd told', async () => {
  const f = fakePlatform();
  const kernel = new FakeIpvsKernel();
  const probes = new FakeProbes();
  const sent: string[] = [];
  const p = { ...f.p, openIpvs: () => IpvsClient.open(kernel.connect()), probes: probes.factory, systemd: { send: (m: string) => sent.push(m), watchdogMs: 2000 } };
  const rt = new Runtime(p, conf(TEXT));
  rt.start();
  await settle();
  assert.deepEqual(sent, ['READY=1']);
  // BACKUP at first: checks suspended, sync daemon in backup; IPVS programmed with every server (no alpha).
  for (let t = 0; t < 1000; t += 50) { f.clock.advance(50); await settle(); }
  assert.equal(probes.runs.size, 0);
  assert.deepEqual([...kernel.daemons.keys()], ['backup']);
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1, 10.0.1.2:80/1']);
  probes.set('10.0.1.2:80', false);
  for (let t = 0; t < 6000; t += 50) { f.clock.advance(50); await settle(); }
  assert.equal(rt.vrrp.stateOf('VI_1'), 'MASTER');
  assert.deepEqual([...kernel.daemons.keys()], ['master']);
  assert.ok((probes.runs.get('10.0.1.1:80') ?? 0) >= 1);
  assert.deepEqual(table(kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1']);
  assert.ok(sent.includes('WATCHDOG=1'));
  const st = rt.status()!;
  assert.deepEqual(st.virtualServers[0]!.realServers.map((r) => [r.address, r.up, r.weight]), [['10.0.1.1', true, 1], ['10.0.1.2', false, 0]]);
  assert.ok(st.checkFailures.some((c) => c.rs === '10.0.1.2:80' && c.type === 'TCP_CHECK' && c.code === 'refused'));
  kernel.takeLog();
  await rt.stop(0);
  assert.equal(kernel.services.size, 0);
  assert.equal(kernel.daemons.size, 0);
  // The instance's MASTER -> STOPPED at shutdown must not start a backup sync daemon on the way out.
  assert.ok(!kernel.takeLog().includes('NEW_DAEMON'));
  assert.equal(sent.at(-1), 'STOPPING=1');
});

test('a VRRP-only config starts no director and never touches IPVS', async () => {
  const f = fakePlatform();
  let opened = 0;
  const p = { ...f.p, openIpvs: () => { opened++; return Promise.reject(new Error('no')); } };
  const rt = new Runtime(p, conf(TEXT.slice(TEXT.indexOf('vrrp_instance'), TEXT.indexOf('virtual_server'))));
  rt.start();
  for (let t = 0; t < 1000; t += 50) { f.clock.advance(50); await settle(); }
  assert.equal(opened, 0);
  assert.equal(rt.status(), undefined);
  await rt.stop(0);
});

test('watchdog: WATCHDOG=1 every period while on time, withheld (and logged once) while the checks or the loop lag', () => {
  const clock = new FakeClock(0);
  const sent: number[] = [];
  let onTime = true;
  const log = new MemoryLogger();
  const w = new Watchdog(clock, 1000, () => sent.push(clock.now()), () => onTime, log);
  w.start();
  clock.advance(3000);
  assert.deepEqual(sent, [1000, 2000, 3000]);
  onTime = false;
  clock.advance(2000);
  assert.deepEqual(sent, [1000, 2000, 3000]);
  assert.equal(log.records.filter((r) => r.level === 'warn').length, 1);
  onTime = true;
  clock.jump(2500); // the event loop stalled: the tick due at 6000 fires 1500 late
  clock.advance(0);
  assert.deepEqual(sent, [1000, 2000, 3000]);
  clock.advance(1000);
  assert.deepEqual(sent, [1000, 2000, 3000, 8500]);
  w.stop();
});

test('systemd settings and sockaddr_un', () => {
  assert.equal(notifySettings({}, 1), undefined);
  assert.deepEqual(notifySettings({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '20000000' }, 7), { socket: '/run/systemd/notify', watchdogMs: 20000 });
  assert.deepEqual(notifySettings({ NOTIFY_SOCKET: '/s', WATCHDOG_USEC: '20000000', WATCHDOG_PID: '8' }, 7), { socket: '/s' });
  const host = [...new Uint8Array(new Uint16Array([1]).buffer)];
  assert.deepEqual([...sockaddrUn('/s')], [...host, 0x2f, 0x73, 0]);
  assert.deepEqual([...sockaddrUn('@ab')], [...host, 0, 0x61, 0x62]);
});
