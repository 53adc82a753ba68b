// Link messages against the bytes iproute2 6.x sends (strace -e write=3 in a namespace, the
// 16-byte netlink header left out): `ip link add link v0 name vrrp.51 address 00:00:5e:00:01:33
// type macvlan mode private` (v0 = ifindex 3), `ip link set dev vrrp.51 up`, `ip link del dev
// vrrp.51` (ifindex 4). Netlink is host-endian; the goldens are little-endian.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_LE } from '../../../src/codec/netlink/message.js';
import { decodeLinkDetail, encodeLinkDelete, encodeLinkSetUp, encodeMacvlanCreate, vrrpMac } from '../../../src/codec/netlink/link.js';
import { decodeLink } from '../../../src/codec/netlink/rtnl.js';
import { formatMac } from '../../../src/lib/ip.js';

const hex = (s: string) => s.replace(/\s+/g, '');
const le = { skip: HOST_LE ? false : 'goldens are little-endian' };
const IP_LINK_ADD = hex(`00 00 0000 00000000 00000000 00000000
  0a00 0100 00005e000133 0000   0800 0500 03000000   0c00 0300 767272702e353100
  1c00 1200  0b00 0100 6d6163766c616e 00  0c00 0200 0800 0100 01000000`);

test('NEWLINK creating a private macvlan with the virtual MAC: the bytes `ip link add ... type macvlan mode private` sends', le, () => {
  const got = encodeMacvlanCreate({ name: 'vrrp.51', parent: 3, mac: vrrpMac(51, 4), mode: 'private' });
  assert.equal(got.toString('hex'), IP_LINK_ADD);
});

test('link up and delete: `ip link set dev vrrp.51 up`, `ip link del dev vrrp.51`', le, () => {
  assert.equal(encodeLinkSetUp(4, true).toString('hex'), hex('00 00 0000 04000000 01000000 01000000'));
  assert.equal(encodeLinkSetUp(4, false).toString('hex'), hex('00 00 0000 04000000 00000000 01000000'));
  assert.equal(encodeLinkDelete(4).toString('hex'), hex('00 00 0000 04000000 00000000 00000000'));
});

test('the virtual MAC is 00:00:5e:00:01:VRID for IPv4 and 00:00:5e:00:02:VRID for IPv6 (RFC 5798 §7.3)', () => {
  assert.equal(formatMac(vrrpMac(51, 4)), '00:00:5e:00:01:33');
  assert.equal(formatMac(vrrpMac(255, 6)), '00:00:5e:00:02:ff');
  assert.equal(formatMac(vrrpMac(1, 4)), '00:00:5e:00:01:01');
});

test('a link dump entry gives its parent and kind (what tells our VMAC from someone else\'s interface)', () => {
  const payload = Buffer.from(IP_LINK_ADD, 'hex');
  assert.deepEqual(decodeLinkDetail({ payload }), { parent: 3, kind: 'macvlan' });
  const l = decodeLink({ type: 16, flags: 0, seq: 0, pid: 0, payload });
  assert.deepEqual([l.name, formatMac(l.mac!)], ['vrrp.51', '00:00:5e:00:01:33']);
  assert.deepEqual(decodeLinkDetail({ payload: encodeLinkDelete(4) }), {});
});
