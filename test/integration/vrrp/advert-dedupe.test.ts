// A vipkeeper backup's fast path against a keepalived master: copies of the master's advert are
// dropped by the kernel filter (src/net/vrrp-filter.ts duplicate()) and fed to the machine at
// Master_Down time (src/vrrp/advert-dedupe.ts). What must not change: every advert is counted as
// received, a new priority is seen at once, and the master's death is noticed within
// Master_Down_Interval as before; and most adverts never reach user space.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { vipkeeperStatus } from '../../support/vipkeeper-process.js';
import { waitForAsync } from '../../support/wait.js';
import { Bench, confText, sleep, vipOnlyOn, waitFor } from './support.js';

const INTERVAL_MS = 20;

test('dedupe: a backup counts every advert, follows a priority change, and takes over within Master_Down', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip')) return;
  const bench = new Bench();
  try {
    const kconf = (prio: number) => confText({ version: 3, advertInt: INTERVAL_MS / 1000 }, 'a', prio);
    const k = bench.start('keepalived', 'a', kconf(200));
    assert.ok(await waitFor(() => bench.hasVip('a'), 15_000), k.output().slice(-2000));
    const v = bench.start('vipkeeper', 'b', confText({ version: 3, advertInt: INTERVAL_MS / 1000 }, 'b', 100), { logLevel: 'info' });
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 1000), v.output().slice(-2000));
    const inst = async () => (await vipkeeperStatus(v.controlSocket!)).instances[0];
    assert.ok(await waitForAsync(async () => (await inst()).state === 'BACKUP', 10_000));
    const s0 = await inst(), t0 = Date.now();
    await sleep(3000);
    const s1 = await inst(), t1 = Date.now();
    const expected = (t1 - t0) / INTERVAL_MS;
    const got = s1.counters.received - s0.counters.received;
    assert.ok(got > 0.8 * expected && got < 1.2 * expected, `${got} adverts counted in ${t1 - t0} ms at ${INTERVAL_MS} ms`);
    const dedup = s1.counters.deduplicated - s0.counters.deduplicated;
    assert.ok(dedup > 0.8 * got, `${dedup} of ${got} were copies dropped in the kernel`);
    assert.equal(s1.masterSeen.priority, 200);
    assert.deepEqual(s1.counters.dropped, s0.counters.dropped, 'nothing dropped');
    // A new priority is a new advert: it reaches user space at once.
    writeFileSync(join(bench.dir, 'keepalived-a-1.conf'), kconf(180));
    k.proc.kill('SIGHUP');
    assert.ok(await waitForAsync(async () => (await inst()).masterSeen?.priority === 180, 10_000), 'the backup sees the new priority');
    assert.ok(await vipOnlyOn(bench, 'a', 5000, 500), 'no takeover meanwhile');
    // Death without a priority-0 advert: Master_Down_Interval is 3 x 20 ms + skew (12 ms).
    await sleep(1000);
    const killedAt = Date.now();
    // The VRRP child first: killed after its parent, it would get SIGTERM (keepalived sets a
    // parent-death signal) and could still send priority 0, which is Skew_Time, not this path.
    for (const pid of k.pids().reverse()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    assert.ok(await waitFor(() => bench.hasVip('b'), 5000, 5), 'vipkeeper takes over');
    const took = Date.now() - killedAt;
    assert.ok(took < 1000, `took over ${took} ms after the master died`);
    // As master it holds no reference and the filter drops nothing more: the count stays as it was.
    const s2 = await inst();
    assert.equal(s2.state, 'MASTER');
    assert.ok(s2.counters.deduplicated >= s1.counters.deduplicated, `deduplicated ${s2.counters.deduplicated} after the takeover, ${s1.counters.deduplicated} before`);
    t.diagnostic(`${got} adverts in ${t1 - t0} ms, ${dedup} dropped as copies in the kernel; takeover ${took} ms after SIGKILL`);
    assert.equal(await v.stop(), 0);
  } finally { await bench.cleanup(); }
});
