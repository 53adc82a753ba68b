// Host side of the kernel tests: boots the IPVS test VM once (test/kernel/harness) and runs every
// test/kernel/inside/*.test.ts there. The guest's TAP output is streamed to stderr ("vm| " prefix;
// VIPKEEPER_VM_QUIET=1 silences it) and failing inside tests are named in the assertion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot, requirePrivileged } from '../support/privileged.js';
import { defaultArgv, describeFailure, runInVm, tapFailures } from './harness/index.js';
import { tapSkips } from './harness/serial.js';

// The inside suite takes about 4 to 7 min under TCG on a busy 2-core host; leave room.
const TIMEOUT_MS = Number(process.env.VIPKEEPER_VM_TIMEOUT_MS) || 20 * 60_000;

test('kernel tests inside the IPVS VM pass', { timeout: TIMEOUT_MS + 5 * 60_000 }, async (t) => {
  // Only root is needed up front: the harness installs qemu and the rest (host-tools.ts).
  if (!needRoot(t)) return;
  const quiet = process.env.VIPKEEPER_VM_QUIET === '1';
  const r = await runInVm({
    argv: defaultArgv(['--test-reporter=tap']),
    timeoutMs: TIMEOUT_MS,
    onLine: (l) => { if (!quiet) process.stderr.write(`vm| ${l}\n`); },
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const count = (k: string) => new RegExp(`^# ${k} (\\d+)$`, 'm').exec(r.output)?.[1] ?? '?';
  t.diagnostic(`inside: pass ${count('pass')}, fail ${count('fail')}, skipped ${count('skipped')}`);
  t.diagnostic(`image ${r.buildMs} ms (base ${r.baseBuilt ? 'built' : 'cached'}, project ${r.projectBuilt ? 'built' : 'cached'}), boot to node ${r.bootMs ?? '?'} ms, VM total ${r.totalMs} ms`);
  const failed = tapFailures(r.output);
  const why = failed.length ? `failing inside tests:\n  ${failed.join('\n  ')}` : describeFailure(r);
  assert.equal(r.status, 0, `inside the VM ${why}`);
  // A zero status with a failed test would mean the TAP parsing or the runner is wrong.
  assert.deepEqual(failed, []);
  assert.match(r.output, /^# pass [1-9]\d*$/m, 'the VM run reported no passing test');
  // A test skipped inside the guest is a privileged test that did not run: in CI that is a failure.
  const skips = tapSkips(r.output);
  if (requirePrivileged()) {
    assert.equal(skips.summary, 0, `VIPKEEPER_REQUIRE_PRIVILEGED=1 but ${skips.summary} test(s) skipped inside the VM:\n  ${skips.names.join('\n  ')}`);
  }
});
