// `npm run demo` end to end: runs `bash scripts/demo.sh` (the VRRP part in namespaces on this
// host; the director part on this host when its kernel has IPVS, otherwise in the kernel test VM)
// and checks the lines it prints at each step, in order, its exit status, and that it left none of
// its namespaces behind. Bounded: past the limit the demo gets SIGTERM (its trap ends the VM and
// removes what it made), then SIGKILL. Its output is streamed to stderr prefixed `demo| `
// (VIPKEEPER_VM_QUIET=1 silences it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needRoot } from '../support/privileged.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
// The demo aims at under 3 minutes; a first run may also build dist/ and the VM image.
const LIMIT_MS = 300_000;

/** The lines the demo promises, in the order it prints them (kept stable for this test). */
const MARKERS: RegExp[] = [
  /^VIP on director b after \d+ ms$/m,
  /^part 1 done: namespaces removed$/m,
  /this kernel has (no IPVS: the director part runs in the kernel VM|IPVS, the director part runs on this host)/m,
  /^client reached r\d$/m,
  /^takeover in \d+ ms: director B is MASTER of /m,
  /^the client was answered again \d+ ms after the crash/m,
  /^r1 left the pool \d+ ms after/m,
  /^only r2 answers$/m,
  /^sorry server answered$/m,
  /^r1 and r2 are back in the pool/m,
  /^== demo finished in \d+ s/m,
];

test('npm run demo: VRRP failover and preemption, then the director (balancing, takeover, a failed real server, the sorry server)', { timeout: LIMIT_MS + 30_000 }, async (t) => {
  if (!needRoot(t, 'qemu-system-x86_64', 'busybox')) return;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The demo's node programs are not test files: no test-runner context for them.
  delete env.NODE_OPTIONS; delete env.NODE_TEST_CONTEXT;
  const started = Date.now();
  // In this process group, so that a Ctrl-C of the test run reaches the demo too (its trap cleans up).
  const child = spawn('bash', ['scripts/demo.sh'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let partial = '';
  const quiet = process.env.VIPKEEPER_VM_QUIET === '1';
  const take = (chunk: Buffer): void => {
    const s = chunk.toString('utf8');
    out += s;
    if (quiet) return;
    partial += s;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) process.stderr.write(`demo| ${l}\n`);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  let timedOut = false;
  const stop = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  }, LIMIT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('close', (c, s) => r([c, s])));
  clearTimeout(stop);
  const took = Date.now() - started;
  t.diagnostic(`demo: exit ${code ?? signal} after ${(took / 1000).toFixed(1)} s`);
  const tail = `\n--- last lines of the demo:\n${out.split('\n').slice(-40).join('\n')}`;
  assert.ok(!timedOut, `the demo did not finish within ${LIMIT_MS / 1000} s${tail}`);
  assert.equal(code, 0, `the demo exited with ${code ?? signal}${tail}`);

  let from = 0;
  for (const m of MARKERS) {
    const hit = new RegExp(m.source, 'm').exec(out.slice(from));
    assert.ok(hit, `missing (in order) ${m}${tail}`);
    from += hit.index + hit[0].length;
  }
  for (const who of ['r1', 'r2']) assert.match(out, new RegExp(`^client reached ${who}$`, 'm'));
  const takeover = Number(/^takeover in (\d+) ms/m.exec(out)?.[1]);
  t.diagnostic(`takeover in ${takeover} ms`);
  // Master_Down_Interval is 1.8 s after the last advertisement; far more means the timers slipped.
  assert.ok(takeover > 0 && takeover < 15_000, `takeover in ${takeover} ms`);

  // Nothing of the host part left behind: its namespaces are named after the demo's pid.
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  assert.ok(!netns.split('\n').some((l) => l.startsWith('vkdemo-') && l.split(' ')[0]!.endsWith(`-${child.pid}`)), `namespaces left:\n${netns}`);
});
