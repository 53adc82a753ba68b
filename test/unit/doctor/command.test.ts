// `vipkeeper doctor` end to end over the fake host: exit codes, one line per check, --json, usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctorCommand } from '../../../src/cli/commands/doctor.js';
import command from '../../../src/cli/commands/doctor.js';
import { UsageError } from '../../../src/cli/command.js';
import { FakeDoctorHost } from '../../../src/doctor/fake-host.js';

const CONF = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  advert_int 2
  virtual_ipaddress {
    10.0.0.100/24
  }
}
virtual_server 10.0.0.100 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.0.1.1 80 {
  }
}
`;

function capture() {
  const out: string[] = [], err: string[] = [];
  return { io: { out: (t: string) => { out.push(t); }, err: (t: string) => { err.push(t); } }, out, err };
}

function withConf(t: { after(fn: () => void): void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vk-doctor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'k.conf');
  writeFileSync(f, text);
  return f;
}

function goodHost(): FakeDoctorHost {
  const h = new FakeDoctorHost().addLink('lo').addLink('eth0');
  h.modules.set('ip_vs_rr', 'installed');
  h.sysctls.set('net/ipv4/ip_forward', '1');
  return h;
}

test('doctor: a host with everything the config needs exits 0, prints one ok line per check, and listens 3 advert intervals', async (t) => {
  const file = withConf(t, CONF);
  const host = goodHost();
  const c = capture();
  assert.equal(await runDoctorCommand(['-f', file], c.io, () => host), 0);
  assert.deepEqual(c.out.slice(0, -1).map((l) => l.slice(0, 4)), ['ok  ', 'ok  ', 'ok  ', 'ok  ', 'ok  ', 'ok  ']);
  assert.match(c.out.join('\n'), /ok {4}net\.ipv4\.ip_forward: is 1/);
  assert.equal(c.out.at(-1), 'nothing blocks this configuration (0 warnings)');
  assert.deepEqual(host.listens, [{ iface: 'eth0', family: 4, group: '224.0.0.18', durationMs: 6000 }]);
  assert.equal(host.closed, true);
});

test('doctor: ip_forward off, a missing interface and no IPVS each print FAIL with the fix, exit 1', async (t) => {
  const file = withConf(t, CONF);
  const host = new FakeDoctorHost().addLink('lo');
  host.ipvsFact = { state: 'unavailable' };
  host.sysctls.set('net/ipv4/ip_forward', '0');
  const c = capture();
  assert.equal(await runDoctorCommand(['-f', file, '--listen-ms', '100'], c.io, () => host), 1);
  const text = c.out.join('\n');
  assert.match(text, /^FAIL {2}ip_vs: this kernel has no IPVS/m);
  assert.match(text, /^FAIL {2}interface eth0: does not exist \(vrrp_instance VI_1\) -> fix: create it/m);
  assert.match(text, /^FAIL {2}net\.ipv4\.ip_forward: is 0: NAT .* -> fix: sysctl -w net\.ipv4\.ip_forward=1/m);
  assert.equal(c.out.at(-1), '4 problems block this configuration (0 warnings)');
  assert.deepEqual(host.listens, [], 'no listening on an interface that is not there');
});

test('doctor --json: the findings and ok flag; a conflicting speaker makes ok false', async (t) => {
  const file = withConf(t, CONF);
  const host = goodHost();
  host.adverts.set('eth0/4', [{ src: '10.0.0.9', vrid: 51, priority: 200, version: 2, intervalMs: 1000, addresses: ['10.0.0.77'] }]);
  const c = capture();
  assert.equal(await runDoctorCommand(['-f', file, '--json'], c.io, () => host), 1);
  const j = JSON.parse(c.out.join(''));
  assert.equal(j.ok, false);
  assert.equal(j.file, file);
  const conflict = j.findings.find((f: { level: string }) => f.level === 'fail');
  assert.equal(conflict.check, 'VRID 51 on eth0');
  assert.match(conflict.message, /10\.0\.0\.9 .* advertises 10\.0\.0\.77, but VI_1 has 10\.0\.0\.100/);
});

test('doctor: an invalid config exits 1 with its errors and never touches the host; without -f only host checks', async (t) => {
  const file = withConf(t, 'vrrp_instance V {\n interface eth0\n virtual_router_id 300\n}\n');
  let made = false;
  const c = capture();
  assert.equal(await runDoctorCommand(['-f', file], c.io, () => { made = true; return goodHost(); }), 1);
  assert.equal(made, false);
  assert.match(c.err.join('\n'), /k\.conf:3:\d+: .*virtual_router_id|k\.conf:3:\d+: .*1-255/);
  assert.match(c.out.join('\n'), /^FAIL {2}config: .* has 1 error/);

  const host = goodHost();
  host.ipvsFact = { state: 'unavailable' };
  const c2 = capture();
  assert.equal(await runDoctorCommand([], c2.io, () => host), 0);
  assert.deepEqual(c2.out.map((l) => l.slice(0, 4)), ['ok  ', 'warn', 'noth']);
  assert.equal(c2.out.at(-1), 'nothing blocks this host (1 warning)');
});

test('doctor: usage errors throw UsageError (exit 2 through the CLI)', async () => {
  const c = capture();
  await assert.rejects(command.run(['--listen-ms', 'x'], c.io), UsageError);
  await assert.rejects(command.run(['extra'], c.io), UsageError);
  await assert.rejects(command.run(['--bogus'], c.io), UsageError);
  await assert.rejects(command.run(['--format', 'xml'], c.io), UsageError);
});
