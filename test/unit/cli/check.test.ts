// `vipkeeper check` and `vipkeeper convert`, run in-process through main() with a capturing io,
// and once as a child process. Bad input gives one clear error and exit 1, never a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { main } from '../../../src/cli.js';
import { loadConfig, loadConfigText } from '../../../src/config/load.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'conf/lvs-dr-http-master.conf');

async function run(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const DIAG = /^.+:\d+:\d+: .+$/;
const diagLines = (text: string) => text.split('\n').filter((l) => DIAG.test(l) && !/: warning: /.test(l));

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vk-cli-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('check: a valid file exits 0 and says OK', async () => {
  const r = await run('check', '-f', EXAMPLE);
  assert.equal(r.code, 0);
  assert.match(r.out, /lvs-dr-http-master\.conf: OK \(1 vrrp instances, 1 virtual servers, 3 real servers, 0 warnings\)/);
  assert.equal(r.err, '');
});

test('check: the file may also be given as the only argument', async () => {
  assert.equal((await run('check', EXAMPLE)).code, 0);
});

test('check: warnings are printed and the exit is still 0', withDir(async (dir) => {
  const f = join(dir, 'w.conf');
  writeFileSync(f, 'global_defs {\n  smtp_server 10.0.0.1\n}\n');
  const r = await run('check', '-f', f);
  assert.equal(r.code, 0);
  assert.match(r.err, new RegExp(`${f}:2:3: warning: smtp_server: not implemented by vipkeeper; no mail is sent; use a notify script`));
}));

// Each case: a file, and exactly the lines check prints for it (exit 1, nothing on stdout).
const errorCases: Array<{ name: string; text: string; lines: (f: string) => string[] }> = [
  {
    name: 'every error is printed as file:line:col and the exit is 1',
    text: 'vrrp_instance A {\n  interface eth0\n  virtual_router_id 0\n  priority 300\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n',
    lines: (f) => [`${f}:3:3: vrrp_instance A: virtual_router_id must be 1-255, got 0`, `${f}:4:3: vrrp_instance A: priority must be 1-255, got 300`],
  },
  {
    name: 'one run reports syntax errors and semantic errors together, without echoes',
    text: 'vrrp_instance A {\n  interface eth0\n  virtual_router_id abc\n  priority 0\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n',
    lines: (f) => [`${f}:3:21: 'virtual_router_id' must be an integer, got 'abc'`, `${f}:4:3: vrrp_instance A: priority must be 1-255, got 0`],
  },
];

for (const c of errorCases) {
  test(`check: ${c.name}`, withDir(async (dir) => {
    const f = join(dir, 'bad.conf');
    writeFileSync(f, c.text);
    const r = await run('check', '-f', f);
    assert.equal(r.code, 1);
    assert.deepEqual(diagLines(r.err), c.lines(f));
    assert.equal(r.out, '');
  }));
}

test('check --strict: an unknown keyword becomes an error', withDir(async (dir) => {
  const f = join(dir, 'u.conf');
  writeFileSync(f, 'global_defs {\n  wibble 1\n}\n');
  assert.equal((await run('check', '-f', f)).code, 0);
  const r = await run('check', '--strict', '-f', f);
  assert.equal(r.code, 1);
  assert.deepEqual(diagLines(r.err), [`${f}:2:3: unknown keyword 'wibble' in global_defs`]);
}));

test('check --json: a machine-readable result on stdout', withDir(async (dir) => {
  const ok = await run('check', '--json', '-f', EXAMPLE);
  assert.equal(ok.code, 0);
  const j = JSON.parse(ok.out);
  assert.equal(j.valid, true);
  assert.deepEqual(j.errors, []);
  assert.deepEqual(j.summary, { vrrpInstances: 1, vrrpScripts: 0, syncGroups: 0, virtualServers: 1, realServers: 3 });
  const f = join(dir, 'bad.yaml');
  writeFileSync(f, 'vrrpInstances:\n  - name: A\n    vrid: nine\n');
  const bad = await run('check', '--json', '-f', f);
  assert.equal(bad.code, 1);
  const jb = JSON.parse(bad.out);
  assert.equal(jb.valid, false);
  // The schema error and the semantic error of what the schema accepted, in one run.
  assert.deepEqual(jb.errors, [
    { severity: 'error', file: f, line: 2, col: 5, message: "vrrpInstances[0]: 'interface' is required" },
    { severity: 'error', file: f, line: 3, col: 5, message: 'vrrpInstances[0].vrid: must be integer, got string "nine"' },
  ]);
}));

test('check: usage errors exit 2 with the usage', async () => {
  for (const argv of [['check'], ['check', '--bogus', EXAMPLE], ['check', '--format', 'xml', EXAMPLE], ['check', 'a', 'b']]) {
    const r = await run(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, /usage: vipkeeper check/);
  }
});

// Each bad input: exactly one error diagnostic, exit 1, no stack trace.
const badInputs: Array<{ name: string; setup: (dir: string) => string; message: RegExp }> = [
  { name: 'missing file', setup: (d) => join(d, 'nope.conf'), message: /:1:1: no such file$/ },
  { name: 'a directory', setup: (d) => { mkdirSync(join(d, 'sub.conf')); return join(d, 'sub.conf'); }, message: /is a directory/ },
  { name: 'a binary file', setup: (d) => { writeFileSync(join(d, 'b.conf'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])); return join(d, 'b.conf'); }, message: /binary file \(NUL byte at offset 4\)/ },
  { name: 'invalid UTF-8', setup: (d) => { writeFileSync(join(d, 'u.conf'), Buffer.from([0x61, 0xff, 0xfe, 0x0a])); return join(d, 'u.conf'); }, message: /not valid UTF-8/ },
  { name: 'a 10 MB file', setup: (d) => { writeFileSync(join(d, 'big.conf'), '! padding\n'.repeat(1024 * 1024)); return join(d, 'big.conf'); }, message: /file is too large \(10485760 bytes, limit 8388608\)/ },
  { name: 'an include loop', setup: (d) => { writeFileSync(join(d, 'a.conf'), 'include b.conf\n'); writeFileSync(join(d, 'b.conf'), 'include a.conf\n'); return join(d, 'a.conf'); }, message: /b\.conf:1:9: include loop: / },
  { name: 'an include of a missing file', setup: (d) => { writeFileSync(join(d, 'a.conf'), '\ninclude missing.conf\n'); return join(d, 'a.conf'); }, message: /a\.conf:2:9: include missing\.conf: .*no such file/ },
  { name: 'unbalanced braces', setup: (d) => { writeFileSync(join(d, 'a.conf'), 'global_defs {\n  router_id x\n'); return join(d, 'a.conf'); }, message: /a\.conf:1:13: unbalanced '\{'/ },
  { name: 'an extra closing brace', setup: (d) => { writeFileSync(join(d, 'a.conf'), 'global_defs {\n}\n}\n'); return join(d, 'a.conf'); }, message: /a\.conf:3:1: unbalanced '\}'/ },
  { name: 'a YAML list', setup: (d) => { writeFileSync(join(d, 'l.yaml'), '- 1\n- 2\n'); return join(d, 'l.yaml'); }, message: /l\.yaml:1:1: the document is a list/ },
  { name: 'a YAML scalar', setup: (d) => { writeFileSync(join(d, 's.yml'), 'just text\n'); return join(d, 's.yml'); }, message: /s\.yml:1:1: the document is a single value/ },
];

