// The real RoutePort (src/adapters/routes.ts) over rtnetlink in a namespace, checked against
// what ip(8) shows: blackhole routes with protocol 86 in the given table (IPv4, IPv6, a table id
// above 255), idempotent install/remove, and other protocols' routes never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNode, withLan } from '../net/ns-node.js';

const PRELUDE = `
  import { NetlinkRoutes } from '$SRC/adapters/routes.ts';
  const rt = NetlinkRoutes.open();
  const tryIt = async (f) => { try { return await f(); } catch (e) { return 'error ' + e.code + ': ' + e.message; } };
`;

test('NetlinkRoutes installs, lists and removes only its own routes, as ip(8) sees them', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const h = lan.addHost('rt', ['10.98.0.2/24']);
    // Someone else's routes: one at a key we will ask for, one elsewhere in our table.
    h.run('ip', 'route', 'add', 'blackhole', '10.20.0.5/32', 'table', '100', 'proto', 'static');
    h.run('ip', 'route', 'add', 'unreachable', '10.20.0.6/32', 'table', '100', 'proto', 'dhcp');
    const first = await runNode(h.ns, PRELUDE + `
      const out = {};
      out.a = await rt.install({ prefix: '10.20.0.1/32', table: 100, metric: 10 });
      out.again = await rt.install({ prefix: '10.20.0.1/32', table: 100, metric: 10 });
      out.v6 = await rt.install({ prefix: '2001:db8::1/128', table: 100, metric: 0 });
      out.v6again = await rt.install({ prefix: '2001:db8::1/128', table: 100, metric: 0 });
      out.big = await rt.install({ prefix: '10.21.0.0/24', table: 70000, metric: 0 });
      out.conflict = await tryIt(() => rt.install({ prefix: '10.20.0.5/32', table: 100, metric: 0 }));
      out.list = (await rt.list(100)).map((r) => r.prefix + ' m' + r.metric).sort();
      out.listBig = (await rt.list(70000)).map((r) => r.prefix);
      rt.close();
      console.log(JSON.stringify(out));
    `);
    assert.deepEqual(first.a, 'installed');
    assert.deepEqual(first.again, 'already-present');
    assert.deepEqual(first.v6, 'installed');
    assert.deepEqual(first.v6again, 'already-present');
    assert.deepEqual(first.big, 'installed');
    assert.match(first.conflict, /^error route-conflict: .*from another protocol; it is left alone/);
    assert.deepEqual(first.list, ['10.20.0.1/32 m10', '2001:db8::1/128 m1024']);
    assert.deepEqual(first.listBig, ['10.21.0.0/24']);
    const shown = JSON.parse(h.run('ip', '-j', '-d', 'route', 'show', 'table', 'all', 'proto', '86')) as Array<Record<string, unknown>>;
    assert.deepEqual(shown.map((r) => [r.type, r.dst, r.table, r.metric ?? 0]).sort(), [
      ['blackhole', '10.20.0.1', '100', 10], ['blackhole', '10.21.0.0/24', '70000', 0], ['blackhole', '2001:db8::1', '100', 1024],
    ]);

    const second = await runNode(h.ns, PRELUDE + `
      const out = {};
      out.a = await rt.remove({ prefix: '10.20.0.1/32', table: 100, metric: 10 });
      out.again = await rt.remove({ prefix: '10.20.0.1/32', table: 100, metric: 10 });
      out.v6 = await rt.remove({ prefix: '2001:db8::1/128', table: 100, metric: 0 });
      out.big = await rt.remove({ prefix: '10.21.0.0/24', table: 70000, metric: 0 });
      // Same key as someone else's route: protocol 86 matches nothing there.
      out.foreign = await rt.remove({ prefix: '10.20.0.5/32', table: 100, metric: 0 });
      out.list = await rt.list(100);
      rt.close();
      console.log(JSON.stringify(out));
    `);
    assert.deepEqual(second, { a: 'removed', again: 'not-present', v6: 'removed', big: 'removed', foreign: 'not-present', list: [] });
    assert.equal(h.run('ip', 'route', 'show', 'table', 'all', 'proto', '86').trim(), '');
    const left = JSON.parse(h.run('ip', '-j', 'route', 'show', 'table', '100')) as Array<{ dst: string; protocol: string }>;
    assert.deepEqual(left.map((r) => `${r.dst} ${r.protocol}`).sort(), ['10.20.0.5 static', '10.20.0.6 dhcp']);
  });
});
