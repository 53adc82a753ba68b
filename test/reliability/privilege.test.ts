// Least privilege and no shell: the daemon as an unprivileged uid with only CAP_NET_ADMIN and
// CAP_NET_RAW (setpriv, ambient capabilities) still elects and adds its VIP; and instance names,
// VIP labels and notify arguments full of `;`, `$()`, backquotes and quotes reach the notify script
// verbatim, with no shell in between (nothing the metacharacters ask for ever runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot } from '../support/privileged.js';
import { Bench, confText, vipOnlyOn, VIP } from '../integration/vrrp/support.js';
import { waitFor } from '../support/wait.js';

const NOBODY = 65534;
const CAP_NET_ADMIN = 12, CAP_NET_RAW = 13;

function status(pid: number): Record<string, string> {
  return Object.fromEntries(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').map((l) => l.split(/:\s*/, 2) as [string, string]));
}

test('as uid 65534 with only CAP_NET_ADMIN and CAP_NET_RAW the daemon elects, adds the VIP and hands over', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'setpriv')) return;
  const bench = new Bench();
  // A directory the unprivileged daemon can read (the bench's own is 0700 root).
  const dir = mkdtempSync(join(tmpdir(), 'vk-lp-'));
  chmodSync(dir, 0o755);
  chownSync(dir, NOBODY, NOBODY); // its control socket goes here
  try {
    // No scripts: script_user root could not be honoured without CAP_SETUID, and is not needed here.
    const conf = confText({ version: 3, advertInt: 0.5 }, 'a', 200).replace(/\s*script_user root\n\s*enable_script_security\n/, '\n');
    const file = join(dir, 'a.conf');
    writeFileSync(file, conf);
    chmodSync(file, 0o644);
    const caps = '-all,+net_admin,+net_raw';
    const proc = bench.a.spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, '--bounding-set=-all,+net_admin,+net_raw',
      process.execPath, '--import', 'tsx', join(process.cwd(), 'src/cli.ts'), 'run', '-f', file, '--log-level', 'info', '--rt-priority', '0', '--control-socket', join(dir, 'a.sock')],
    { cwd: process.cwd(), env: { ...process.env, HOME: dir } });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => { out += d; });
    proc.stderr!.on('data', (d: Buffer) => { out += d; });
    const b = bench.start('vipkeeper', 'b', confText({ version: 3, advertInt: 0.5 }, 'b', 100), { logLevel: 'info', args: ['--control-socket', join(bench.dir, 'b.sock')] });
    assert.ok(await vipOnlyOn(bench, 'a', 20_000, 1000), `the unprivileged daemon holds the VIP\n${out.slice(-3000)}`);
    const st = status(proc.pid!);
    t.diagnostic(`daemon ${proc.pid}: Uid ${st.Uid}; CapEff ${st.CapEff}; CapBnd ${st.CapBnd}`);
    assert.match(st.Uid!, /^65534\s/, 'runs as uid 65534');
    assert.equal(BigInt(`0x${st.CapEff}`), (1n << BigInt(CAP_NET_ADMIN)) | (1n << BigInt(CAP_NET_RAW)), 'effective capabilities: exactly NET_ADMIN and NET_RAW');
    assert.equal(BigInt(`0x${st.CapBnd}`), (1n << BigInt(CAP_NET_ADMIN)) | (1n << BigInt(CAP_NET_RAW)), 'nothing more can be gained');
    assert.match(out, /"to":"MASTER"/);
    // SIGTERM: the priority-0 advert and the VIP removal work unprivileged too.
    const code = await new Promise<number | null>((resolve) => { proc.once('exit', (c) => resolve(c)); proc.kill('SIGTERM'); });
    assert.equal(code, 0, out.slice(-2000));
    assert.ok(!bench.hasVip('a'), 'the VIP was removed at stop');
    assert.ok(await vipOnlyOn(bench, 'b', 10_000), `b took over\n${b.output().slice(-2000)}`);
  } finally {
    await bench.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('names, labels and notify arguments full of shell metacharacters reach the script verbatim; no shell runs', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    const dir = bench.dir;
    const pwn = (n: number) => join(dir, `pwn${n}`);
    const script = join(dir, 'args.sh');
    // One argument per line, then a separator, so empty and multi-word arguments stay visible.
    writeFileSync(script, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${dir}/args.$$\nmv ${dir}/args.$$ ${dir}/args.out\n`);
    chmodSync(script, 0o755);
    const name = `VI;$(touch_${pwn(1)})\`touch_${pwn(2)}\`'q&&x|y>z`;
    const label = 'eth0:$(id);`x`';
    const args = [`'a;b c'`, `'$(touch ${pwn(3)})'`, `\`touch`, `${pwn(4)}\``, `x|y;touch\${IFS}${pwn(5)}`, `&&>${pwn(6)}`];
    const conf = confText({ version: 2 }, 'a', 200)
      .replace('vrrp_instance VI_1 {', `vrrp_instance ${name} {`)
      .replace('  virtual_ipaddress {', `  notify "${script} ${args.join(' ')}"\n  virtual_ipaddress {`)
      .replace(`    ${VIP}/24`, `    ${VIP}/24 dev eth0 label ${label}`);
    const d = bench.start('vipkeeper', 'a', conf, { logLevel: 'info', args: ['--control-socket', join(dir, 'a.sock')] });
    assert.ok(await vipOnlyOn(bench, 'a', 20_000), d.output().slice(-3000));
    const outFile = join(dir, 'args.out');
    assert.ok(await waitFor(() => existsSync(outFile) && readFileSync(outFile, 'utf8').includes('MASTER'), 15_000), `notify ran\n${d.output().slice(-3000)}`);
    const got = readFileSync(outFile, 'utf8').split('\n').slice(0, -1);
    t.diagnostic(`notify argv: ${JSON.stringify(got)}`);
    assert.deepEqual(got, ['a;b c', `$(touch ${pwn(3)})`, '`touch', `${pwn(4)}\``, `x|y;touch\${IFS}${pwn(5)}`, `&&>${pwn(6)}`, 'INSTANCE', name, 'MASTER', '200']);
    const labels = (JSON.parse(bench.a.run('ip', '-j', 'addr', 'show', 'dev', 'eth0')) as { addr_info: { local: string; label?: string }[] }[])[0]!.addr_info;
    assert.equal(labels.find((x) => x.local === VIP)?.label, label, 'the VIP label is set verbatim');
    for (let i = 1; i <= 6; i++) assert.ok(!existsSync(pwn(i)), `nothing ran the command hidden in argument ${i}`);
    assert.equal(await d.stop(), 0);
  } finally { await bench.cleanup(); }
});
