// Probe deadlines (src/check/deadlines.ts): one FIFO per timeout length, one timer. A deadline
// expires once, after its time and an I/O poll; a settled one is skipped; lengths do not block
// each other; a queue that keeps being fed does not grow without bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Deadlines, type Expirable } from '../../../src/check/deadlines.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function who(log: string[], name: string): Expirable {
  return { settled: false, expire() { log.push(name); } };
}

test('deadlines expire once each, in order, and settled ones never', async () => {
  const d = new Deadlines();
  const log: string[] = [];
  const a = who(log, 'a'), b = who(log, 'b'), c = who(log, 'c');
  d.add(30, a); d.add(30, b); d.add(30, c);
  b.settled = true;
  assert.equal(d.size, 3);
  await wait(10);
  assert.deepEqual(log, [], 'nothing before its time');
  await wait(100);
  assert.deepEqual(log, ['a', 'c']);
  assert.equal(d.size, 0);
});

test('a short timeout is not held up behind a long one', async () => {
  const d = new Deadlines();
  const log: string[] = [];
  d.add(2000, who(log, 'long'));
  d.add(20, who(log, 'short'));
  await wait(150);
  assert.deepEqual(log, ['short']);
});

test('a deadline that settles before expiring is dropped when its time comes, not expired', async () => {
  const d = new Deadlines();
  const log: string[] = [];
  const many = Array.from({ length: 3000 }, (_, i) => who(log, String(i)));
  for (const w of many) d.add(20, w);
  for (const w of many.slice(0, 2999)) w.settled = true;
  await wait(120);
  assert.deepEqual(log, ['2999']);
  assert.equal(d.size, 0);
});

test('release lets go of a settled deadline at once (no reference kept until its time)', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const d = new Deadlines();
  const log: string[] = [];
  const refs: WeakRef<Expirable>[] = [];
  const held: Expirable[] = [];
  (() => {
    for (let i = 0; i < 100; i++) {
      const w = who(log, `r${i}`);
      const ticket = d.add(5000, w);
      refs.push(new WeakRef(w));
      w.settled = true;
      if (i % 2 === 0) d.release(5000, ticket, w);
      else held.push(w);
    }
  })();
  await wait(0);
  gc();
  const alive = refs.map((r, i) => (r.deref() === undefined ? '' : String(i))).filter(Boolean);
  // The released ones (even) are gone; the odd ones are still referenced (by `held` and the queue).
  assert.deepEqual(alive, Array.from({ length: 50 }, (_, i) => String(2 * i + 1)));
  assert.equal(held.length, 50);
});

test('a ticket still finds its deadline after the queue compacted; a stale ticket releases nothing', async () => {
  const d = new Deadlines();
  const log: string[] = [];
  for (let i = 0; i < 1500; i++) d.add(40, who(log, 'early'));
  await wait(20);
  const late = Array.from({ length: 10 }, (_, i) => who(log, `late${i}`));
  const tickets = late.map((w) => d.add(40, w));
  await waitUntil(() => log.length >= 1500, 2000);
  assert.equal(log.length, 1500, 'the first 1,500 expired (and the queue compacted past them)');
  // Released without `settled`: only the ticket can keep it from expiring.
  d.release(40, tickets[3]!, late[3]!);
  // Another's ticket, or a ticket of someone else, releases nothing.
  d.release(40, tickets[4]!, late[5]!);
  d.release(40, 0, late[6]!);
  await waitUntil(() => log.length >= 1509, 2000);
  await wait(30);
  assert.deepEqual(log.slice(1500), ['late0', 'late1', 'late2', 'late4', 'late5', 'late6', 'late7', 'late8', 'late9']);
  assert.equal(d.size, 0);
});

async function waitUntil(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await wait(5);
}
