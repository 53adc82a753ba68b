// Which configured virtual route or rule a kernel deletion is: the fields the configuration gives
// must all agree; what it leaves to the kernel (metric, rule priority, mask) matches any value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeDeleted, ruleDeleted } from '../../../src/vrrp/route-tracking.js';
import type { VirtualRoute, VirtualRule } from '../../../src/config/model.js';
import type { RouteDeletion, RuleDeletion } from '../../../src/ports/virtual-routes.js';

const v: VirtualRoute = { to: '10.77.0.0/16', family: 4, type: 'unicast', table: 100, noTrack: false, via: '10.0.0.254' };
const d: RouteDeletion = { kind: 'route', family: 4, to: '10.77.0.0/16', table: 100, type: 'unicast', via: '10.0.0.254', metric: 0 };

test('route: the same destination, table, type and gateway match; a metric left to the kernel matches any', () => {
  assert.ok(routeDeleted(v, d));
  assert.ok(routeDeleted(v, { ...d, metric: 1024 }));
  assert.ok(!routeDeleted({ ...v, metric: 5 }, d), 'a configured metric must agree');
  assert.ok(routeDeleted({ ...v, metric: 5 }, { ...d, metric: 5 }));
  assert.ok(!routeDeleted(v, { ...d, table: 254 }));
  assert.ok(!routeDeleted(v, { ...d, to: '10.77.0.0/24' }));
  assert.ok(!routeDeleted(v, { ...d, via: '10.0.0.253' }));
  assert.ok(!routeDeleted(v, { ...d, type: 'blackhole' }));
  assert.ok(!routeDeleted(v, { ...d, family: 6 }));
});

const r: VirtualRule = { family: 4, action: 'table', table: 100, noTrack: false, from: '10.0.0.100/32' };
const rd: RuleDeletion = { kind: 'rule', family: 4, action: 'table', table: 100, priority: 32765, from: '10.0.0.100/32' };

test('rule: selectors and action must agree; priority and fwmask only when configured', () => {
  assert.ok(ruleDeleted(r, rd));
  assert.ok(!ruleDeleted({ ...r, priority: 1000 }, rd));
  assert.ok(ruleDeleted({ ...r, priority: 1000 }, { ...rd, priority: 1000 }));
  assert.ok(!ruleDeleted(r, { ...rd, table: 101 }));
  assert.ok(!ruleDeleted(r, { ...rd, to: '10.1.0.0/16' }), 'an extra selector is another rule');
  assert.ok(!ruleDeleted(r, { ...rd, iif: 'eth1' }));
  assert.ok(!ruleDeleted({ ...r, fwmark: 1 }, rd));
  assert.ok(ruleDeleted({ ...r, fwmark: 1 }, { ...rd, fwmark: 1, fwmask: 0xffffffff }));
  assert.ok(ruleDeleted({ ...r, action: 'prohibit', table: undefined }, { ...rd, action: 'prohibit', table: 0 }), 'a non-table rule has no table to compare');
});
