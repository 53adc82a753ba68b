// The Runtime's wiring of accept mode over fake ports and the in-memory nft: the table goes in at
// start, follows a reload, and is removed at stop only after the VIPs are gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../../src/app/runtime.js';
import { MemoryNft } from '../../../src/net/nft-memory.js';
import { NFT_TABLE } from '../../../src/net/nft-plan.js';
import { fakePlatform } from './fake-platform.js';
import { conf, settle } from './helpers.js';

const text = (mode: string, vips = ['10.0.0.100/24']) => `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  ${mode}
  virtual_ipaddress {
${vips.map((v) => `    ${v}\n`).join('')}  }
}
`;

test('runtime: no_accept table at start, replaced on reload, removed on reload to accept and at stop after the VIPs', async () => {
  const f = fakePlatform();
  const nft = new MemoryNft();
  let vipsAtRemove: string[] | undefined;
  const apply = nft.apply.bind(nft);
  nft.apply = async (b) => { if (b.nftables.length === 2) vipsAtRemove = await f.p.addresses.list('eth0'); return apply(b); };
  const rt = new Runtime({ ...f.p, nft }, conf(text('no_accept')));
  rt.start();
  await settle();
  assert.deepEqual(nft.setElements(NFT_TABLE, 'vips4'), ['10.0.0.100'], 'installed at start');
  // Become master: the VIP goes on while the table is there.
  for (let t = 0; t < 5000 && rt.vrrp.stateOf('VI_1') !== 'MASTER'; t += 100) { f.clock.advance(100); await settle(); }
  assert.equal(rt.vrrp.stateOf('VI_1'), 'MASTER');
  assert.ok((await f.p.addresses.list('eth0')).includes('10.0.0.100/24'), 'the VIP is on while MASTER');

  await rt.reload(conf(text('no_accept', ['10.0.0.100/24', '10.0.0.101/24'])));
  assert.deepEqual(nft.setElements(NFT_TABLE, 'vips4'), ['10.0.0.100', '10.0.0.101'], 'reload: follows the VIPs');
  await rt.reload(conf(text('accept')));
  assert.equal(nft.tables.has(NFT_TABLE), false, 'reload to accept: removed');
  await rt.reload(conf(text('no_accept')));
  assert.ok(nft.tables.has(NFT_TABLE));

  const stopping = rt.stop(0);
  for (let i = 0; i < 50; i++) { f.clock.advance(100); await settle(); }
  await stopping;
  assert.equal(nft.tables.has(NFT_TABLE), false, 'removed at stop');
  assert.ok(vipsAtRemove && !vipsAtRemove.some((a) => a.startsWith('10.0.0.100')), `the VIP was gone before the table: ${vipsAtRemove}`);
});

test('runtime: without no_accept nft is not asked to install anything', async () => {
  const f = fakePlatform();
  const nft = new MemoryNft();
  const rt = new Runtime({ ...f.p, nft }, conf(text('')));
  rt.start();
  await settle();
  const stopping = rt.stop(0);
  for (let i = 0; i < 20; i++) { f.clock.advance(100); await settle(); }
  await stopping;
  assert.ok(nft.batches.every((b) => b.nftables.length === 2), 'only the start-up removal of a leftover');
  assert.equal(nft.tables.size, 0);
});
