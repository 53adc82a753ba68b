// Kernel route/rule deletion notifications in model terms: only ours (proto keepalived) are
// reported, in the canonical text the configuration uses; a truncated one is dropped, not thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routingDeletionOf } from '../../../src/adapters/routing-deletion.js';
import { RTM_ROUTE, RTPROT, encodeRouteRequest } from '../../../src/codec/netlink/route.js';
import { RTM_RULE, encodeRuleRequest } from '../../../src/codec/netlink/rule.js';
import { parseIP } from '../../../src/lib/ip.js';

const ip = (s: string) => parseIP(s).addr;

test('a deleted route of ours: destination, table, type, gateway and metric', () => {
  const payload = encodeRouteRequest({ dst: ip('10.77.0.0'), dstLen: 16, table: 300, protocol: RTPROT.keepalived, type: 'unicast', gateway: ip('10.0.0.254'), priority: 5 });
  assert.deepEqual(routingDeletionOf({ type: RTM_ROUTE.DELROUTE, payload }),
    { kind: 'route', family: 4, to: '10.77.0.0/16', table: 300, type: 'unicast', metric: 5, via: '10.0.0.254' });
  const v6 = encodeRouteRequest({ dst: ip('fd00:1::'), dstLen: 64, table: 100, protocol: RTPROT.keepalived, type: 'blackhole' });
  assert.deepEqual(routingDeletionOf({ type: RTM_ROUTE.DELROUTE, payload: v6 }), { kind: 'route', family: 6, to: 'fd00:1::/64', table: 100, type: 'blackhole', metric: 0 });
});

test('not ours, not a deletion, or truncated: nothing', () => {
  const boot = encodeRouteRequest({ dst: ip('10.77.0.0'), dstLen: 16, table: 100, protocol: RTPROT.boot, type: 'unicast', gateway: ip('10.0.0.254') });
  assert.equal(routingDeletionOf({ type: RTM_ROUTE.DELROUTE, payload: boot }), undefined);
  const ours = encodeRouteRequest({ dst: ip('10.77.0.0'), dstLen: 16, table: 100, protocol: RTPROT.keepalived, type: 'unicast', gateway: ip('10.0.0.254') });
  assert.equal(routingDeletionOf({ type: RTM_ROUTE.NEWROUTE, payload: ours }), undefined);
  assert.equal(routingDeletionOf({ type: RTM_ROUTE.DELROUTE, payload: ours.subarray(0, 5) }), undefined);
});

test('a deleted rule of ours: selectors, action, table and priority', () => {
  const payload = encodeRuleRequest({ family: 4, src: ip('10.0.0.100'), srcLen: 32, table: 100, action: 'table', priority: 1000, protocol: RTPROT.keepalived, iif: 'eth1', fwmark: 7 });
  assert.deepEqual(routingDeletionOf({ type: RTM_RULE.DELRULE, payload }),
    { kind: 'rule', family: 4, action: 'table', table: 100, priority: 1000, from: '10.0.0.100/32', iif: 'eth1', fwmark: 7 });
  const prohibit = encodeRuleRequest({ family: 4, dst: ip('10.80.0.0'), dstLen: 16, table: 0, action: 'prohibit', priority: 1001, protocol: RTPROT.keepalived });
  assert.deepEqual(routingDeletionOf({ type: RTM_RULE.DELRULE, payload: prohibit }), { kind: 'rule', family: 4, action: 'prohibit', priority: 1001, to: '10.80.0.0/16' });
  const theirs = encodeRuleRequest({ family: 4, dst: ip('10.80.0.0'), dstLen: 16, table: 0, action: 'prohibit', priority: 1001 });
  assert.equal(routingDeletionOf({ type: RTM_RULE.DELRULE, payload: theirs }), undefined);
});
