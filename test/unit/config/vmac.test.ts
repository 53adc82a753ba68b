// use_vmac / vmac_xmit_base in the configuration: the VMAC's name (default vrrp.VRID), which VIPs
// move onto it, and the combinations refused at load with file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { errors, instance, load, markedLine, warnings } from './helpers.js';

test('use_vmac: default name vrrp.VRID; the VIPs on the interface move to it, those on other devices or of the other family stay', () => {
  const r = load(`vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  use_vmac
  virtual_ipaddress {
    10.0.0.100/24
    10.0.0.101/24 dev eth0
    10.0.5.1/24 dev eth1
  }
  virtual_ipaddress_excluded {
    10.0.9.9/32
    fd00::9/64
  }
}
`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r), []);
  const i = r.model!.vrrpInstances[0]!;
  assert.deepEqual(i.vmac, { name: 'vrrp.51', xmitBase: false });
  assert.deepEqual(i.virtualIps.map((v) => v.dev), ['vrrp.51', 'vrrp.51', 'eth1']);
  assert.deepEqual(i.excludedVips.map((v) => v.dev), ['vrrp.51', 'eth0']);
});

test('use_vmac NAME and vmac_xmit_base (in either order); without use_vmac nothing changes', () => {
  const i = load(instance('  vmac_xmit_base\n  use_vmac vk51\n')).model!.vrrpInstances[0]!;
  assert.deepEqual(i.vmac, { name: 'vk51', xmitBase: true });
  assert.equal(i.virtualIps[0]!.dev, 'vk51');
  const plain = load(instance()).model!.vrrpInstances[0]!;
  assert.equal('vmac' in plain, false);
  assert.equal(plain.virtualIps[0]!.dev, 'eth0');
});

test('YAML: vmac {name} and vmacXmitBase give the same model', () => {
  const y = loadConfigText('v.yaml', 'vrrpInstances:\n  - name: VI_1\n    interface: eth0\n    vrid: 51\n    priority: 100\n    virtualIps: [10.0.0.52/24]\n    vmac: {}\n    vmacXmitBase: true\n');
  assert.deepEqual(errors(y), []);
  const k = load(instance('  use_vmac\n  vmac_xmit_base\n'));
  assert.deepEqual(y.model!.vrrpInstances[0], k.model!.vrrpInstances[0]);
});

const bad: Array<[string, string, RegExp]> = [
  ['a name longer than 15 bytes', '  use_vmac vrrp.averylongname # <-\n', /use_vmac: 'vrrp.averylongname' is not a valid interface name/],
  ['the instance interface as its name', '  use_vmac eth0 # <-\n', /use_vmac eth0 is the instance's own interface/],
  ['a MAC address argument', '  use_vmac vk 00:00:5e:00:01:01 # <-\n', /a MAC address argument is not supported/],
  ['unicast without vmac_xmit_base', '  use_vmac # <-\n  unicast_peer {\n    10.0.0.2\n  }\n', /use_vmac with unicast_peer needs vmac_xmit_base/],
  ['vmac_xmit_base alone', '  vmac_xmit_base # <-\n', /vmac_xmit_base needs use_vmac/],
];
for (const [what, extra, msg] of bad) {
  test(`use_vmac: ${what} is an error at its line`, () => {
    const text = instance(extra);
    const e = errors(load(text));
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.match(e[0]!.message, msg);
    assert.equal(e[0]!.line, markedLine(text));
  });
}

test('use_vmac on an IPv6 instance: its IPv6 VIPs on the interface move to the VMAC, IPv4 ones stay', () => {
  const r = load(`vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 5\n  use_vmac\n  virtual_ipaddress {\n    fd00::1/64\n  }\n  virtual_ipaddress_excluded {\n    10.0.0.9/32\n    fd00::9/64\n  }\n}\n`);
  assert.deepEqual(errors(r), []);
  const i = r.model!.vrrpInstances[0]!;
  assert.equal(i.family, 6);
  assert.deepEqual(i.vmac, { name: 'vrrp.5', xmitBase: false });
  assert.deepEqual(i.virtualIps.map((v) => v.dev), ['vrrp.5']);
  assert.deepEqual(i.excludedVips.map((v) => v.dev), ['eth0', 'vrrp.5']);
});

test('use_vmac: two instances naming one VMAC are refused', () => {
  const twice = errors(load(instance('  use_vmac shared\n') + instance('  use_vmac shared # <-\n', 'VI_2', 52)));
  assert.equal(twice.length, 1, JSON.stringify(twice));
  assert.match(twice[0]!.message, /duplicate use_vmac interface 'shared'/);
});
