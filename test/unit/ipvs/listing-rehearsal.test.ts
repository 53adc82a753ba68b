// The rehearsal the build runs before writing the listing's code cache (src/ipvs/listing-rehearsal.ts):
// its transport answers a listing as the fake kernel of the tests does for the same table, through
// the inline dumps a real socket uses, and its table holds every kind of line a listing prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeIpvsCommand } from '../../../src/cli/commands/ipvs.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { serviceKeyString } from '../../../src/ipvs/model.js';
import { rehearsalTable, rehearsalTransport } from '../../../src/ipvs/listing-rehearsal.js';
import { encodeServiceKeyCommand } from '../../../src/codec/netlink/ipvs-service.js';
import { IPVS_CMD } from '../../../src/codec/netlink/ipvs.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import type { GenlTransport } from '../../../src/ipvs/transport.js';

async function listing(t: GenlTransport, args: string[]): Promise<string> {
  let out = '';
  const code = await makeIpvsCommand(() => IpvsClient.open(t)).run(['list', ...args], { out: (s) => { out += s; }, err: (s) => assert.fail(s) });
  assert.equal(code, 0);
  return out;
}

test('a listing of the rehearsal is the fake kernel\'s listing of the same table, in every view', async () => {
  const table = rehearsalTable();
  // The fake kernel holds the same entries, counters and real servers' order included.
  const k = new FakeIpvsKernel();
  for (const s of rehearsalTable()) k.services.set(serviceKeyString(s), s);
  for (const args of [[], ['--stats'], ['--thresholds'], ['--rules'], ['--json']]) {
    // A listing closes its client: the kernel stays open (a new socket each time on a real one).
    const kernel: GenlTransport = { request: k.request.bind(k), close() {} };
    assert.equal(await listing(rehearsalTransport(table), args), await listing(kernel, args), `ipvs list ${args.join(' ')}`);
  }
});

test('the rehearsal goes through the inline dumps and prints every kind of line', async () => {
  const t = rehearsalTransport(rehearsalTable());
  let inline = 0;
  const counted: GenlTransport = { ...t, request: t.request, dumpEach: (type, payloads, each) => { inline += payloads.length; return t.dumpEach!(type, payloads, each); } };
  const text = await listing(counted, []);
  // One services dump and one real-server dump per service, all inline.
  assert.equal(inline, 1 + rehearsalTable().length);
  for (const kind of ['TCP  10.100.0.0:80 sh (sh-port)', 'UDP  10.101.0.1:53 wrr persistent 300 mask 255.255.255.0', 'SCTP ', 'FWM  1 ', 'TCP  [2001:db8::1]:443',
    '-> [2001:db8:1::1]:443', 'Masq', 'Route', 'Tunnel', 'TCP  10.102.0.1:80 rr\n']) assert.ok(text.includes(kind), `${JSON.stringify(kind)} in\n${text}`);
});

test('a real-server dump for a service the rehearsal does not hold fails as the kernel would (ESRCH)', () => {
  const t = rehearsalTransport(rehearsalTable(1));
  const other = encodeServiceKeyCommand(IPVS_CMD.GET_DEST, { family: 4, protocol: 'tcp', address: '192.0.2.1', port: 80, fwmark: 0 });
  const r = t.dumpEach!(0x2a, [other], () => assert.fail('no answer expected'));
  assert.equal(r.done, 0);
  assert.match(String(r.error), /ESRCH/);
});
