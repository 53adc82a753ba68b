// The JS side of the batched connect probe (src/check/tcp-batch.ts) against an in-memory addon:
// results reach their owners by slot, an aborted or already reported slot is never reported
// (nor aborted) twice, slots are reused, a failed connect is returned at once in words, and
// one owner that throws does not cost the rest of the batch its results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectBatch, type ProbeAddon } from '../../../src/check/tcp-batch.js';

class FakeAddon implements ProbeAddon {
  ids!: Int32Array; errs!: Int32Array; cb!: (n: number) => void;
  open = new Set<number>();
  aborted: number[] = [];
  nextErr = 0;
  closed = false;
  probeOpen(ids: Int32Array, errs: Int32Array, cb: (n: number) => void): unknown { this.ids = ids; this.errs = errs; this.cb = cb; return this; }
  probeConnect(_p: unknown, id: number): number {
    if (this.open.has(id)) throw Object.assign(new Error('busy'), { code: 'EEXIST' });
    if (this.nextErr) return this.nextErr;
    this.open.add(id);
    return 0;
  }
  probeAbort(_p: unknown, id: number): boolean { this.aborted.push(id); return this.open.delete(id); }
  probePending(): number { return this.open.size; }
  probeClose(): void { this.closed = true; this.open.clear(); }
  /** The addon reporting finished connects: [id, errno] pairs. */
  report(results: [number, number][]): void {
    results.forEach(([id, e], i) => { this.ids[i] = id; this.errs[i] = e; this.open.delete(id); });
    this.cb(results.length);
  }
}

function owner(log: string[], name: string) {
  return { connected(e: string | undefined) { log.push(`${name}:${e ?? 'ok'}`); } };
}

test('results reach their owners by slot, in words; aborted and reported slots are reused, never reported again', () => {
  const fake = new FakeAddon();
  const b = new ConnectBatch(fake);
  const log: string[] = [];
  const a = b.connect('10.0.0.1', 4, 80, owner(log, 'a'));
  const c = b.connect('10.0.0.2', 4, 80, owner(log, 'c'));
  const d = b.connect('10.0.0.3', 4, 80, owner(log, 'd'));
  assert.ok(typeof a !== 'string' && typeof c !== 'string' && typeof d !== 'string');
  assert.deepEqual([...fake.open], [0, 1, 2]);
  c.close();
  assert.deepEqual(fake.aborted, [1]);
  fake.report([[0, 0], [1, 0], [2, 111]]); // slot 1 was aborted: a stale result is ignored
  assert.deepEqual(log, ['a:ok', 'd:ECONNREFUSED']);
  a.close(); d.close(); c.close(); // after the report / abort: nothing more reaches the addon
  assert.deepEqual(fake.aborted, [1]);
  const e = b.connect('10.0.0.4', 4, 80, owner(log, 'e'));
  assert.notEqual(typeof e, 'string');
  assert.equal(fake.open.size, 1);
  assert.ok([0, 1, 2].includes([...fake.open][0]!), 'a freed slot is reused');
});

test('a connect that fails at once is returned as its errno name and frees its slot', () => {
  const fake = new FakeAddon();
  const b = new ConnectBatch(fake);
  fake.nextErr = 101;
  assert.equal(b.connect('10.0.0.1', 4, 80, owner([], 'x')), 'ENETUNREACH');
  fake.nextErr = 0;
  assert.notEqual(typeof b.connect('10.0.0.1', 4, 80, owner([], 'y')), 'string');
  assert.deepEqual([...fake.open], [0]);
});

test('an owner that throws does not cost the others their results; its error surfaces afterwards', async () => {
  const fake = new FakeAddon();
  const b = new ConnectBatch(fake);
  const log: string[] = [];
  b.connect('10.0.0.1', 4, 80, { connected() { throw new Error('owner bug'); } });
  b.connect('10.0.0.2', 4, 80, owner(log, 'b'));
  const surfaced = new Promise<unknown>((resolve) => {
    const saved = queueMicrotask;
    globalThis.queueMicrotask = (f: () => void) => { globalThis.queueMicrotask = saved; try { f(); } catch (e) { resolve(e); } };
  });
  fake.report([[0, 0], [1, 0]]);
  assert.deepEqual(log, ['b:ok']);
  assert.match(String(await surfaced), /owner bug/);
});

test('close() closes the prober; pending owners hear nothing, their close() is a no-op', () => {
  const fake = new FakeAddon();
  const b = new ConnectBatch(fake);
  const log: string[] = [];
  const a = b.connect('10.0.0.1', 4, 80, owner(log, 'a'));
  b.close();
  assert.equal(fake.closed, true);
  (a as { close(): void }).close();
  assert.deepEqual(fake.aborted, []);
  assert.deepEqual(log, []);
});
