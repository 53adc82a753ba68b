// use_vmac in the daemon, over the fake platform: the VMAC comes up before the instance runs, the
// instance's adverts and VIPs use it, a reload that keeps it keeps it, one that drops use_vmac
// removes it (and the VIP goes back to the interface), a stop removes it; an interface of that
// name that is not ours keeps the instance in INIT with the reason in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon } from '../../../src/app/daemon.js';
import { FakeVmacs } from '../../../src/ports/fake/vmac.js';
import { fakePlatform } from './fake-platform.js';
import { conf, settle } from './helpers.js';

const text = (extra: string, prio = 150) => `global_defs {\n  vrrp_version 3\n}\nvrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority ${prio}
  virtual_ipaddress {
    10.0.0.100/24
  }
${extra}}\n`;

function world() {
  const f = fakePlatform();
  const vmacs = new FakeVmacs(f.journal);
  // The kernel's link notification follows a created link.
  const create = vmacs.create.bind(vmacs);
  vmacs.create = async (s) => { const r = await create(s); f.links.set(s.name, { up: true, mac: s.mac }); return r; };
  const opened: string[] = [];
  const open = f.p.transports.open.bind(f.p.transports);
  f.p.transports = { open: (o) => { opened.push(o.ifname); return open(o); } };
  f.p.vmacs = vmacs;
  const run = async (ms: number) => { for (let t = 0; t < ms; t += 50) { f.clock.advance(50); await settle(); } };
  return { f, vmacs, opened, run };
}

test('use_vmac: created first, adverts on the VMAC, VIP on it while MASTER; kept by a reload that keeps it; removed at stop', async () => {
  const { f, vmacs, opened, run } = world();
  const d = new Daemon(f.p, conf(text('  use_vmac\n')));
  d.start();
  await run(5000);
  const vi = d.instance('VI_1')!;
  assert.equal(vi.state, 'MASTER');
  assert.deepEqual(opened, ['vrrp.51'], 'the VRRP socket is on the VMAC');
  assert.deepEqual([...vmacs.present.values()], [{ name: 'vrrp.51', base: 'eth0', mac: '00:00:5e:00:01:33', family: 4 }]);
  assert.ok(f.addresses.has('vrrp.51', '10.0.0.100/24') && !f.addresses.has('eth0', '10.0.0.100/24'));
  assert.ok(f.journal.indexOf('vmac up vrrp.51') < f.journal.indexOf('add vrrp.51 10.0.0.100/24'));
  assert.deepEqual(f.announcer.sent[0]?.ifname, 'vrrp.51', 'gratuitous ARP from the VMAC');

  await d.reload(conf(text('  use_vmac\n', 160)));
  await run(500);
  assert.equal(d.instance('VI_1'), vi, 'updated in place');
  assert.equal(f.journal.filter((l) => l.startsWith('vmac')).join(), 'vmac up vrrp.51', 'the VMAC was neither removed nor made again');

  await d.stop();
  assert.ok(!f.addresses.has('vrrp.51', '10.0.0.100/24'));
  assert.equal(vmacs.present.size, 0, 'removed at stop');
  assert.ok(f.journal.indexOf('del vrrp.51 10.0.0.100/24') < f.journal.indexOf('vmac del vrrp.51'), 'VIP first, then the VMAC');
});

test('use_vmac: a reload that drops it restarts the instance on eth0 and removes the VMAC; vmac_xmit_base keeps adverts on eth0', async () => {
  const { f, vmacs, opened, run } = world();
  const d = new Daemon(f.p, conf(text('  use_vmac vk51\n  vmac_xmit_base\n')));
  d.start();
  await run(5000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  assert.deepEqual(opened, ['eth0'], 'vmac_xmit_base: the socket stays on the base interface');
  assert.ok(f.addresses.has('vk51', '10.0.0.100/24'), 'the VIP is still on the VMAC');
  const plan = await d.reload(conf(text('')));
  assert.deepEqual(plan.restart, ['VI_1']);
  await run(5000);
  assert.equal(vmacs.present.size, 0);
  assert.ok(f.addresses.has('eth0', '10.0.0.100/24') && !f.addresses.has('vk51', '10.0.0.100/24'));
  await d.stop();
});

test('use_vmac: a name taken by another interface keeps the instance in INIT, with the reason logged', async () => {
  const { f, vmacs, opened, run } = world();
  vmacs.foreign.add('vrrp.51');
  f.links.set('vrrp.51', { up: true }); // someone else's interface of that name
  const d = new Daemon(f.p, conf(text('  use_vmac\n')));
  d.start();
  await run(5000);
  assert.equal(d.instance('VI_1')!.state, 'INIT');
  assert.deepEqual(opened, [], 'no socket on an interface that is not ours');
  assert.equal(f.addresses.byIf.get('vrrp.51')?.size ?? 0, 0);
  assert.ok(f.log.records.some((r) => String(r.msg).startsWith('could not create VMAC interface vrrp.51: interface vrrp.51 exists')), JSON.stringify(f.log.records.map((r) => r.msg)));
  await d.stop();
  assert.deepEqual(f.journal.filter((l) => l.startsWith('vmac del')), [], 'never removed: it is not ours');
});
