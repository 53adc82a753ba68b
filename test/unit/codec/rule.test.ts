// Policy rule and virtual route messages against the bytes iproute2 6.x sends (strace -e write=3
// of `ip rule add/del ...` and `ip route add/del ...` in a namespace; the 16-byte netlink header
// is left out). Netlink is host-endian; the goldens are little-endian, so a big-endian host skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_LE } from '../../../src/codec/netlink/message.js';
import { decodeRule, encodeRuleDelete, encodeRuleDump, encodeRuleRequest } from '../../../src/codec/netlink/rule.js';
import { decodeRoute, encodeRouteDeleteExact, encodeRouteRequest } from '../../../src/codec/netlink/route.js';
import { RT_SCOPE } from '../../../src/codec/netlink/rtnl.js';
import { formatIP, parseIP } from '../../../src/lib/ip.js';

const hex = (s: string) => s.replace(/\s+/g, '');
const ip = (s: string) => parseIP(s).addr;
const le = { skip: HOST_LE ? false : 'goldens are little-endian' };

test('NEWRULE / DELRULE: `ip rule add|del from 10.9.0.0/24 to 10.8.0.0/16 table 100 priority 1000 proto keepalived`', le, () => {
  const q = { family: 4 as const, src: ip('10.9.0.0'), srcLen: 24, dst: ip('10.8.0.0'), dstLen: 16, table: 100, action: 'table' as const, priority: 1000, protocol: 18 };
  // fib_rule_hdr: AF_INET, dst_len 16, src_len 24, tos 0, table 100, res, res, FR_ACT_TO_TBL, flags 0
  const attrs = '080002000a090000 080001000a080000 08000600e8030000 0500150012000000';
  assert.equal(encodeRuleRequest(q).toString('hex'), hex(`0210180064000001 00000000 ${attrs}`));
  // the delete: the same with action UNSPEC
  assert.equal(encodeRuleDelete(q).toString('hex'), hex(`0210180064000000 00000000 ${attrs}`));
});

test('NEWRULE: IPv6 with a table above 255 (header UNSPEC, FRA_TABLE), a prohibit rule, a fwmark/mask rule', le, () => {
  const v6 = encodeRuleRequest({ family: 6, src: ip('fd00::'), srcLen: 64, table: 300, action: 'table', priority: 10 });
  assert.equal(v6.toString('hex'), hex('0a00400000000001 00000000 14000200fd000000000000000000000000000000 08000f002c010000 080006000a000000'));
  const prohibit = encodeRuleRequest({ family: 4, dst: ip('10.1.0.0'), dstLen: 16, table: 0, action: 'prohibit', priority: 20 });
  assert.equal(prohibit.toString('hex'), hex('0210000000000008 00000000 080001000a010000 0800060014000000'));
  const mark = encodeRuleRequest({ family: 4, fwmark: 0x10, fwmask: 0xff, table: 101, action: 'table', priority: 30 });
  assert.equal(mark.toString('hex'), hex('0200000065000001 00000000 08000a0010000000 08001000ff000000 080006001e000000'));
});

test('a rule decodes back: selectors, table (FRA_TABLE over the header), action, priority, protocol', () => {
  const r = decodeRule({ payload: encodeRuleRequest({ family: 6, src: ip('fd00::'), srcLen: 64, table: 300, action: 'table', priority: 10, fwmark: 7, iif: 'eth0', protocol: 18 }) });
  assert.deepEqual({ ...r, src: formatIP(r.src!) }, { family: 6, src: 'fd00::', srcLen: 64, dstLen: 0, tos: 0, table: 300, action: 'table', priority: 10, fwmark: 7, iif: 'eth0', protocol: 18 });
  const b = decodeRule({ payload: encodeRuleRequest({ family: 4, dst: ip('10.1.0.0'), dstLen: 16, table: 0, action: 'blackhole', priority: 0 }) });
  assert.deepEqual([b.action, b.table, b.priority, formatIP(b.dst!), b.dstLen], ['blackhole', 0, 0, '10.1.0.0', 16]);
  assert.equal(encodeRuleDump(6).length, 12);
});

test('a truncated rule payload throws (the caller drops it), never returns garbage', () => {
  assert.throws(() => decodeRule({ payload: new Uint8Array(5) }));
});

test('NEWROUTE with gateway and preferred source: `ip route add 10.77.0.0/16 via 10.9.0.50 src 10.9.0.100 table 100 proto keepalived`', le, () => {
  const q = { dst: ip('10.77.0.0'), dstLen: 16, table: 100, protocol: 18, type: 'unicast' as const, gateway: ip('10.9.0.50'), prefsrc: ip('10.9.0.100') };
  const attrs = '080001000a4d0000 080005000a090032 080007000a090064';
  assert.equal(encodeRouteRequest(q).toString('hex'), hex(`0210000064120001 00000000 ${attrs}`));
  // `ip route del unicast ...`: scope NOWHERE, gateway and source named so only this route goes
  assert.equal(encodeRouteDeleteExact(q).toString('hex'), hex(`021000006412ff01 00000000 ${attrs}`));
  const back = decodeRoute({ payload: encodeRouteRequest(q) });
  assert.deepEqual([formatIP(back.gateway!), formatIP(back.prefsrc!)], ['10.9.0.50', '10.9.0.100']);
});

test('NEWROUTE on a device: `ip route add 10.79.0.0/16 dev v0 table 100 proto keepalived scope link` (ifindex 3)', le, () => {
  const got = encodeRouteRequest({ dst: ip('10.79.0.0'), dstLen: 16, table: 100, protocol: 18, type: 'unicast', oif: 3, scope: RT_SCOPE.link });
  assert.equal(got.toString('hex'), hex('0210000064 12 fd 01 00000000 080001000a4f0000 0800040003000000'));
});
