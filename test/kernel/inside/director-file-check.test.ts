// Inside the kernel VM: FILE_CHECK follows its file within about a second whatever delay_loop says
// (keepalived applies a track_file change at once through inotify; vipkeeper reads the file every
// second with retry 0, src/app/director-timing.ts). delay_loop is 300 s here, so a FILE_CHECK that
// still followed it would move a real server minutes late, not within the bound below.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inVm, ipvsadm } from './ipvs-support.js';
import { sleep, waitFor } from '../../support/wait.js';

const DIR = '/tmp/vk-file-check';
// A second of polling, plus node's start-up and TCG emulation on a loaded host: still far below
// the 300 s delay_loop a FILE_CHECK used to wait.
const BOUND_MS = 20_000;

// drain_a has weight 0: the file is a flag (non-zero = down). drain_b keeps track_file's default
// weight 1: the value is added to the real server's weight.
const CONF = `
track_file drain_a {
  file ${DIR}/drain-a
  weight 0
}
track_file drain_b {
  file ${DIR}/drain-b
}
virtual_server 10.30.0.1 80 {
  delay_loop 300
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.2 8090 {
    FILE_CHECK {
      track_file drain_a
    }
  }
  real_server 127.0.0.3 8090 {
    FILE_CHECK {
      track_file drain_b
    }
  }
}
`;

/** "addr:port/weight,..." of the service, sorted. */
const dests = (): string => ipvsadm('-Ln', '-t', '10.30.0.1:80').split('\n').filter((l) => l.includes('->') && !l.includes('RemoteAddress'))
  .map((l) => { const f = l.trim().split(/\s+/); return `${f[1]}/${f[3]}`; }).sort().join(',');

async function within(what: string, pred: () => boolean, ms = BOUND_MS): Promise<void> {
  const t0 = Date.now();
  const ok = await waitFor(() => { try { return pred(); } catch { return false; } }, ms, 100);
  assert.ok(ok, `${what}: not within ${ms} ms; ipvsadm -Ln:\n${ipvsadm('-Ln')}`);
  console.log(`# ${what}: ${Date.now() - t0} ms`);
}

test('FILE_CHECK with delay_loop 300 s: writing the file moves the real server out, back, and changes its weight within seconds', { timeout: 300_000 }, async (t: TestContext) => {
  if (!inVm(t)) return;
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'drain-a'), '0\n');
  writeFileSync(join(DIR, 'drain-b'), '0\n');
  writeFileSync(join(DIR, 'keepalived.conf'), CONF);
  ipvsadm('-C');
  const lines: string[] = [];
  const daemon = spawn('node', ['dist/cli.cjs', 'run', '-f', join(DIR, 'keepalived.conf'), '--rt-priority', '0', '--control-socket', join(DIR, 'vk.sock')], { cwd: '/project', stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  daemon.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString().trim()}`));
  const exited = new Promise<number | null>((r) => daemon.once('exit', (code) => r(code)));
  t.after(() => {
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
    try { ipvsadm('-C'); } catch { /* gone */ }
    if (process.exitCode) console.log(lines.slice(-30).map((l) => `# daemon| ${l}`).join('\n'));
  });

  await within('both programmed at start', () => dests() === '127.0.0.2:8090/1,127.0.0.3:8090/1', 90_000);
  // Past the first reads, so that what follows is a change seen by polling, not the start.
  await sleep(3000);
  writeFileSync(join(DIR, 'drain-a'), '1\n');
  await within('drain-a = 1: 127.0.0.2 removed', () => dests() === '127.0.0.3:8090/1');
  writeFileSync(join(DIR, 'drain-a'), '0\n');
  await within('drain-a = 0: 127.0.0.2 back', () => dests() === '127.0.0.2:8090/1,127.0.0.3:8090/1');
  writeFileSync(join(DIR, 'drain-b'), '4\n');
  await within('drain-b = 4: 127.0.0.3 at weight 1 + 4', () => dests() === '127.0.0.2:8090/1,127.0.0.3:8090/5');
  assert.ok(lines.some((l) => l.includes('"rs":"127.0.0.2:8090"') && l.includes('"to":"down"') && l.includes('drain-a holds 1')), lines.slice(-20).join('\n'));

  daemon.kill('SIGTERM');
  assert.equal(await Promise.race([exited, sleep(30_000).then(() => 'timeout')]), 0);
});
