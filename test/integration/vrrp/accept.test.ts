// Accept_Mode on a namespace LAN (RFC 5798 §6.4.3): with no_accept (or vrrp_strict) the master
// holds the VIP but drops what a client sends to it (ping and TCP time out; the same service on
// the master's own address answers), with `accept` both work. Our nft table exists while the
// daemon runs and is gone after a graceful stop; one left by a crashed run is removed at start.
// With vrrp_strict on both sides vipkeeper and keepalived still elect and fail over. nft runs
// inside the test namespaces only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot } from '../../support/privileged.js';
import type { Host } from '../../support/netns.js';
import { NftExec } from '../../../src/net/nft-exec.js';
import { ADDR, ADDR6, Bench, confText, VIP, VIP6, vipOnlyOn, waitFor, type ConfOpts } from './support.js';

const PORT = 8080;

/** A TCP service on every address of `host` that greets each connection. */
function tcpService(host: Host): void {
  host.spawn(process.execPath, ['-e', `require('node:net').createServer((s) => s.end('hello\\n')).listen(${PORT}, '::', () => console.log('listening'))`]);
}

/** From the client: 'hello', or why not ('timeout' when dropped, 'ECONNREFUSED' when no service). */
function tcpFromClient(bench: Bench, addr: string): string {
  const script = `const s = require('node:net').connect(${PORT}, process.argv[1]); let got = '';
    const t = setTimeout(() => { console.log('timeout'); process.exit(0); }, 1500);
    s.on('data', (d) => { got += d; }); s.on('end', () => { clearTimeout(t); console.log(got.trim()); process.exit(0); });
    s.on('error', (e) => { clearTimeout(t); console.log(e.code); process.exit(0); });`;
  return bench.client.run(process.execPath, '-e', script, addr).trim();
}

function pings(bench: Bench, addr: string): boolean {
  try { bench.client.run('ping', ...(addr.includes(':') ? ['-6'] : []), '-c1', '-W1', addr); return true; } catch { return false; }
}

/** Our table in `host`'s namespace as nft lists it, or undefined when there is none. */
function ourTable(host: Host): string | undefined {
  try { return host.run('nft', 'list', 'table', 'inet', 'vipkeeper'); } catch { return undefined; }
}

const V3: ConfOpts = { version: 3, advertInt: 0.1 };

for (const [label, opts, dropped] of [
  ['no_accept', { ...V3, accept: false }, true],
  ['vrrp_strict (no accept given)', { ...V3, strict: true }, true],
  ['accept', { ...V3, accept: true }, false],
  ['vrrp_strict with accept', { ...V3, strict: true, accept: true }, false],
] as const) {
  test(`${label}: the client ${dropped ? 'cannot' : 'can'} reach the VIP on the master; the table lives as long as the daemon`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'ip', 'ping', 'nft')) return;
    const bench = new Bench();
    try {
      tcpService(bench.a);
      // Without a filter to install, a table left by a crashed run is still found and removed.
      if (!dropped) bench.a.run('nft', 'add', 'table', 'inet', 'vipkeeper');
      const d = bench.start('vipkeeper', 'a', confText(opts, 'a', 150));
      assert.ok(await vipOnlyOn(bench, 'a', 10_000), `the only daemon becomes master\n${d.output().slice(-3000)}`);
      // The service is up: on the master's own address it answers either way.
      assert.ok(await waitFor(() => tcpFromClient(bench, ADDR.a) === 'hello', 5000), 'the TCP service answers on the primary address');
      if (dropped) {
        assert.ok(await waitFor(() => ourTable(bench.a)?.includes(VIP) === true, 5000), `table with the VIP installed\n${d.output().slice(-3000)}`);
        assert.equal(tcpFromClient(bench, VIP), 'timeout', 'TCP to the VIP is dropped (a timeout, not a refusal)');
        assert.equal(pings(bench, VIP), false, 'the VIP does not answer ping');
        assert.match(ourTable(bench.a)!, /ip daddr @vips4 counter packets [1-9]/, 'the drop rule counted the packets');
      } else {
        assert.equal(tcpFromClient(bench, VIP), 'hello', 'TCP to the VIP answers');
        assert.equal(pings(bench, VIP), true, 'the VIP answers ping');
        assert.equal(ourTable(bench.a), undefined, 'no table with accept: the leftover was removed');
      }
      assert.equal(await d.stop(), 0, 'graceful stop exits 0');
      assert.equal(ourTable(bench.a), undefined, 'no table after stop');
    } finally {
      await bench.cleanup();
    }
  });
}

