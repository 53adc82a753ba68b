// The real generic netlink path on this machine's kernel (no privileges needed to ask the
// controller): where ip_vs is missing, opening the client gives the one clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { openGenlTransport, openIpvs } from '../../../src/ipvs/genl-socket.js';
import { decodeFamily, encodeGetFamily, GENL_ID_CTRL } from '../../../src/codec/netlink/genl.js';
import { NLM_F } from '../../../src/codec/netlink/message.js';
import { SysError } from '../../../src/lib/errors.js';
import { IPVS_UNAVAILABLE } from '../../../src/ipvs/client.js';

const addonBuilt = existsSync(new URL('../../../build/Release/vipkeeper_sock.node', import.meta.url));

test('on a kernel without ip_vs, opening the IPVS client says so plainly', async (t) => {
  if (!addonBuilt) { t.skip('native socket addon not built (npx node-gyp rebuild)'); return; }
  if (existsSync('/proc/net/ip_vs')) { t.skip('this kernel has ip_vs (the kernel tests cover it)'); return; }
  await assert.rejects(openIpvs(), (e: Error) => {
    assert.equal(e.message, IPVS_UNAVAILABLE);
    assert.equal((e as { code?: string }).code, 'ipvs-unavailable');
    return true;
  });
});

test('requestNow reads a request\'s answer inline on the listing\'s one socket; request() opens the other', async (t) => {
  if (!addonBuilt) { t.skip('native socket addon not built (npx node-gyp rebuild)'); return; }
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  const tr = openGenlTransport();
  try {
    assert.equal(fds(), before, 'no socket before the first request');
    const flags = NLM_F.REQUEST | NLM_F.ACK;
    const replies = tr.requestNow!(GENL_ID_CTRL, flags, encodeGetFamily('nlctrl'));
    assert.ok(replies);
    assert.equal(replies.length, 1);
    assert.deepEqual([decodeFamily(replies[0]!).id, decodeFamily(replies[0]!).name], [GENL_ID_CTRL, 'nlctrl']);
    // The kernel's error for a family it does not have, thrown as it answered.
    assert.throws(() => tr.requestNow!(GENL_ID_CTRL, flags, encodeGetFamily('no-such-family')), (e: Error) => e instanceof SysError && e.errno === 'ENOENT');
    // A dump through the same socket.
    const names: string[] = [];
    const r = tr.dumpEach!(GENL_ID_CTRL, [encodeGetFamily('')], (_i, data, start, end) => { names.push(decodeFamily(data.subarray(start, end)).name); });
    assert.equal(r.error, undefined);
    assert.ok(names.includes('nlctrl'));
    assert.equal(fds(), before + 1, 'requestNow and dumpEach share one socket');
    const viaLoop = await tr.request(GENL_ID_CTRL, flags, encodeGetFamily('nlctrl'));
    assert.equal(decodeFamily(viaLoop[0]!.payload).id, GENL_ID_CTRL);
    assert.equal(fds(), before + 2, 'request() opens the transport\'s own socket');
  } finally {
    tr.close();
  }
  assert.equal(fds(), before);
});
