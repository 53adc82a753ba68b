// notify_deleted, notify_master_rx_lower_pri, notify_priority_changes, unicast_fault_no_peer and
// vrrp_startup_delay: read from keepalived.conf and YAML into the same model, kept by convert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { convertedBack, errors, instance, load, warnings } from './helpers.js';

const TEXT = `global_defs {
  vrrp_startup_delay 2.5
  vrrp_notify_priority_changes
}
${instance(`  notify_deleted
  notify_master_rx_lower_pri "/usr/lib/vk/reclaim eth0" op
  unicast_src_ip 10.0.0.1
  unicast_fault_no_peer
`)}${instance(`  notify_deleted /bin/gone
  notify_priority_changes off
`, 'VI_2', 52)}`;

test('keepalived.conf: the keywords are implemented (no warning) and reach the model', () => {
  const r = load(TEXT);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r).map((d) => d.message).filter((m) => /notify_|unicast_fault|startup_delay/.test(m)), []);
  const m = r.model!;
  assert.equal(m.global.vrrpStartupDelayMs, 2500);
  const [a, b] = m.vrrpInstances;
  assert.equal(a!.notifyDeleted, true);
  assert.equal(a!.notify.deleted, undefined, 'the flag alone runs no script');
  assert.deepEqual(a!.notify.masterRxLowerPri, { argv: ['/usr/lib/vk/reclaim', 'eth0'], user: 'op' });
  assert.equal(a!.notifyPriorityChanges, true, 'from the global default');
  assert.equal(a!.unicastFaultNoPeer, true);
  assert.deepEqual(a!.unicastPeers, []);
  assert.equal(b!.notifyDeleted, true);
  assert.deepEqual(b!.notify.deleted, { argv: ['/bin/gone'] });
  assert.equal(b!.notifyPriorityChanges, undefined, 'the instance overrides the global');
  assert.equal(b!.unicastFaultNoPeer, undefined);
});

test('without the keywords nothing changes (no field, no delay)', () => {
  const m = load(instance()).model!;
  assert.equal(m.global.vrrpStartupDelayMs, undefined);
  const i = m.vrrpInstances[0]!;
  assert.equal(i.notifyDeleted, undefined);
  assert.equal(i.notifyPriorityChanges, undefined);
  assert.equal(i.unicastFaultNoPeer, undefined);
});

test('YAML spells them in camelCase and gives the same model', () => {
  const yaml = `
global: { vrrpStartupDelayMs: 2500, vrrpNotifyPriorityChanges: true }
vrrpInstances:
  - name: VI_1
    interface: eth0
    vrid: 51
    virtualIps: [10.0.0.52/24]
    unicastSrcIp: 10.0.0.1
    unicastFaultNoPeer: true
    notifyDeleted: true
    notify: { masterRxLowerPri: { argv: "/usr/lib/vk/reclaim eth0", user: op } }
  - name: VI_2
    interface: eth0
    vrid: 52
    virtualIps: [10.0.0.53/24]
    notifyPriorityChanges: false
    notify: { deleted: /bin/gone }
`;
  const y = loadConfigText('c.yaml', yaml);
  assert.deepEqual(errors(y), []);
  assert.deepEqual(y.model, load(TEXT).model);
});

test('convert keeps every one of them (YAML read back = same model)', () => {
  convertedBack(TEXT);
});

test('YAML refuses a wrong type with its path', () => {
  const r = loadConfigText('c.yaml', 'vrrpInstances:\n  - { name: V, interface: eth0, vrid: 1, unicastFaultNoPeer: 1 }\n');
  assert.ok(errors(r).some((d) => /unicastFaultNoPeer/.test(d.message)), JSON.stringify(r.diagnostics));
});

test('notify_priority_changes on a vrrp_sync_group: a warning at its line that says what to do (instances only)', () => {
  const text = `vrrp_sync_group G {\n  group {\n    VI_1\n  }\n  notify_priority_changes\n}\n${instance()}`;
  const r = load(text);
  assert.deepEqual(errors(r), []);
  const w = warnings(r).find((d) => d.message.includes('notify_priority_changes'));
  assert.ok(w, JSON.stringify(r.diagnostics));
  assert.equal(w.line, 5);
  assert.match(w.message, /set notify_priority_changes on its instances/);
  assert.equal(r.model!.vrrpInstances[0]!.notifyPriorityChanges, undefined);
});
