// Probe deadlines (src/check/deadlines.ts): one FIFO per timeout length, one timer. A deadline
// expires once, after its time and an I/O poll; a settled one is skipped; lengths do not block
// each other; a queue that keeps being fed does not grow without bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
