// The real generic netlink path on this machine's kernel (no privileges needed to ask the
// controller): where ip_vs is missing, opening the client gives the one clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { openIpvs } from '../../../src/ipvs/genl-socket.js';
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
