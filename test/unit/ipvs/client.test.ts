import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpvsApplyError, IpvsClient, IPVS_UNAVAILABLE } from '../../../src/ipvs/client.js';
import { reconcile } from '../../../src/ipvs/reconcile.js';
import { SysError, VipError } from '../../../src/lib/errors.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import { dest, svc } from './builders.js';

const web = svc('10.0.0.1', 80, [dest('10.0.1.2', { weight: 2 }), dest('10.0.1.3')], { scheduler: 'rr' });

async function open(k = new FakeIpvsKernel()) { return { k, c: await IpvsClient.open(k) }; }

test('the family id comes from the controller', async () => {
  const { k, c } = await open();
  assert.equal(c.familyId, k.familyId);
});

test('a kernel without ip_vs gives exactly one clear error', async () => {
  const k = new FakeIpvsKernel();
  k.loaded = false;
  await assert.rejects(IpvsClient.open(k), (e: unknown) => e instanceof VipError && e.code === 'ipvs-unavailable' && e.message === IPVS_UNAVAILABLE);
  assert.equal(IPVS_UNAVAILABLE, 'ip_vs is not available in this kernel: load the ip_vs module');
});

test('services and real servers go in and come back out as they were asked', async () => {
  const { k, c } = await open();
  await c.apply(reconcile([web], await c.list()));
  assert.deepEqual(k.takeLog(), ['GET_SERVICE', 'NEW_SERVICE', 'NEW_DEST', 'NEW_DEST']);
  const [s] = await c.list();
  assert.equal(s?.scheduler, 'rr');
  assert.deepEqual(s?.dests.map((d) => [d.address, d.port, d.weight, d.forward]), [['10.0.1.2', 80, 2, 'masq'], ['10.0.1.3', 80, 1, 'masq']]);
  assert.equal((await c.getService(web))?.address, '10.0.0.1');
  assert.equal(await c.getService({ ...web, port: 81 }), undefined);
});

test('a weight change goes out as one SET_DEST, and a second apply sends nothing', async () => {
  const { k, c } = await open();
  await c.apply(reconcile([web], await c.list()));
  const next = { ...web, dests: [{ ...web.dests[0]!, weight: 7 }, web.dests[1]!] };
  k.takeLog();
  await c.apply(reconcile([next], await c.list()));
  assert.deepEqual(k.takeLog().filter((x) => !x.startsWith('GET')), ['SET_DEST']);
  await c.apply(reconcile([next], await c.list()));
  assert.deepEqual(k.takeLog().filter((x) => !x.startsWith('GET')), []);
});

const errorCases: { name: string; run: (c: IpvsClient) => Promise<unknown>; errno: string; message: RegExp }[] = [
  { name: 'duplicate service', run: async (c) => { await c.addService(web); await c.addService(web); }, errno: 'EEXIST', message: /^ipvs add service tcp 10\.0\.0\.1:80 \(scheduler rr\): EEXIST \(already exists\): the service already exists$/ },
  { name: 'unknown scheduler', run: (c) => c.addService({ ...web, scheduler: 'bogus' }), errno: 'ENOENT', message: /add service tcp 10\.0\.0\.1:80 \(scheduler bogus\): ENOENT .*unknown scheduler/ },
  { name: 'real server for a missing service', run: (c) => c.addDest(web, dest('10.0.1.9')), errno: 'ESRCH', message: /add real server 10\.0\.1\.9:80 in tcp 10\.0\.0\.1:80: ESRCH .*the service does not exist/ },
  { name: 'edit of a missing service', run: (c) => c.editService(web), errno: 'ESRCH', message: /edit service .*no such service/ },
  { name: 'delete of a missing real server', run: async (c) => { await c.addService(web); await c.deleteDest(web, dest('10.0.1.9')); }, errno: 'ENOENT', message: /delete real server 10\.0\.1\.9:80 .*no such real server/ },
  { name: 'lower threshold above upper', run: async (c) => { await c.addService(web); await c.addDest(web, dest('10.0.1.9', { upperThreshold: 1, lowerThreshold: 5 })); }, errno: 'ERANGE', message: /lower threshold above upper/ },
];

