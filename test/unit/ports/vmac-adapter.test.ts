// RtnlVmacs over a recording rtnetlink and sysctl: an IPv6 VMAC is made as keepalived 2.2.7 makes
// it (addr_gen_mode=1 before it goes up, the base's link-local copied on without DAD and
// deprecated, the base's ARP settings untouched); without a link-local on the base it is not left
// behind. An IPv4 VMAC still turns IPv6 off and tunes the base's ARP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtnlVmacs, type Sysctl } from '../../../src/adapters/vmac.js';
import type { Rtnl, AddressSpec } from '../../../src/net/rtnl.js';
import { parseIP } from '../../../src/lib/ip.js';
import { IFA_F } from '../../../src/codec/netlink/rtnl.js';
import { encodeAddrLifetime, FOREVER, IFA_CACHEINFO } from '../../../src/codec/netlink/addr-lifetime.js';

function world(baseAddrs: { address: string; flags: number }[]) {
  const log: string[] = [];
  const added: AddressSpec[] = [];
  const rtnl = {
    getLink: async (n: string | number) => ({ name: String(n), index: n === 'eth0' ? 2 : 9 }),
    createMacvlan: async (q: { name: string }) => { log.push(`create ${q.name}`); },
    setLinkUp: async (i: number) => { log.push(`up ${i}`); },
    deleteLink: async (i: number) => { log.push(`delete ${i}`); },
    listAddresses: async () => baseAddrs.map((a) => ({ family: 6, ifindex: 2, addr: parseIP(a.address).addr, address: a.address, prefixLen: 64, scope: 253, flags: a.flags })),
    addAddress: async (s: AddressSpec) => { added.push(s); log.push('add address'); return 'added'; },
  } as unknown as Rtnl;
  const sysctl: Sysctl = { read: () => '0', write: (p, v) => { log.push(`${p}=${v}`); } };
  return { vm: new RtnlVmacs(rtnl, sysctl), log, added };
}

const v6 = { name: 'vrrp.51', base: 'eth0', mac: '00:00:5e:00:02:33', family: 6 as const };

test('IPv6 VMAC: no link-local of its own, the base one copied on (nodad, deprecated) after it is up; base ARP untouched', async () => {
  const w = world([{ address: 'fe80::1', flags: IFA_F.TENTATIVE }, { address: 'fe80::2', flags: IFA_F.PERMANENT }]);
  assert.equal(await w.vm.create(v6), 'created');
  assert.deepEqual(w.log, [
    'create vrrp.51', 'net/ipv6/conf/vrrp.51/disable_ipv6=0', 'net/ipv6/conf/vrrp.51/addr_gen_mode=1', 'net/ipv6/conf/vrrp.51/router_solicitations=0',
    'up 9', 'add address',
  ]);
  const a = w.added[0]!;
  assert.deepEqual([a.ifindex, Buffer.from(a.address as Uint8Array).toString('hex'), a.prefixLen, a.noDad, a.lifetime],
    [9, Buffer.from(parseIP('fe80::2').addr).toString('hex'), 64, true, { preferred: 0, valid: FOREVER }], 'the base\'s link-local past DAD');
});

test('IPv6 VMAC on a base without a link-local: an error in words, and the half-made VMAC is deleted', async () => {
  const w = world([]);
  await assert.rejects(w.vm.create(v6), /eth0 has no IPv6 link-local address/);
  assert.equal(w.log.at(-1), 'delete 9');
});

test('IPv4 VMAC: IPv6 off on it, ARP tuned on the base', async () => {
  const w = world([]);
  await w.vm.create({ name: 'vrrp.51', base: 'eth0', mac: '00:00:5e:00:01:33', family: 4 });
  assert.ok(w.log.includes('net/ipv6/conf/vrrp.51/disable_ipv6=1'));
  assert.ok(w.log.includes('net/ipv4/conf/eth0/arp_ignore=1'));
  assert.ok(!w.log.includes('add address'));
});

test('IFA_CACHEINFO: preferred and valid lifetimes, as `ip addr add ... preferred_lft 0` sends them', () => {
  const b = encodeAddrLifetime(0, FOREVER);
  assert.equal(b.length, 20);
  assert.equal(b.readUInt16LE(0), 20);
  assert.equal(b.readUInt16LE(2), IFA_CACHEINFO);
  assert.equal(b.readUInt32LE(4), 0);
  assert.equal(b.readUInt32LE(8), 0xffffffff);
});