for (const b of badInputs) {
  test(`check: ${b.name} is one clear error and exit 1`, withDir(async (dir) => {
    const file = b.setup(dir);
    const r = await run('check', '-f', file);
    assert.equal(r.code, 1);
    const lines = diagLines(r.err);
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0]!, b.message);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }));
}

test('convert: keepalived.conf to YAML on stdout that loads to the same model', withDir(async (dir) => {
  const r = await run('convert', EXAMPLE);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^# converted from .*lvs-dr-http-master\.conf by vipkeeper convert\nglobal:\n {2}routerId: lb1\n/);
  const back = loadConfigText(join(dir, 'x.yaml'), r.out);
  assert.deepEqual(back.model, (await loadConfig(EXAMPLE)).model);
}));

test('convert: an invalid file prints nothing on stdout and exits 1', withDir(async (dir) => {
  const f = join(dir, 'bad.conf');
  writeFileSync(f, 'vrrp_instance A {\n  priority 0\n}\n');
  const r = await run('convert', f);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, /not converted/);
}));

test('child process: node --import tsx src/cli.ts check and convert', withDir(async (dir) => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  const ok = cli('check', '-f', 'conf/fwmark-web.conf');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /conf\/fwmark-web\.conf: OK/);
  const f = join(dir, 'x.conf');
  writeFileSync(f, 'virtual_server 10.0.0.1 99999 {\n  protocol TCP\n}\n');
  const bad = cli('check', '-f', f);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, new RegExp(`${f}:1:25: virtual_server 10\\.0\\.0\\.1:99999/TCP: port must be 0-65535, got 99999`));
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  const conv = cli('convert', 'conf/unicast-tracked.conf');
  assert.equal(conv.status, 0, conv.stderr);
  assert.match(conv.stdout, /unicastPeers:\n\s+- 10\.1\.0\.12/);
}));


