import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeIpvsCommand } from '../../../src/cli/commands/ipvs.js';
import { UsageError } from '../../../src/cli/command.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';

const CONF = `
virtual_server 192.0.2.10 80 {
    lb_algo wrr
    lb_kind NAT
    protocol TCP
    real_server 10.0.0.11 8080 {
        weight 3
    }
    real_server 10.0.0.12 8080 {
        weight 1
    }
}
virtual_server fwmark 7 {
    lb_algo sh
    sh-port
    lb_kind DR
    persistence_timeout 600
    persistence_granularity 255.255.255.0
    real_server 198.51.100.21 {
        weight 1
    }
}
`;

function setup(conf = CONF) {
  const dir = mkdtempSync(join(tmpdir(), 'vk-ipvs-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, conf);
  const kernel = new FakeIpvsKernel();
  const cmd = makeIpvsCommand(() => IpvsClient.open(kernel.connect()));
  const run = async (...argv: string[]) => {
    const out: string[] = [], err: string[] = [];
    const code = await cmd.run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { file, kernel, run, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('plan shows the changes and exits 2; apply makes them; plan then exits 0', async () => {
  const s = setup();
  try {
    const plan = await s.run('plan', '-f', s.file);
    assert.equal(plan.code, 2, plan.err);
    assert.match(plan.out, /^\+ service tcp 192\.0\.2\.10:80 scheduler wrr$/m);
    assert.match(plan.out, /^\+ real server 10\.0\.0\.11:8080 in tcp 192\.0\.2\.10:80 forward masq weight 3$/m);
    assert.match(plan.out, /^\+ service fwmark 7 scheduler sh flags persistent,sh-port timeout 600 netmask \/24$/m);
    assert.match(plan.out, /5 changes \(2 to services, 3 to real servers\) pending/);
    assert.equal(s.kernel.services.size, 0, 'plan changes nothing');
    const apply = await s.run('apply', '-f', s.file);
    assert.equal(apply.code, 0, apply.err);
    assert.equal(s.kernel.services.size, 2);
    const again = await s.run('plan', '-f', s.file);
    assert.equal(again.code, 0);
    assert.match(again.out, /nothing to change/);
    s.kernel.takeLog();
    assert.equal((await s.run('apply', '-f', s.file)).code, 0);
    assert.deepEqual(s.kernel.takeLog().filter((c) => !c.startsWith('GET')), [], 'a second apply sends no change');
  } finally { s.done(); }
});

test('a weight drift shows as one edit line', async () => {
  const s = setup();
  try {
    await s.run('apply', '-f', s.file);
    s.kernel.services.get('tcp 192.0.2.10:80')!.dests[0]!.weight = 9;
    const plan = await s.run('plan', '-f', s.file);
    assert.equal(plan.code, 2);
    assert.equal(plan.out.split('\n')[0], '~ real server 10.0.0.11:8080 in tcp 192.0.2.10:80 weight 9 -> 3');
  } finally { s.done(); }
});

test('list prints the ipvsadm -Ln layout, --rules the -Sn one, --json data', async () => {
  const s = setup();
  try {
    await s.run('apply', '-f', s.file);
    const l = await s.run('list');
    assert.equal(l.code, 0);
    assert.equal(l.out, [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.0.2.10:80 wrr',
      '  -> 10.0.0.11:8080               Masq    3      0          0         ',
      '  -> 10.0.0.12:8080               Masq    1      0          0         ',
      'FWM  7 sh (sh-port) persistent 600 mask 255.255.255.0',
      '  -> 198.51.100.21:0              Route   1      0          0         ',
      '',
    ].join('\n'));
    const r = await s.run('list', '--rules');
    assert.match(r.out, /^-A -f 7 -s sh -p 600 -M 255\.255\.255\.0 -b sh-port$/m);
    const j = JSON.parse((await s.run('list', '--json')).out);
    assert.equal(j.services[0].dests[0].weight, 3);
    assert.equal(j.services[0].stats.conns, 0);
    s.kernel.services.get('tcp 192.0.2.10:80')!.dests.reverse();
    const again = JSON.parse((await s.run('list', '--json')).out);
    assert.deepEqual(again.services.map((x: { dests: { address: string }[] }) => x.dests.map((d) => d.address)), [['10.0.0.11', '10.0.0.12'], ['198.51.100.21']], 'real servers in the -Ln order');
  } finally { s.done(); }
});

test('an invalid configuration exits 1 with its diagnostics and touches nothing', async () => {
  const s = setup('virtual_server 192.0.2.10 80 {\n  lb_algo nosuch\n  real_server 10.0.0.1 80 { weight -4 }\n}\n');
  try {
    const r = await s.run('apply', '-f', s.file);
    assert.equal(r.code, 1);
    assert.match(r.err, /keepalived\.conf:\d+:\d+: /);
    assert.deepEqual(s.kernel.takeLog(), []);
  } finally { s.done(); }
});

test('usage errors: no subcommand, unknown one, conflicting views, missing file', async () => {
  const s = setup();
  try {
    await assert.rejects(s.run(), UsageError);
    await assert.rejects(s.run('frob'), /unknown subcommand 'frob'/);
    await assert.rejects(s.run('list', '--stats', '--rate'), /cannot be combined/);
    await assert.rejects(s.run('apply'), /configuration file is required/);
  } finally { s.done(); }
});

test('plan exits 1, never 2 ("changes pending"), on a usage error', async () => {
  const s = setup();
  try {
    for (const argv of [['plan'], ['plan', '-f', s.file, '--bogus'], ['plan', '-f', s.file, '--format', 'xml'], ['plan', s.file, 'extra']]) {
      const r = await s.run(...argv);
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.err, /^vipkeeper ipvs: .+\n\nusage: vipkeeper ipvs list/, argv.join(' '));
    }
    assert.deepEqual(s.kernel.takeLog(), []);
  } finally { s.done(); }
});

test('kernel errors surface as the thrown message (the CLI prints it and exits 1)', async () => {
  const s = setup();
  try {
    s.kernel.schedulers.delete('wrr');
    await assert.rejects(s.run('apply', '-f', s.file), /ipvs add service tcp 192\.0\.2\.10:80 \(scheduler wrr\): ENOENT/);
    s.kernel.loaded = false;
    await assert.rejects(s.run('list'), (e: Error) => e.message === 'ip_vs is not available in this kernel: load the ip_vs module');
  } finally { s.done(); }
});

test('an apply that fails part way says which change failed and how many were applied', async () => {
  const s = setup();
  try {
    s.kernel.schedulers.delete('sh');
    await assert.rejects(s.run('apply', '-f', s.file), (e: Error) => {
      assert.match(e.message, /^ipvs add service fwmark 7 \(scheduler sh\): ENOENT \(no such entry\): unknown scheduler or persistence engine$/m);
      assert.match(e.message, /^ {2}change 4 of 5 failed \(\+ service fwmark 7 scheduler sh .*\); 3 of 5 changes applied, 2 not: the table is partly updated$/m);
      return true;
    });
    assert.equal(s.kernel.services.size, 1);
  } finally { s.done(); }
});
