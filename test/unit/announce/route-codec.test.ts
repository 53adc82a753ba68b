// Route messages against bytes from the real tools: requests as iproute2 sends them (captured with
// strace on `ip route add/del blackhole ... table T proto 86 metric M`) and routes as a 6.x
// kernel dumps them (captured in a namespace). Byte order: netlink is host-endian; the goldens
// are little-endian, so on a big-endian host these tests skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_LE } from '../../../src/codec/netlink/message.js';
import { RTN, decodeRoute, defaultScope, encodeRouteDelete, encodeRouteDump, encodeRouteRequest, routePrefix } from '../../../src/codec/netlink/route.js';
import { RT_SCOPE } from '../../../src/codec/netlink/rtnl.js';
import { parseIP } from '../../../src/lib/ip.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ip = (s: string) => parseIP(s).addr;
const le = { skip: HOST_LE ? false : 'goldens are little-endian' };

test('NEWROUTE for an IPv4 blackhole in table 100, proto 86, metric 10: the bytes `ip route add` sends', le, () => {
  const got = encodeRouteRequest({ dst: ip('10.20.0.1'), dstLen: 32, table: 100, protocol: 86, type: 'blackhole', priority: 10 });
  // rtmsg: AF_INET, /32, src 0, tos 0, table 100, proto 86, scope universe, RTN_BLACKHOLE, flags 0
  // RTA_DST 10.20.0.1, RTA_PRIORITY 10
  assert.equal(got.toString('hex'), hex('02 20 00 00 64 56 00 06 00000000  0800 0100 0a140001  0800 0600 0a000000').toString('hex'));
});

test('NEWROUTE for IPv6 /128 and for a table above 255 (rtm_table UNSPEC, RTA_TABLE carries it)', le, () => {
  const v6 = encodeRouteRequest({ dst: ip('2001:db8::1'), dstLen: 128, table: 100, protocol: 86, type: 'blackhole', priority: 10 });
  assert.equal(v6.toString('hex'), hex('0a 80 00 00 64 56 00 06 00000000  1400 0100 20010db8000000000000000000000001  0800 0600 0a000000').toString('hex'));
  const big = encodeRouteRequest({ dst: ip('10.21.0.0'), dstLen: 24, table: 70000, protocol: 86, type: 'blackhole' });
  assert.equal(big.toString('hex'), hex('02 18 00 00 00 56 00 06 00000000  0800 0100 0a150000  0800 0f00 70110100').toString('hex'));
});

test('DELROUTE matches protocol, type and metric with scope NOWHERE, as `ip route del` sends it', le, () => {
  const got = encodeRouteDelete({ dst: ip('10.20.0.1'), dstLen: 32, table: 100, protocol: 86, type: 'blackhole', priority: 10 });
  assert.equal(got.toString('hex'), hex('02 20 00 00 64 56 ff 06 00000000  0800 0100 0a140001  0800 0600 0a000000').toString('hex'));
});

test('a kernel dump decodes: table from RTA_TABLE (also above 255), protocol, type, metric, IPv6 oif', le, () => {
  const v4 = decodeRoute({ payload: hex('02200000645600060000000008000f0064000000080001000a140001080006000a000000') });
  assert.deepEqual({ ...v4, dst: routePrefix(v4) }, { family: 4, dst: '10.20.0.1/32', dstLen: 32, table: 100, protocol: 86, scope: 0, type: 'blackhole', priority: 10, flags: 0 });
  const big = decodeRoute({ payload: hex('02180000fc5600060000000008000f0070110100080001000a150000') });
  // rtm_table says 252 (RT_TABLE_COMPAT): the real id is only in RTA_TABLE.
  assert.deepEqual([routePrefix(big), big.table, big.priority], ['10.21.0.0/24', 70000, 0]);
  const v6 = decodeRoute({ payload: hex('0a800000645600060000000008000f00640000001400010020010db8000000000000000000000001080006000a000000080004000100000024000c0000000000000000000000000000000000000000000000000000000000000000000500140000000000') });
  assert.deepEqual([v6.family, routePrefix(v6), v6.table, v6.protocol, v6.type, v6.priority, v6.oif], [6, '2001:db8::1/128', 100, 86, 'blackhole', 10, 1]);
});

test('unicast and local routes: scope defaults as ip(8) picks them, and they round-trip', () => {
  assert.equal(defaultScope({ type: 'local' }), RT_SCOPE.host);
  assert.equal(defaultScope({ type: 'unicast', oif: 3 }), RT_SCOPE.link);
  assert.equal(defaultScope({ type: 'unicast', oif: 3, gateway: ip('10.0.0.1') }), RT_SCOPE.universe);
  assert.equal(defaultScope({ type: 'blackhole' }), RT_SCOPE.universe);
  const req = { dst: ip('10.30.0.0'), dstLen: 16, table: 200, protocol: 86, type: 'unicast' as const, oif: 3, gateway: ip('10.0.0.1'), priority: 7 };
  const r = decodeRoute({ payload: encodeRouteRequest(req) });
  assert.deepEqual([routePrefix(r), r.table, r.type, r.oif, Array.from(r.gateway!), r.priority, r.scope], ['10.30.0.0/16', 200, 'unicast', 3, [10, 0, 0, 1], 7, 0]);
  const local = decodeRoute({ payload: encodeRouteRequest({ dst: ip('10.30.0.1'), dstLen: 32, table: 255, protocol: 86, type: 'local', oif: 1 }) });
  assert.deepEqual([local.type, local.scope, local.table], ['local', RT_SCOPE.host, 255]);
  assert.equal(RTN.blackhole, 6);
});

test('a dump request is a bare rtmsg of the family', () => {
  assert.equal(encodeRouteDump(0).toString('hex'), '000000000000000000000000');
  assert.equal(encodeRouteDump(4).toString('hex'), '020000000000000000000000');
  assert.equal(encodeRouteDump(6).toString('hex'), '0a0000000000000000000000');
});
