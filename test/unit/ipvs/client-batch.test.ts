// The batched apply (one datagram of many changes per send) over a fake kernel that behaves like
// netlink_rcv_skb: every change of a batch is tried in order, a failed one does not stop the next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NLM_F } from '../../../src/codec/netlink/message.js';
import { IpvsApplyError, IpvsClient } from '../../../src/ipvs/client.js';
import { reconcile } from '../../../src/ipvs/reconcile.js';
import type { GenlTransport } from '../../../src/ipvs/transport.js';
import { SysError } from '../../../src/lib/errors.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import { dest, svc } from './builders.js';

function batching(k: FakeIpvsKernel, sizes: number[], fail?: Error): GenlTransport {
  return {
    request: (t, f, p) => k.request(t, f, p),
    async batch(type, payloads, ops) {
      sizes.push(payloads.length);
      if (fail) throw fail;
      const out: (Error | undefined)[] = [];
      for (const [i, p] of payloads.entries()) {
        try { await k.request(type, NLM_F.REQUEST | NLM_F.ACK, p); out.push(undefined); } catch (e) {
          out.push(new SysError(ops(i), (e as SysError).errno));
        }
      }
      return out;
    },
    close: () => k.close(),
  };
}

const many = (n: number) => Array.from({ length: n }, (_, i) => svc(`10.1.${i >> 8}.${i & 255}`, 80, [dest('10.2.0.1'), dest('10.2.0.2', { weight: 3 })]));

test('a large apply goes out in batches and leaves the same table as one request at a time', async () => {
  const k1 = new FakeIpvsKernel(), k2 = new FakeIpvsKernel();
  const sizes: number[] = [];
  const batched = await IpvsClient.open(batching(k1, sizes));
  const single = await IpvsClient.open(k2);
  const desired = many(400);
  await batched.apply(reconcile(desired, []), { window: 32 });
  await single.apply(reconcile(desired, []), { window: 1 });
  assert.deepEqual(sizes, [1000, 200], 'at most 1000 changes per batch');
  assert.deepEqual(await batched.list(), await single.list());
  assert.deepEqual(k1.takeLog(), k2.takeLog());
});

test('window 1 still means one request at a time, even on a batching transport', async () => {
  const k = new FakeIpvsKernel();
  const sizes: number[] = [];
  const c = await IpvsClient.open(batching(k, sizes));
  await c.apply(reconcile(many(2), []), { window: 1 });
  assert.deepEqual(sizes, []);
  assert.equal(k.services.size, 2);
});

test('a failed change in a batch: named exactly, the later changes of its batch counted, no later batch sent', async () => {
  const k = new FakeIpvsKernel();
  const sizes: number[] = [];
  const c = await IpvsClient.open(batching(k, sizes));
  // Change 4 fails (unknown scheduler), so does 5 (its real server: no such service); 6 and 7 work.
  const desired = [svc('10.0.0.1', 80, [dest('10.0.1.2'), dest('10.0.1.3')]), svc('10.0.0.2', 80, [dest('10.0.2.2')], { scheduler: 'nope' }), svc('10.0.0.3', 80, [dest('10.0.3.2')]), ...many(400)];
  const ops = reconcile(desired, []);
  await assert.rejects(c.apply(ops, { window: 32 }), (e: unknown) => {
    assert.ok(e instanceof IpvsApplyError, String(e));
    assert.equal(e.errno, 'ENOENT');
    assert.deepEqual([e.failedIndex, e.applied, e.unknown], [3, 998, 0]);
    assert.deepEqual(e.message.split('\n'), [
      'ipvs add service tcp 10.0.0.2:80 (scheduler nope): ENOENT (no such entry): unknown scheduler or persistence engine',
      `  change 4 of ${ops.length} failed (+ service tcp 10.0.0.2:80 scheduler nope); 998 of ${ops.length} changes applied, ${ops.length - 998} not: the table is partly updated`,
    ]);
    return true;
  });
  assert.deepEqual(sizes, [1000]);
  assert.equal([...k.services.values()].reduce((n, s) => n + 1 + s.dests.length, 0), 998, 'the count is what the kernel holds');
});

test('a batch lost as a whole (its answers dropped): its changes are counted as unknown, not as applied', async () => {
  const k = new FakeIpvsKernel();
  const c = await IpvsClient.open(batching(k, [], new SysError('ipvs add-service', 'ENOBUFS', 'the kernel dropped the answer')));
  const ops = reconcile(many(2), []);
  await assert.rejects(c.apply(ops, { window: 32 }), (e: unknown) => {
    assert.ok(e instanceof IpvsApplyError);
    assert.deepEqual([e.failedIndex, e.applied, e.unknown, e.errno], [0, 0, 6, 'ENOBUFS']);
    assert.match(e.message, /0 of 6 changes applied, 6 \(changes 1 to 6\) may or may not have been, 0 not/);
    return true;
  });
});