for (const tc of errorCases) {
  test(`kernel errors name the operation and the errno in words: ${tc.name}`, async () => {
    const { c } = await open();
    await assert.rejects(tc.run(c), (e: unknown) => {
      assert.ok(e instanceof SysError);
      assert.equal(e.errno, tc.errno);
      assert.match(e.message, tc.message);
      return true;
    });
  });
}

test('apply stops at the first failure; with a window the requests still go out in order', async () => {
  const { k, c } = await open();
  const other = svc('10.0.0.2', 80, [dest('10.0.2.2')]);
  await c.apply([...reconcile([web, other], [])], { window: 8 });
  assert.deepEqual(k.takeLog(), ['NEW_SERVICE', 'NEW_DEST', 'NEW_DEST', 'NEW_SERVICE', 'NEW_DEST']);
  const bad = reconcile([svc('10.0.0.3', 80, [dest('10.0.3.2')], { scheduler: 'nope' }), svc('10.0.0.4', 80)], []);
  await assert.rejects(c.apply(bad), /scheduler nope/);
  assert.deepEqual(k.takeLog(), ['NEW_SERVICE']);
});

test('flush, zero and timeouts', async () => {
  const { k, c } = await open();
  await c.addService(web);
  k.services.get('tcp 10.0.0.1:80')!.stats.conns = 9n;
  await c.zero(web);
  assert.equal((await c.list())[0]?.stats.conns, 0n);
  await c.zero();
  await c.setTimeouts({ tcp: 100, udp: 5 });
  assert.deepEqual(await c.getTimeouts(), { tcp: 100, tcpFin: 120, udp: 5 });
  await c.flush();
  assert.deepEqual(await c.list(), []);
  assert.deepEqual((await c.info()).version, 0x010201);
  c.close();
  assert.equal(k.closed, true);
});

test('an IPv6 tunnelled real server of an IPv4 service can be deleted (the delete names its family)', async () => {
  const { k, c } = await open();
  const mixed = svc('10.0.0.5', 80, [dest('10.0.1.2'), dest('2001:db8::7', { forward: 'tunnel' })]);
  await c.apply(reconcile([mixed], await c.list()));
  const ops = reconcile([{ ...mixed, dests: [mixed.dests[0]!] }], await c.list());
  assert.deepEqual(ops.map((o) => o.op), ['delete-dest']);
  await c.apply(ops);
  assert.deepEqual(k.services.get('tcp 10.0.0.5:80')?.dests.map((d) => d.address), ['10.0.1.2']);
});

test('a failed apply names the operation that failed and counts what was applied, pipelined or not', async () => {
  const desired = [svc('10.0.0.1', 80, [dest('10.0.1.2')]), svc('10.0.0.2', 80, [dest('10.0.2.2')], { scheduler: 'nope' }), svc('10.0.0.3', 80, [dest('10.0.3.2')])];
  for (const [window, applied] of [[1, 2], [8, 4]] as const) {
    const { k, c } = await open();
    const ops = reconcile(desired, []);
    await assert.rejects(c.apply(ops, { window }), (e: unknown) => {
      assert.ok(e instanceof IpvsApplyError, String(e));
      assert.equal(e.code, 'ipvs-apply-failed');
      assert.equal(e.errno, 'ENOENT');
      assert.deepEqual([e.failedIndex, e.applied], [2, applied]);
      assert.deepEqual(e.message.split('\n'), [
        'ipvs add service tcp 10.0.0.2:80 (scheduler nope): ENOENT (no such entry): unknown scheduler or persistence engine',
        `  change 3 of 6 failed (+ service tcp 10.0.0.2:80 scheduler nope); ${applied} of 6 changes applied, ${6 - applied} not: the table is partly updated`,
      ]);
      return true;
    });
    assert.equal([...k.services.values()].reduce((n, s) => n + 1 + s.dests.length, 0), applied, `window ${window}: the count is what the kernel holds`);
  }
});
