// auth_type AH, check_unicast_src / vrrp_check_unicast_src and unicast_peer min_ttl/max_ttl: read
// from keepalived.conf and YAML into the model, kept by `convert`, and seen by the runtime as
// receive / machine configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { machineConfig, receiveConfig } from '../../../src/vrrp/instance-config.js';
import { wireIdentity } from '../../../src/app/reload.js';
import { convertedBack, errors, instance, load, markedLine, warnings } from './helpers.js';

const ah = (extra = '') => instance(`  authentication {\n    auth_type AH\n    auth_pass secret\n  }\n${extra}`);

test('AH: read into the model, PASS stays unstored', () => {
  const r = load(ah());
  assert.deepEqual(errors(r), []);
  const i = r.model!.vrrpInstances[0]!;
  assert.equal(i.authType, 'AH');
  assert.equal(i.authPass, 'secret');
  assert.deepEqual(receiveConfig(i).auth, { type: 'ah', password: 'secret' });
  assert.equal(receiveConfig(i).ahZeroTtl, false, 'multicast: the TTL is in the ICV');
  const pass = load(instance('  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n')).model!.vrrpInstances[0]!;
  assert.equal(pass.authType, undefined);
  assert.deepEqual(receiveConfig(pass).auth, { type: 'pass', password: 'secret' });
});

test('AH with state MASTER: a warning at the state line, and the machine starts as BACKUP', () => {
  const text = ah('  state MASTER # <-\n');
  const r = load(text);
  assert.deepEqual(errors(r), []);
  const w = warnings(r).find((d) => /state MASTER is incompatible with auth_type AH: the instance starts as BACKUP/.test(d.message));
  assert.ok(w, JSON.stringify(r.diagnostics));
  assert.equal(w.line, markedLine(text));
  const i = r.model!.vrrpInstances[0]!;
  assert.equal(i.state, 'MASTER', 'the model keeps what was written (convert keeps it)');
  assert.equal(machineConfig(i, new Uint8Array(4)).initialState, 'BACKUP');
  const plain = load(instance('  state MASTER\n')).model!.vrrpInstances[0]!;
  assert.equal(machineConfig(plain, new Uint8Array(4)).initialState, 'MASTER');
});

test('AH unicast: the TTL is left out of the ICV', () => {
  const r = load(ah('  unicast_peer {\n    10.0.0.2\n  }\n'));
  assert.deepEqual(errors(r), []);
  assert.equal(receiveConfig(r.model!.vrrpInstances[0]!).ahZeroTtl, true);
});

test('YAML: authType beside authPass; a bad value or an AH VRRPv3 instance is an error at the YAML line', () => {
  const good = loadConfigText('x.yaml', 'vrrpInstances:\n  - name: VI_1\n    interface: eth0\n    vrid: 51\n    authPass: secret\n    authType: AH\n    virtualIps: [10.0.0.1/24]\n');
  assert.deepEqual(errors(good), []);
  assert.equal(good.model!.vrrpInstances[0]!.authType, 'AH');
  const v3 = 'vrrpInstances:\n  - name: VI_1\n    interface: eth0\n    vrid: 51\n    version: 3\n    authPass: secret\n    authType: AH # <-\n    virtualIps: [10.0.0.1/24]\n';
  const r = loadConfigText('x.yaml', v3);
  const hit = errors(r).find((d) => /auth_type AH is VRRPv2 only/.test(d.message));
  assert.ok(hit, JSON.stringify(r.diagnostics));
  assert.equal(hit.line, markedLine(v3));
  const bad = loadConfigText('x.yaml', 'vrrpInstances:\n  - name: VI_1\n    interface: eth0\n    vrid: 51\n    authPass: secret\n    authType: ESP\n    virtualIps: [10.0.0.1/24]\n');
  assert.ok(errors(bad).some((d) => d.line === 6), JSON.stringify(bad.diagnostics));
});

test('check_unicast_src: instance keyword and global default, no longer an "unimplemented" warning', () => {
  const peers = '  unicast_peer {\n    10.0.0.2\n  }\n';
  const inst = load(instance(`${peers}  check_unicast_src\n`));
  assert.deepEqual(errors(inst), []);
  assert.deepEqual(warnings(inst), []);
  assert.equal(inst.model!.vrrpInstances[0]!.checkUnicastSrc, true);
  const glob = load(`global_defs {\n  vrrp_check_unicast_src\n}\n${instance(peers)}`);
  assert.deepEqual(warnings(glob), []);
  assert.equal(glob.model!.vrrpInstances[0]!.checkUnicastSrc, true);
  assert.ok(receiveConfig(glob.model!.vrrpInstances[0]!).allowedPeers);
});

test('checkUnicastSrc: false drops the source check, min_ttl/max_ttl turn it back on (keepalived) with a warning', () => {
  const yaml = (peer: string) => `vrrpInstances:\n  - name: VI_1\n    interface: eth0\n    vrid: 51\n    checkUnicastSrc: false\n    unicastPeers: [${peer}]\n    virtualIps: [10.0.0.1/24]\n`;
  const off = loadConfigText('x.yaml', yaml('10.0.0.2'));
  assert.deepEqual(errors(off), []);
  assert.equal(receiveConfig(off.model!.vrrpInstances[0]!).allowedPeers, undefined);
  const ttl = loadConfigText('x.yaml', yaml('{address: 10.0.0.2, minTtl: 250}'));
  assert.deepEqual(errors(ttl), []);
  assert.ok(warnings(ttl).some((d) => /turns the unicast source check on/.test(d.message)), JSON.stringify(ttl.diagnostics));
  const rx = receiveConfig(ttl.model!.vrrpInstances[0]!);
  assert.equal(rx.allowedPeers?.length, 1);
  assert.deepEqual(rx.peerTtls?.map((p) => [p.minTtl, p.maxTtl]), [[250, 255]]);
  // Default (absent): checked, as vipkeeper always did.
  const dflt = load(instance('  unicast_peer {\n    10.0.0.2 max_ttl 64\n  }\n')).model!.vrrpInstances[0]!;
  assert.equal(receiveConfig(dflt).allowedPeers?.length, 1);
  assert.deepEqual(receiveConfig(dflt).peerTtls?.map((p) => [p.minTtl, p.maxTtl]), [[0, 64]]);
});

test('convert: AH, state MASTER with AH, check_unicast_src (both forms) and peer TTLs survive the round trip', () => {
  const text = `global_defs {\n  vrrp_check_unicast_src\n}\n${ah('  state MASTER\n  check_unicast_src\n  unicast_peer {\n    10.0.0.2 min_ttl 254 max_ttl 255\n    10.0.0.3\n  }\n')}`
    + instance('  authentication {\n    auth_type PASS\n    auth_pass other\n  }\n', 'VI_2', 52);
  const { yaml, back } = convertedBack(text, 'full.conf');
  assert.match(yaml, /authType: AH/);
  assert.match(yaml, /checkUnicastSrc: true/);
  assert.equal(back.model!.vrrpInstances[0]!.authType, 'AH');
  assert.equal(back.model!.vrrpInstances[1]!.authType, undefined);
});

test('reload: switching between PASS and AH changes the wire identity (another socket), a new AH password does not', () => {
  const pass = load(instance('  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n')).model!;
  const ahA = load(ah()).model!;
  const ahB = load(ah().replace('auth_pass secret', 'auth_pass other')).model!;
  const id = (c: typeof pass) => wireIdentity(c, c.vrrpInstances[0]!);
  assert.notEqual(id(pass), id(ahA));
  assert.equal(id(ahA), id(ahB));
});
