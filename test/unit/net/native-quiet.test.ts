// The addon's quiet watch (src/native/repeat.c): a deadline that a CLOCK_MONOTONIC stamp in a BPF
// array map moves on (the kernel filter writes it for each copy of a master's advert), and one
// callback when it comes near with no stamp in time. Needs CAP_BPF for the map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot } from '../../support/privileged.js';
import { BpfMap } from '../../../src/net/bpf-kernel.js';
import { QuietWatch } from '../../../src/net/quiet-watch.js';
import { native } from '../../../src/net/native.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stamp = (m: BpfMap, key: number): void => { const v = Buffer.alloc(8); v.writeBigUInt64LE(process.hrtime.bigint()); m.update(key, v); };

test('stamps keep the deadline moving; without them the callback comes once, early before it', async (t) => {
  if (!needRoot(t)) return;
  const m = BpfMap.create('array', 8, 4);
  try {
    const t0 = performance.now();
    let dueAt = 0, calls = 0;
    const w = QuietWatch.start(m.fd, 2, 50, 100, 10, () => { calls++; dueAt = performance.now(); });
    for (let i = 0; i < 10; i++) { stamp(m, 2); await sleep(30); }   // 300 ms of "copies"
    const lastStamp = performance.now() - 30;
    assert.equal(calls, 0, 'not due while stamps arrive');
    await sleep(300);
    assert.equal(calls, 1);
    // Due at the last stamp + 100 ms - 10 ms early (generous bounds: a shared machine).
    assert.ok(dueAt - lastStamp > 60 && dueAt - lastStamp < 250, `due ${(dueAt - lastStamp).toFixed(0)} ms after the last stamp`);
    assert.ok(dueAt - t0 > 300);
    w.stop();
    // A stamp in another key, or none: due at the deadline given.
    let other = 0;
    const t1 = performance.now();
    const w2 = QuietWatch.start(m.fd, 3, 80, 100, 10, () => { other = performance.now() - t1; });
    stamp(m, 1);
    await sleep(250);
    assert.ok(other > 50 && other < 200, `due ${other.toFixed(0)} ms after a start 80 ms out`);
    w2.stop();
  } finally { m.close(); }
});

test('stop and closing the map end a watch: no callback', async (t) => {
  if (!needRoot(t)) return;
  const m = BpfMap.create('array', 8, 4);
  let calls = 0;
  const w = QuietWatch.start(m.fd, 0, 20, 50, 0, () => calls++);
  w.stop();
  const id = native().quietStart(m.fd, 0, 20, 50e6, 0, () => calls++);
  m.close(); // the thread must never read a closed (or reused) fd
  await sleep(150);
  assert.equal(calls, 0);
  assert.equal(native().quietStop(id), false, 'closing the map stopped it');
  assert.throws(() => native().quietStart(9999, 0, 0, 1e6, 0, () => {}), /EBADF/);
});
