// convert round trips: keepalived.conf -> YAML -> model equals keepalived.conf -> model, for every
// example in conf/ and every golden config; and each conf/ YAML twin equals its .conf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finishConfig, loadConfig, loadConfigText, readConfig } from '../../../src/config/load.js';
import { toYaml } from '../../../src/cli/commands/convert.js';
import { FULL_CHECKERS, FULL_LVS, FULL_VRRP } from './fixtures.js';
import { convertedBack, errors, load } from './helpers.js';

const CONF = fileURLToPath(new URL('../../../conf/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../fixtures/golden/vrrp/', import.meta.url));

const keepalivedFiles = [
  ...readdirSync(CONF).filter((f) => f.endsWith('.conf')).map((f) => join(CONF, f)),
  ...readdirSync(GOLDEN).filter((f) => f.endsWith('.keepalived.conf')).map((f) => join(GOLDEN, f)),
];

test('round trip: there is something to convert', () => {
  assert.ok(keepalivedFiles.length >= 10, keepalivedFiles.join('\n'));
});

for (const file of keepalivedFiles) {
  test(`round trip: ${file.split('/').slice(-2).join('/')}`, async () => {
    const read = await readConfig(file);
    const direct = finishConfig(read, file);
    assert.deepEqual(errors(direct), []);
    const yaml = toYaml(read.input!, file);
    const back = loadConfigText('converted.yaml', yaml);
    assert.deepEqual(errors(back), [], yaml);
    assert.deepEqual(back.model, direct.model);
  });
}

for (const [name, text] of [['LVS', FULL_LVS], ['VRRP', FULL_VRRP], ['checker and IPVS-global', FULL_CHECKERS]] as const) {
  test(`round trip: a config using every ${name} keyword survives conversion`, () => {
    convertedBack(text, 'full.conf');
  });
}

for (const f of readdirSync(CONF).filter((x) => x.endsWith('.yaml'))) {
  const twin = join(CONF, f.replace(/\.yaml$/, '.conf'));
  if (!existsSync(twin)) continue;
  test(`conf twins: ${f} and its .conf give the same model`, async () => {
    const a = await loadConfig(join(CONF, f));
    const b = await loadConfig(twin);
    assert.deepEqual(errors(a), []);
    assert.ok(a.model);
    assert.deepEqual(a.model, b.model);
  });
}

test('round trip: vrrp_track_process (every keyword) and track_process in instances and sync groups survive conversion', () => {
  const text = `vrrp_track_process a {
  process haproxy
  weight 10 reverse
  quorum 2
  quorum_max 4
  delay 1.5
  fork_delay 0.25
}
vrrp_track_process b {
  process /usr/sbin/haproxy -f "/etc/my cfg"
  param_match initial
  terminate_delay 2
  full_command
}
vrrp_track_process c {
  process x
  quorum_max 0
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    10.0.0.1/24
  }
  track_process {
    a weight -20
    b reverse
  }
}
vrrp_sync_group G {
  group {
    VI_1
  }
  track_process {
    c
  }
}
`;
  assert.equal(load(text).model!.trackProcesses!.length, 3);
  const { back } = convertedBack(text, 'tp.conf');
  assert.deepEqual(back.model!.syncGroups[0]!.trackProcesses, [{ name: 'c', reverse: false }]);
});

test('round trip: use_vmac (named and default), vmac_xmit_base, virtual_routes and virtual_rules survive conversion', () => {
  const text = `vrrp_instance A {\n  interface eth0\n  virtual_router_id 51\n  use_vmac\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n  virtual_routes {\n    10.77.0.0/16 via 10.0.0.254 table 100\n  }\n  virtual_rules {\n    from 10.0.0.100/32 table 100 priority 1000\n  }\n}\n`
    + `vrrp_instance B {\n  interface eth0\n  virtual_router_id 52\n  use_vmac vk52\n  vmac_xmit_base\n  unicast_peer {\n    10.0.0.2\n  }\n  virtual_ipaddress {\n    10.0.1.100/24\n  }\n}\n`;
  const { back } = convertedBack(text, 'vmac.conf');
  assert.deepEqual(back.model!.vrrpInstances.map((i) => i.vmac), [{ name: 'vrrp.51', xmitBase: false }, { name: 'vk52', xmitBase: true }]);
});
