// The nfnetlink table lookup (src/net/nft-tables.ts) against a real kernel in a namespace: it sees
// exactly the `inet` table of that name that nft made there, not one of another family or name,
// and not the host's; without CAP_NET_ADMIN it rejects instead of answering "no table".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNode, withLan } from './ns-node.js';

const LOOKUP = `
  import { inetTableExists } from '$SRC/net/nft-tables.ts';
  const out = {};
  for (const name of ['vipkeeper', 'other']) out[name] = await inetTableExists(name);
  console.log(JSON.stringify(out));`;

test('inetTableExists answers for the namespace\'s own inet tables, as nft made them', async (t) => {
  await withLan(t, ['ip', 'nft'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    assert.deepEqual(await runNode(a.ns, LOOKUP), { vipkeeper: false, other: false }, 'a new namespace has none');
    a.run('nft', 'add', 'table', 'ip', 'vipkeeper');
    a.run('nft', 'add', 'table', 'inet', 'other');
    assert.deepEqual(await runNode(a.ns, LOOKUP), { vipkeeper: false, other: true }, 'an ip-family table of the name is not ours');
    a.run('nft', 'add', 'table', 'inet', 'vipkeeper');
    assert.deepEqual(await runNode(a.ns, LOOKUP), { vipkeeper: true, other: true });
    a.run('nft', 'delete', 'table', 'inet', 'vipkeeper');
    assert.deepEqual(await runNode(a.ns, LOOKUP), { vipkeeper: false, other: true });
  });
});

test('inetTableExists without the right to ask rejects with the errno in words', async (t) => {
  await withLan(t, ['ip', 'nft', 'setpriv'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const r = await runNode(a.ns, `
      import { inetTableExists } from '$SRC/net/nft-tables.ts';
      try { console.log(JSON.stringify({ answer: await inetTableExists('vipkeeper') })); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`, { asUser: 65534 });
    assert.equal(r.code, 'EPERM', JSON.stringify(r));
    assert.match(r.message, /^look up nftables table inet vipkeeper: /);
  });
});
