// DirectorCheck: one object is a checker's runtime record, its timing and its scheduler task
// (src/app/director-check.ts); flatString: per-real-server names kept flat without changing them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checker } from '../../../src/config/model.js';
import type { CheckOutcome, Probe } from '../../../src/check/checker.js';
import { DirectorCheck, type CheckResultSink } from '../../../src/app/director-check.js';
import { flatString, maxRunMs, type RsRt } from '../../../src/app/director-state.js';
import { checkTiming } from '../../../src/app/director-timing.js';
import { realServerUp, realServerWeight, stepCheck } from '../../../src/check/policy.js';
import { tcpCheck } from '../../support/fake-director.js';

const outcome = (ok: boolean, weight?: number): CheckOutcome => ({ ok, reason: ok ? 'connected' : 'connection refused', code: ok ? 'ok' : 'refused', latencyMs: 1, ...(weight === undefined ? {} : { weight }) });

function rig(check: Checker, answer: CheckOutcome, next: number | undefined) {
  const seen: { r: RsRt; c: DirectorCheck; out: CheckOutcome }[] = [];
  const sink: CheckResultSink = { checkResult(r, c, out) { seen.push({ r, c, out }); return next; } };
  let runs = 0;
  const probe: Probe = { run: async () => { runs++; return answer; }, close() {} };
  const r = { key: 'vs 10.0.0.2:80' } as RsRt;
  return { c: new DirectorCheck('vs 10.0.0.2:80#0', check, probe, r, sink), r, seen, runs: () => runs };
}

test('DirectorCheck: its timing is checkTiming of its checker (FILE_CHECK included) and its task bounds come from it', () => {
  const tcp = tcpCheck({ delayLoopMs: 3000, retry: 2, delayBeforeRetryMs: 700, warmupMs: 5000, connectTimeoutMs: 4000 });
  const file = { ...tcpCheck({ delayLoopMs: 60_000 }), type: 'FILE_CHECK', trackFile: 'drain', path: '/run/drain', weight: 0, reverse: false } as Checker;
  for (const check of [tcp, file]) {
    const { c } = rig(check, outcome(true), 1000);
    const t = c.timing;
    assert.deepEqual({ delayLoopMs: t.delayLoopMs, retry: t.retry, delayBeforeRetryMs: t.delayBeforeRetryMs, warmupMs: t.warmupMs }, checkTiming(check));
    assert.equal(c.delayLoopMs, checkTiming(check).delayLoopMs);
    assert.equal(c.maxRunMs, maxRunMs(check));
  }
});

test('DirectorCheck: starts as initialCheckState says (alpha starts down) and up / weight follow its state', () => {
  const { c } = rig(tcpCheck({ alpha: true }), outcome(true), 1000);
  assert.equal(c.up, false);
  assert.equal(realServerUp([c]), false);
  c.state = stepCheck(c.timing, c.state, outcome(true, 7), 0).state;
  assert.equal(c.up, true);
  assert.equal(c.weight, 7);
  assert.equal(realServerWeight(1, [c]), 7);
  const plain = rig(tcpCheck(), outcome(true), 1000).c;
  assert.equal(plain.up, true);
  assert.equal(plain.weight, undefined);
});

test('DirectorCheck.run hands the probe outcome with its real server and itself to the sink and returns its answer', async () => {
  const refused = outcome(false);
  const a = rig(tcpCheck(), refused, 1234);
  assert.equal(await a.c.run(), 1234);
  assert.equal(a.runs(), 1);
  assert.equal(a.seen.length, 1);
  assert.equal(a.seen[0]!.r, a.r);
  assert.equal(a.seen[0]!.c, a.c);
  assert.equal(a.seen[0]!.out, refused);
  const stop = rig(tcpCheck(), refused, undefined);
  assert.equal(await stop.c.run(), undefined);
});

test('flatString: the same text for keys, labels and ids (lone surrogates and non-ASCII included)', () => {
  for (const s of ['', 'vs 10.0.0.2:80', `${'web'} ${'[2001:db8::1]:443'}#${0}`, 'fwmark 7 \u00e9\u4e2d', 'a\ud800b', '\udfff', 'q"\\\n']) {
    assert.equal(flatString(s), s);
  }
});