test('IPv6 no_accept: neighbour discovery still resolves the VIP, everything else to it is dropped', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'ping', 'nft')) return;
  const bench = new Bench(6);
  try {
    tcpService(bench.a);
    const d = bench.start('vipkeeper', 'a', confText({ ...V3, family: 6, accept: false }, 'a', 150));
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 0, VIP6), `the only daemon becomes master\n${d.output().slice(-3000)}`);
    assert.ok(await waitFor(() => ourTable(bench.a)?.includes(VIP6) === true, 5000), 'table with the IPv6 VIP installed');
    assert.ok(await waitFor(() => tcpFromClient(bench, ADDR6.a) === 'hello', 5000), 'the TCP service answers on the primary address');
    assert.equal(pings(bench, VIP6), false, 'the VIP does not answer ping6');
    assert.equal(tcpFromClient(bench, VIP6), 'timeout', 'TCP to the VIP is dropped');
    // Forget what the takeover's unsolicited NAs taught the client: it must solicit now, and the
    // master's Neighbour Advertisement (source: the VIP) must pass the output chain.
    bench.client.run('ip', '-6', 'neigh', 'flush', 'to', VIP6);
    assert.equal(bench.clientNeighbour(VIP6), bench.a.mac, 'ND passed: the client resolved the VIP to the master');
    assert.equal(await d.stop(), 0);
    assert.equal(ourTable(bench.a), undefined, 'no table after stop');
  } finally {
    await bench.cleanup();
  }
});

test('vrrp_strict on both sides: vipkeeper (higher) and keepalived elect, fail over and hand back; each filters its VIP', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip', 'ping', 'nft')) return;
  const o: ConfOpts = { ...V3, strict: true };
  const bench = new Bench();
  try {
    tcpService(bench.a);
    tcpService(bench.b);
    const lo = bench.start('keepalived', 'b', confText(o, 'b', 100));
    const hi = bench.start('vipkeeper', 'a', confText(o, 'a', 200));
    const dump = () => `--- vipkeeper (a)\n${hi.output().slice(-3000)}\n--- keepalived (b)\n${lo.output().slice(-3000)}`;
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 600), `vipkeeper (higher) holds the VIP alone\n${dump()}`);
    assert.ok(await waitFor(() => ourTable(bench.a)?.includes(VIP) === true, 5000), 'our table filters the VIP');
    assert.equal(tcpFromClient(bench, VIP), 'timeout', 'the master drops TCP to the VIP');
    assert.equal(tcpFromClient(bench, ADDR.a), 'hello');

    bench.lan.setCable('a', false);
    assert.ok(await vipOnlyOn(bench, 'b', 10_000), `link cut: keepalived takes over\n${dump()}`);
    assert.equal(tcpFromClient(bench, VIP), 'timeout', 'keepalived under vrrp_strict drops it too');
    bench.lan.setCable('a', true);
    assert.ok(await vipOnlyOn(bench, 'a', 10_000, 600), `link back: vipkeeper preempts\n${dump()}`);

    assert.equal(await hi.stop(), 0, 'graceful stop exits 0');
    assert.ok(await vipOnlyOn(bench, 'b', 10_000), `graceful stop: keepalived takes over\n${dump()}`);
    assert.equal(ourTable(bench.a), undefined, 'our table is gone after stop');
    assert.equal(await lo.stop(), 0);
  } finally {
    await bench.cleanup();
  }
});

test('a failed nft call reports nft\'s own words', { timeout: 20_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'nft')) return;
  const bench = new Bench();
  try {
    const nft = new NftExec(['ip', 'netns', 'exec', bench.a.ns, 'nft']);
    const bad = { nftables: [{ add: { set: { family: 'inet', table: 'no-such-table', name: 's', type: 'ipv4_addr' } } }] };
    await assert.rejects(nft.apply(bad), /nft failed \(exit 1\): .*No such file or directory/);
    const missing = new NftExec(['/nonexistent/nft']);
    await assert.rejects(missing.apply(bad), /is not installed/);
  } finally {
    await bench.cleanup();
  }
});
