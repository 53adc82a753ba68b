import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtnlAddresses } from '../../../src/adapters/addresses.js';
import { SysError, VipError } from '../../../src/lib/errors.js';
import type { AddressSpec, Rtnl } from '../../../src/net/rtnl.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';

// A recording stand-in for the rtnetlink client: only the calls RtnlAddresses makes.
function fakeRtnl(onDelete: (s: AddressSpec) => unknown = () => 'deleted') {
  const calls: { op: string; spec: AddressSpec }[] = [];
  const rtnl = {
    addAddress: async (spec: AddressSpec) => { calls.push({ op: 'add', spec }); return 'added'; },
    deleteAddress: async (spec: AddressSpec) => { calls.push({ op: 'del', spec }); return onDelete(spec); },
  } as unknown as Rtnl;
  return { rtnl, calls };
}
const links = { ifindex: (n: string) => (n === 'eth0' ? 7 : undefined) };

test('addresses adapter: add passes ifname with the index, so a labelled add needs no link lookup', async () => {
  const { rtnl, calls } = fakeRtnl();
  const a = new RtnlAddresses(rtnl, links);
  await a.add({ ifname: 'eth0', prefix: '10.0.0.100/24', label: 'eth0:vip' });
  await a.add({ ifname: 'eth0', prefix: 'fd00::100/64' });
  assert.deepEqual(calls.map((c) => c.spec), [
    { ifindex: 7, ifname: 'eth0', address: '10.0.0.100/24', noDad: false, label: 'eth0:vip' },
    { ifindex: 7, ifname: 'eth0', address: 'fd00::100/64', noDad: true },
  ]);
  await assert.rejects(a.add({ ifname: 'nope0', prefix: '10.0.0.1/24' }), (e: unknown) => e instanceof VipError && e.code === 'ENODEV');
});

test('addresses adapter: a VIP present with another prefix length is logged with what is there, not thrown', async () => {
  const log = new MemoryLogger();
  const { rtnl } = fakeRtnl(() => {
    throw new VipError('prefix-mismatch', 'delete address 10.0.0.100/24 on ifindex 7: present as 10.0.0.100/32', { present: '10.0.0.100/32' });
  });
  const a = new RtnlAddresses(rtnl, links, log);
  await a.remove({ ifname: 'eth0', prefix: '10.0.0.100/24' });
  const r = log.records.find((x) => x['code'] === 'prefix-mismatch');
  assert.ok(r, JSON.stringify(log.records));
  assert.equal(r.level, 'error');
  assert.equal(r['present'], '10.0.0.100/32');
  assert.equal(r['vip'], '10.0.0.100/24');
  assert.match(String(r.msg), /10\.0\.0\.100\/32/);
});

test('addresses adapter: other delete errors still reach the caller (the instance logs them with the errno)', async () => {
  const { rtnl } = fakeRtnl(() => { throw new SysError('delete address', 'EPERM'); });
  const a = new RtnlAddresses(rtnl, links, new MemoryLogger());
  await assert.rejects(a.remove({ ifname: 'eth0', prefix: '10.0.0.100/24' }), (e: unknown) => e instanceof SysError);
});
