// A YAML file's messages name its own keys and paths; the same check on a keepalived.conf names
// keepalived's keywords. One check, one message body: only the subject follows the format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, instance, load } from './helpers.js';

const yamlInst = (extra: string) => `vrrpInstances:\n  - name: VI_1\n    interface: eth0\n    vrid: 51\n    virtualIps: [10.0.0.1/24]\n${extra}`;
const msgs = (text: string, file: string) => errors(load(text, file)).map((d) => [d.line, d.message]);

test('yaml terms: ranges name the key path, in the unit of the key', () => {
  assert.deepEqual(msgs(yamlInst('    priority: 300\n    preemptDelayMs: 2000000\n    advertIntervalMs: 1500\n'), 'a.yaml'), [
    [6, 'vrrpInstances[0].priority must be 1-255, got 300'],
    [7, 'vrrpInstances[0].preemptDelayMs must be 0-1000000 ms, got 2000000 ms'],
    [8, 'vrrpInstances[0].advertIntervalMs for VRRPv2 must be whole seconds, 1000-255000 in steps of 1000, got 1500'],
  ]);
  // The same values in keepalived.conf: keepalived's keywords and seconds.
  assert.deepEqual(msgs(instance('  priority 300\n  preempt_delay 2000\n  advert_int 1.5\n').replace('  priority 100\n', ''), 'a.conf'), [
    [7, 'vrrp_instance VI_1: priority must be 1-255, got 300'],
    [8, 'vrrp_instance VI_1: preempt_delay must be 0-1000 s, got 2000 s'],
    [9, 'advert_int for VRRPv2 must be whole seconds 1-255, got 1.5 s'],
  ]);
});

test('yaml terms: required values and duplicates name the YAML key', () => {
  const text = 'vrrpScripts:\n  - name: chk\n    script: /bin/true\n  - name: chk\n    script: /bin/true\nvrrpInstances:\n  - name: A\n    virtualIps: [10.0.0.1/24]\n';
  // (One error per line: the second, 'vrid' is required, is at the same line as the first.)
  assert.deepEqual(msgs(text, 'b.yaml'), [
    [4, "duplicate vrrpScripts[1].name 'chk' (first defined at line 2)"],
    [7, "vrrpInstances[0]: 'interface' is required"],
  ]);
});

test('yaml terms: an unknown key near a valid one is a typo with the suggestion; far from all, just unknown', () => {
  assert.deepEqual(msgs(yamlInst('    prioirty: 100\n'), 'c.yaml'), [[6, "unknown key 'prioirty' in vrrpInstances[0]: did you mean 'priority'?"]]);
  assert.deepEqual(msgs('global:\n  routerID: x\n', 'c.yaml'), [[2, "unknown key 'routerID' in global: did you mean 'routerId'?"]]);
  assert.deepEqual(msgs('vrrpInstance:\n  - name: A\n', 'c.yaml'), [[1, "unknown key 'vrrpInstance' in the top level: did you mean 'vrrpInstances'?"]]);
  assert.deepEqual(msgs(yamlInst('    frobnicate: 1\n'), 'c.yaml'), [[6, "unknown key 'frobnicate' in vrrpInstances[0]"]]);
});

test('yaml terms: schema and semantic errors come in one run; only the refused values are left out', () => {
  const text = `${yamlInst('    priority: high\n    bogus: 1\n')}  - name: VI_2\n    interface: eth0\n    vrid: 51\n    virtualIps: [10.0.0.2/24]\n`;
  assert.deepEqual(msgs(text, 'd.yaml'), [
    [6, 'vrrpInstances[0].priority: must be integer, got string "high"'],
    [7, "unknown key 'bogus' in vrrpInstances[0]"],
    [10, 'vrrpInstances[1].vrid 51 is already used on eth0 (IPv4) by vrrpInstances[0] VI_1'],
  ]);
});
