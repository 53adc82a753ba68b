// FILE_CHECK runs on its own clock: read at start, then every second (or delay_loop when shorter),
// and a "down" read counts at once (keepalived applies a track_file change without timer or retry);
// every other checker keeps delay_loop / retry / delay_before_retry / warmup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checker } from '../../../src/config/model.js';
import { checkTiming, FILE_POLL_MS } from '../../../src/app/director-timing.js';
import { config, directorRig, realServer, table, tcpCheck, virtualServer } from '../../support/fake-director.js';

const slow = { delayLoopMs: 60_000, retry: 3, delayBeforeRetryMs: 3000, warmupMs: 60_000 };
const fileCheck = (over: Partial<Checker> = {}): Checker =>
  ({ ...tcpCheck(slow), type: 'FILE_CHECK', trackFile: 'drain', path: '/run/drain', weight: 0, reverse: false, ...over }) as Checker;

test('checkTiming: FILE_CHECK polls every second with retry 0 and no warmup; other checkers keep their settings', () => {
  assert.equal(FILE_POLL_MS, 1000);
  assert.deepEqual(checkTiming(fileCheck()), { delayLoopMs: 1000, retry: 0, delayBeforeRetryMs: 1000, warmupMs: 0 });
  assert.deepEqual(checkTiming(fileCheck({ delayLoopMs: 200 })), { delayLoopMs: 200, retry: 0, delayBeforeRetryMs: 200, warmupMs: 0 });
  assert.deepEqual(checkTiming(fileCheck({ delayLoopMs: 0 })), { delayLoopMs: 1000, retry: 0, delayBeforeRetryMs: 1000, warmupMs: 0 });
  assert.deepEqual(checkTiming(tcpCheck(slow)), slow);
});

test('FILE_CHECK with delay_loop 60 s and retry 3: a change of the file moves the real server within a second, both ways', async () => {
  const cfg = config([virtualServer('10.0.0.1', [
    realServer('10.0.1.1', { checkers: [fileCheck()] }),
    realServer('10.0.1.2', { checkers: [tcpCheck(slow)] }),
  ])]);
  const rig = directorRig(cfg);
  rig.probes.set('10.0.1.1:80', false, { code: 'file', reason: '/run/drain holds 1' });
  rig.director.start();
  await rig.advance(100);
  // Read at start, down on the first read: no warmup, no retries.
  assert.equal(rig.probes.runs.get('10.0.1.1:80'), 1);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.2:80/1']);

  rig.probes.set('10.0.1.1:80', true, { reason: '/run/drain holds 0' });
  await rig.advance(1000);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.1:80/1, 10.0.1.2:80/1']);

  rig.probes.set('10.0.1.1:80', false, { code: 'file', reason: '/run/drain holds 1' });
  await rig.advance(1000);
  assert.deepEqual(table(rig.kernel), ['tcp 10.0.0.1:80: 10.0.1.2:80/1']);
  assert.equal(rig.probes.runs.get('10.0.1.1:80'), 3);
  // The TCP_CHECK beside it still waits for its warmup (half of 60 s with this rig's random 0.5).
  assert.equal(rig.probes.runs.get('10.0.1.2:80') ?? 0, 0);
  // Polling every second is not "behind schedule": the scheduler judges it by its own period.
  await rig.advance(3000);
  assert.deepEqual(rig.director.status().schedulerLagMs <= 100, true);
  assert.ok(!rig.log.records.some((r) => r.msg === 'checks are behind schedule'));
  await rig.director.stop(0);
});
