// IpvsClient.list() on a transport with inline dumps (dumpEach, as the real netlink transport has):
// the same table as the request() path, with one inline dump per service, in one run; a dump the transport
// could not run inline (busy, interrupted, not queued) is asked again through request(); a kernel
// error is named for its service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { reconcile } from '../../../src/ipvs/reconcile.js';
import { NLM_F } from '../../../src/codec/netlink/message.js';
import { SysError } from '../../../src/lib/errors.js';
import type { GenlTransport } from '../../../src/ipvs/transport.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import { dest, svc } from './builders.js';

const table = [
  svc('10.0.0.1', 80, [dest('10.0.1.2', { weight: 2 }), dest('10.0.1.3')], { scheduler: 'rr' }),
  svc('10.0.0.2', 443, [dest('10.0.2.2', { port: 8443 })]),
  svc('2001:db8::1', 80, [dest('2001:db8::10'), dest('2001:db8::11', { forward: 'route' })]),
  svc('10.0.0.3', 80, []),
];

/**
 * The fake kernel with an inline dump: the answers are fetched ahead through request() (the fake
 * is asynchronous), keyed by the request's bytes, and handed out synchronously. `fail` decides,
 * per real-server dump, an error to give instead; `calls` and `runs` count real-server dumps and
 * the runs holding them, `serviceDumps` the services dumps, `failServices` fails those.
 */
async function inlineOver(k: FakeIpvsKernel, fail: (call: number) => SysError | undefined, failServices?: SysError): Promise<GenlTransport & { calls: number; runs: number; serviceDumps: number }> {
  const plain = await IpvsClient.open(k);
  const answers = new Map<string, Buffer[]>();
  const { encodeServiceKeyCommand } = await import('../../../src/codec/netlink/ipvs-service.js');
  const { IPVS_CMD, encodeIpvs } = await import('../../../src/codec/netlink/ipvs.js');
  const services = encodeIpvs(IPVS_CMD.GET_SERVICE, {});
  answers.set(services.toString('hex'), (await k.request(k.familyId, NLM_F.REQUEST | NLM_F.DUMP, services)).map((m) => Buffer.from(m.payload)));
  for (const s of await plain.listServices()) {
    const payload = encodeServiceKeyCommand(IPVS_CMD.GET_DEST, s);
    answers.set(Buffer.from(payload).toString('hex'), (await k.request(k.familyId, NLM_F.REQUEST | NLM_F.DUMP, payload)).map((m) => Buffer.from(m.payload)));
  }
  const t = {
    calls: 0,
    runs: 0,
    serviceDumps: 0,
    request: (type: number, flags: number, payload: Uint8Array) => k.request(type, flags, payload),
    dumpEach(_type: number, payloads: readonly Uint8Array[], each: (i: number, data: Buffer, start: number, end: number) => void): { done: number; error?: Error } {
      const servicesDump = payloads[0]![0] === IPVS_CMD.GET_SERVICE;
      if (servicesDump) t.serviceDumps++; else t.runs++;
      for (let i = 0; i < payloads.length; i++) {
        const e = servicesDump ? failServices : fail(t.calls++);
        if (e) return { done: i, error: e };
        // Each payload in place inside a larger buffer, as a datagram holds them.
        for (const p of answers.get(Buffer.from(payloads[i]!).toString('hex')) ?? []) each(i, Buffer.concat([Buffer.alloc(20, 0xee), p, Buffer.alloc(8, 0xee)]), 20, 20 + p.length);
      }
      return { done: payloads.length };
    },
    close: () => k.close(),
  };
  return t;
}

async function programmed(): Promise<FakeIpvsKernel> {
  const k = new FakeIpvsKernel();
  const c = await IpvsClient.open(k);
  await c.apply(reconcile(table, await c.list()));
  return k;
}

test('list() through inline dumps gives the table that request() gives, one inline dump per service', async () => {
  const k = await programmed();
  const want = await (await IpvsClient.open(k.connect())).list();
  const t = await inlineOver(k, () => undefined);
  k.takeLog();
  const got = await (await IpvsClient.open(t)).list();
  assert.deepEqual(got, want);
  assert.equal(t.calls, table.length);
  assert.equal(t.runs, 1, 'every service in one run');
  assert.equal(t.serviceDumps, 1);
  assert.deepEqual(k.takeLog().filter((c) => c === 'GET_DEST'), [], 'no real-server dump went through request()');
  assert.equal(got.find((s) => s.address === '2001:db8::1')?.dests.length, 2);
});

test('a dump refused inline (EBUSY, EINTR, EAGAIN) is asked again through request(); the table is whole', async () => {
  const k = await programmed();
  const want = await (await IpvsClient.open(k.connect())).list();
  const codes = ['EBUSY', 'EINTR', 'EAGAIN'];
  const t = await inlineOver(k, (i) => (i < 3 ? new SysError('ipvs netlink request', codes[i]!) : undefined));
  k.takeLog();
  assert.deepEqual(await (await IpvsClient.open(t)).list(), want);
  assert.equal(k.takeLog().filter((c) => c === 'GET_DEST').length, 3);
  assert.equal(t.runs, 4, 'the run goes on after each dump asked again');
});

test('a dump refused inline after some real servers were handed over is replaced whole, not added to', async () => {
  const k = await programmed();
  const want = await (await IpvsClient.open(k.connect())).list();
  const t = await inlineOver(k, () => undefined);
  const run = t.dumpEach!.bind(t);
  let first = true;
  // The first run hands over every dump, then says the first one was interrupted.
  t.dumpEach = (type, payloads, each) => {
    const r = run(type, payloads, each);
    if (!first) return r;
    first = false;
    return { done: 0, error: new SysError('ipvs netlink request', 'EINTR') };
  };
  assert.deepEqual(await (await IpvsClient.open(t)).list(), want);
});

test('a kernel error of an inline dump rejects the listing, naming the service', async () => {
  const k = await programmed();
  const t = await inlineOver(k, (i) => (i === 1 ? new SysError('ipvs netlink request', 'ESRCH') : undefined));
  await assert.rejects((await IpvsClient.open(t)).list(), (e: unknown) => e instanceof SysError && e.code === 'ESRCH' && /real servers of/.test(e.message));
});

test('the services dump goes inline too; refused inline (EBUSY, EINTR, EAGAIN) it is asked through request(); a kernel error names it', async () => {
  const k = await programmed();
  const want = await (await IpvsClient.open(k.connect())).list();
  const t = await inlineOver(k, () => undefined);
  k.takeLog();
  assert.deepEqual(await (await IpvsClient.open(t)).listServices(), want.map((s) => ({ ...s, dests: [] })));
  assert.deepEqual(k.takeLog().filter((c) => c === 'GET_SERVICE'), [], 'not through request()');
  for (const code of ['EBUSY', 'EINTR', 'EAGAIN']) {
    const busy = await inlineOver(k, () => undefined, new SysError('ipvs netlink request', code));
    k.takeLog();
    assert.deepEqual(await (await IpvsClient.open(busy)).list(), want);
    assert.equal(k.takeLog().filter((c) => c === 'GET_SERVICE').length, 1, code);
  }
  const bad = await inlineOver(k, () => undefined, new SysError('ipvs netlink request', 'EPERM'));
  await assert.rejects((await IpvsClient.open(bad)).list(), (e: unknown) => e instanceof SysError && e.code === 'EPERM' && /list services/.test(e.message));
});