test('check: a YAML address service without protocol is one error saying YAML needs it; exit 1', withDir(async (dir) => {
  const f = join(dir, 'vs.yaml');
  writeFileSync(f, 'virtualServers:\n  - address: 10.0.0.1\n    port: 80\n    realServers: [{ address: 10.0.1.1 }]\n');
  const r = await run('check', '-f', f);
  assert.equal(r.code, 1);
  assert.deepEqual(diagLines(r.err), [`${f}:2:5: virtualServers[0]: missing required key 'protocol': a service chosen by address or group needs TCP, UDP or SCTP (YAML has no default; keepalived.conf uses UDP)`]);
}));

test('convert: SMTP_CHECK, lvs_sync_daemon and lvs_timeouts survive conversion (conf/lvs-nat-mail.conf)', withDir(async (dir) => {
  const mail = join(ROOT, 'conf/lvs-nat-mail.conf');
  const r = await run('convert', mail);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /lvsSyncDaemon:\n {4}interface: eth1\n {4}vrrpInstance: VI_INSIDE\n {4}syncId: 62\n/);
  assert.match(r.out, /type: SMTP_CHECK\n\s+heloName: nat1\.example\.net/);
  const back = loadConfigText(join(dir, 'mail.yaml'), r.out);
  assert.deepEqual(back.diagnostics, []);
  assert.deepEqual(back.model, (await loadConfig(mail)).model);
}));

// keepalived.conf as operators write it: one file for several directors, told apart by config-id.
const PER_HOST = `@lb1 $PRIORITY=150
@^lb1 $PRIORITY=90
$VI= \\
vrrp_instance VI_\${N} { \\
  interface eth0 \\
  virtual_router_id \${N} \\
  priority $PRIORITY \\
  @lb1 state MASTER \\
  virtual_ipaddress { \\
    ~LST({A, B}, {1, 10}, {2, 20}) 10.\${N}.\${A}.\${B}/24 \\
  } \\
}
~SEQ(N, 1, 2) $VI
virtual_server 10.1.1.10 80 {
  protocol TCP
  ~SEQ(R, 1, 3) real_server 192.168.0.\${R} 80 { weight \${R} }
}
`;

test('check --config-id (-i): @ID lines and conditional parameters follow the id given', withDir(async (dir) => {
  const f = join(dir, 'k.conf');
  writeFileSync(f, PER_HOST);
  for (const [argv, priority, state] of [[['--config-id', 'lb1'], 150, 'MASTER'], [['-i', 'lb2'], 90, 'BACKUP']] as const) {
    const r = await run('check', '--json', '-f', f, ...argv);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(JSON.parse(r.out).summary.vrrpInstances, 2);
    const m = (await loadConfig(f, { configId: argv[1] })).model!;
    assert.deepEqual(m.vrrpInstances.map((x) => [x.name, x.priority, x.state]), [['VI_1', priority, state], ['VI_2', priority, state]]);
  }
  const bad = await run('check', '-f', f, '--config-id', '@lb1');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--config-id must be one word without '@' or '\^'/);
}));

test('convert --config-id: ~SEQ, ~LST, @ID and parameters are written out, and the YAML loads to the same model', withDir(async (dir) => {
  const f = join(dir, 'k.conf');
  writeFileSync(f, PER_HOST);
  for (const id of ['lb1', 'lb2']) {
    const r = await run('convert', f, '-i', id);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^# converted from .*k\\.conf \\(config-id ${id}\\) by vipkeeper convert\\n`));
    const back = loadConfigText(join(dir, 'k.yaml'), r.out);
    assert.deepEqual(back.diagnostics.filter((d) => d.severity === 'error'), []);
    const direct = (await loadConfig(f, { configId: id })).model!;
    assert.deepEqual(back.model, direct);
    assert.deepEqual(direct.vrrpInstances[1]!.virtualIps.map((v) => v.address), ['10.2.1.10', '10.2.2.20']);
    assert.deepEqual(direct.virtualServers[0]!.realServers.map((rs) => [rs.address, rs.weight]), [['192.168.0.1', 1], ['192.168.0.2', 2], ['192.168.0.3', 3]]);
  }
}));
