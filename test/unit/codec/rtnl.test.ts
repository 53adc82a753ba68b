import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAttrs } from '../../../src/codec/netlink/attrs.js';
import { HOST_LE, decodeMessages, encodeMessage } from '../../../src/codec/netlink/message.js';
import {
  IFA, IFA_F, IFF, IFLA, RTM, RT_SCOPE, decodeAddress, decodeLink, encodeAddrDump, encodeAddrRequest, encodeLinkRequest, scopeValue,
} from '../../../src/codec/netlink/rtnl.js';
import { ByteWriter } from '../../../src/lib/bytes.js';
import { VipError } from '../../../src/lib/errors.js';
import { parseIP, parseMac } from '../../../src/lib/ip.js';

const msg = (type: number, payload: Uint8Array) => ({ type, flags: 0, seq: 1, pid: 0, payload });

function ifinfomsg(index: number, flags: number, type = 1): Buffer {
  return new ByteWriter(16).u8(0).u8(0).u16(type, HOST_LE).u32(index, HOST_LE).u32(flags, HOST_LE).u32(0, HOST_LE).finish();
}

test('a link message as the kernel sends it decodes to index, name, MAC, flags, operstate and MTU', () => {
  const cases = [
    { flags: IFF.UP | IFF.RUNNING | IFF.LOWER_UP | IFF.BROADCAST, operstate: 6, up: true, lowerUp: true, state: 'up' },
    { flags: IFF.UP | IFF.BROADCAST, operstate: 2, up: true, lowerUp: false, state: 'down' },
    { flags: IFF.BROADCAST, operstate: 2, up: false, lowerUp: false, state: 'down' },
    { flags: IFF.UP | IFF.LOWER_UP, operstate: 3, up: true, lowerUp: true, state: 'lowerlayerdown' },
  ];
  for (const c of cases) {
    const attrs = encodeAttrs(IFLA, { ifname: 'eth7', address: parseMac('02:aa:bb:cc:dd:ee'), mtu: 9000, operstate: c.operstate, master: 4 });
    const wire = encodeMessage(msg(RTM.NEWLINK, Buffer.concat([ifinfomsg(7, c.flags), attrs])));
    const [m] = decodeMessages(wire);
    const link = decodeLink(m!);
    assert.equal(link.index, 7);
    assert.equal(link.name, 'eth7');
    assert.deepEqual(Array.from(link.mac!), Array.from(parseMac('02:aa:bb:cc:dd:ee')));
    assert.equal(link.mtu, 9000);
    assert.equal(link.flags, c.flags);
    assert.equal(link.up, c.up);
    assert.equal(link.lowerUp, c.lowerUp);
    assert.equal(link.operstate, c.state);
    assert.equal(link.master, 4);
    assert.equal(link.type, 1);
  }
});

test('link requests: a dump is an all-zero ifinfomsg, a lookup carries index or IFLA_IFNAME', () => {
  assert.deepEqual(encodeLinkRequest(), Buffer.alloc(16));
  const byIndex = encodeLinkRequest({ index: 3 });
  assert.equal(byIndex.length, 16);
  assert.equal(new DataView(byIndex.buffer, byIndex.byteOffset).getUint32(4, HOST_LE), 3);
  const byName = encodeLinkRequest({ name: 'veth0' });
  assert.equal(byName.length, 16 + 12); // 4-byte header + "veth0\0" padded to 8
  assert.equal(decodeLink(msg(RTM.NEWLINK, Buffer.concat([ifinfomsg(0, 0), byName.subarray(16)]))).name, 'veth0');
});

test('address requests round-trip through the decoder (IPv4 label and scope, IPv6 NODAD)', () => {
  const table = [
    { text: '10.1.2.3', len: 32, label: 'eth0:vip', scope: RT_SCOPE.universe, flags: 0 },
    { text: '10.1.2.4', len: 24, label: undefined, scope: RT_SCOPE.host, flags: 0 },
    { text: '2001:db8::7', len: 64, label: undefined, scope: RT_SCOPE.universe, flags: IFA_F.NODAD },
    { text: 'fe80::7', len: 64, label: undefined, scope: RT_SCOPE.link, flags: IFA_F.NODAD | IFA_F.NOPREFIXROUTE },
  ];
  for (const c of table) {
    const addr = parseIP(c.text).addr;
    const payload = encodeAddrRequest({ ifindex: 9, addr, prefixLen: c.len, scope: c.scope, flags: c.flags, label: c.label });
    const a = decodeAddress(msg(RTM.NEWADDR, payload));
    assert.equal(a.address, c.text);
    assert.equal(a.family, addr.length === 4 ? 4 : 6);
    assert.equal(a.prefixLen, c.len);
    assert.equal(a.ifindex, 9);
    assert.equal(a.scope, c.scope);
    assert.equal(a.flags, c.flags);
    assert.equal(a.label, c.label);
  }
});

test('flags above 8 bits travel in IFA_FLAGS; the kernel header byte alone is used when absent', () => {
  const p = encodeAddrRequest({ ifindex: 1, addr: parseIP('2001:db8::1').addr, prefixLen: 128, flags: IFA_F.NOPREFIXROUTE | IFA_F.NODAD });
  assert.equal(p[2], IFA_F.NODAD);
  const hdr = new ByteWriter(8).u8(2).u8(32).u8(IFA_F.PERMANENT).u8(0).u32(2, HOST_LE).finish();
  const a = decodeAddress(msg(RTM.NEWADDR, Buffer.concat([hdr, encodeAttrs(IFA, { local: parseIP('192.0.2.1').addr, address: parseIP('192.0.2.9').addr })])));
  assert.equal(a.flags, IFA_F.PERMANENT);
  assert.equal(a.address, '192.0.2.1', 'IPv4 prefers IFA_LOCAL over the peer address');
});

test('address dumps filter by family; scope names map to numbers', () => {
  assert.equal(encodeAddrDump(4)[0], 2);
  assert.equal(encodeAddrDump(6)[0], 10);
  assert.equal(encodeAddrDump()[0], 0);
  assert.equal(scopeValue('host'), 254);
  assert.equal(scopeValue('link'), 253);
  assert.equal(scopeValue(undefined), undefined);
  assert.throws(() => scopeValue('galaxy' as never), /unknown address scope/);
  assert.equal(scopeValue(200), 200);
  // ifa_scope is one byte: 300 would go out as 44. Prototype keys are no scope names either.
  for (const bad of [300, -1, 2.5, 'toString', 'constructor']) {
    assert.throws(() => scopeValue(bad as never), (e: unknown) => e instanceof VipError && e.code === 'bad-scope', String(bad));
  }
});
