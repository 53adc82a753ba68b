// bind_if and fwmark on checkers: carried into the model, but only PING_CHECK binds to a device and
// no probe marks its packets, so the config says so (a warning at the key's line) instead of
// letting a check silently take another path than the operator meant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, warnings as warningsOf } from './helpers.js';

const conf = (check: string, body: string) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.1.1 80 {\n    ${check} {\n      ${body}\n    }\n  }\n}\n`;
const warnings = (text: string) => warningsOf(load(text)).map((d) => [d.line, d.message]);

test('bind_if: a warning on TCP_CHECK / HTTP_GET (at its line), none on PING_CHECK, whose raw socket binds to the device', () => {
  assert.deepEqual(warnings(conf('TCP_CHECK', 'bind_if eth1')), [[5, 'bind_if on TCP_CHECK is not implemented by vipkeeper; the check leaves by the routing table\'s interface (bindto ADDRESS sets its source)']]);
  assert.deepEqual(warnings(conf('HTTP_GET', 'url {\n        path /\n      }\n      bind_if eth1')).map(([, m]) => m), ['bind_if on HTTP_GET is not implemented by vipkeeper; the check leaves by the routing table\'s interface (bindto ADDRESS sets its source)']);
  assert.deepEqual(warnings(conf('PING_CHECK', 'bind_if eth1')), []);
});

test('fwmark: a warning on every checker type, PING_CHECK included', () => {
  for (const t of ['TCP_CHECK', 'PING_CHECK']) {
    assert.deepEqual(warnings(conf(t, 'fwmark 7')), [[5, `fwmark on ${t} is not implemented by vipkeeper; its packets leave unmarked, so mark-based routing rules do not apply to them`]]);
  }
});
