// vipkeeper against the Debian keepalived on a namespace LAN: election, failover on link cut and
// graceful stop in both directions, for VRRPv2 and v3, multicast and unicast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot } from '../../support/privileged.js';
import { Bench, confText, vipOnlyOn, waitFor, type ConfOpts, type Daemon } from './support.js';

const HIGH = 200, LOW = 100;

for (const version of [2, 3] as const) {
  for (const unicast of [false, true]) {
    for (const highKind of ['vipkeeper', 'keepalived'] as const) {
      const lowKind = highKind === 'vipkeeper' ? 'keepalived' : 'vipkeeper';
      const mode = unicast ? 'unicast' : 'multicast';
      test(`v${version} ${mode}: ${highKind} (higher) vs ${lowKind}: election, link cut, graceful stop`, { timeout: 120_000 }, async (t) => {
        if (!needRoot(t, 'keepalived', 'ip', 'ping')) return;
        const o: ConfOpts = { version, unicast };
        const bench = new Bench();
        // Master-down waits: v2 about 3 s at advert_int 1, v3 about 0.35 s at 0.1; allow plenty.
        const wait = version === 2 ? 10_000 : 5_000;
        const hold = version === 2 ? 2500 : 600;
        let hi: Daemon | undefined;
        try {
          const lo = bench.start(lowKind, 'b', confText(o, 'b', LOW));
          hi = bench.start(highKind, 'a', confText(o, 'a', HIGH));
          const dump = () => `--- ${hi!.kind} (a)\n${hi!.output().slice(-3000)}\n--- ${lo.kind} (b)\n${lo.output().slice(-3000)}`;
          assert.ok(await vipOnlyOn(bench, 'a', wait + 5000, hold), `the higher priority holds the VIP alone\n${dump()}`);
          assert.ok(await waitFor(() => bench.clientNeighbour() === bench.a.mac, wait), 'client reaches the VIP at the master MAC');

          bench.lan.setCable('a', false);
          assert.ok(await vipOnlyOn(bench, 'b', wait), `link cut: the lower takes over, the cut node drops the VIP\n${dump()}`);
          assert.ok(await waitFor(() => bench.clientNeighbour() === bench.b.mac, wait), 'client follows to the new master');

          bench.lan.setCable('a', true);
          assert.ok(await vipOnlyOn(bench, 'a', wait, hold), `link back: the higher preempts\n${dump()}`);
          assert.ok(await waitFor(() => bench.clientNeighbour() === bench.a.mac, wait), 'client back on the higher');

          assert.equal(await hi.stop(), 0, 'graceful stop exits 0');
          assert.ok(await vipOnlyOn(bench, 'b', wait), `graceful stop: the lower takes over\n${dump()}`);
          assert.ok(await waitFor(() => bench.clientNeighbour() === bench.b.mac, wait), 'client follows after a graceful stop');
          assert.equal(await lo.stop(), 0);
          assert.ok(!bench.hasVip('b'), 'a stopped daemon leaves no VIP');
        } finally {
          await bench.cleanup();
        }
      });
    }
  }
}
