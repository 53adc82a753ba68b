// Gratuitous ARP pacing per interface across instances, on the wire, for keepalived 2.2.7 and for
// vipkeeper with the same file: two instances on one interface take over together with
// vrrp_garp_interval and garp_master_repeat 3. keepalived keeps one "next ARP" time per interface,
// so the two instances' ARPs share the spacing: 3 ARPs (one now, the pending one of each address
// an interval apart), never two within an interval; paced per instance they would be 4, in pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpdumpLines } from '../../support/recorder.js';
import { needRoot } from '../../support/privileged.js';
import { Bench, confText, sleep, VIP, vipOnlyOn } from './support.js';

const GAP_MS = 300;
const VIP2 = '10.9.0.101';

/** Gratuitous ARPs (who-has X tell X) from `mac`, read from tcpdump -e as they arrive. */
async function capture(bench: Bench, mac: string): Promise<{ garps: { ms: number; vip: string }[]; raw: string[]; stop(): void }> {
  const garps: { ms: number; vip: string }[] = [];
  const raw: string[] = [];
  const dump = await tcpdumpLines(bench.client, ['-i', 'eth0', '-e', 'arp'], (l) => {
    // keepalived's target MAC is broadcast, which tcpdump prints after the address.
    const m = /^(\d+\.\d+) (\S+) > .*who-has (\S+)(?: \([^)]*\))? tell (\S+),/.exec(l);
    raw.push(l);
    if (m && m[2]!.toLowerCase() === mac.toLowerCase() && m[3] === m[4]) garps.push({ ms: Number(m[1]) * 1000, vip: m[3]! });
  });
  return { garps, raw, stop: dump.stop };
}

/** VI_1 (VIP) and VI_2 (VIP2) on eth0, same timers, so they take over within milliseconds. */
function twoInstances(): string {
  const one = confText({ version: 2, garpDelay: 0 }, 'a', 200)
    .replace('  enable_script_security\n', `  enable_script_security\n  vrrp_garp_interval ${GAP_MS / 1000}\n`)
    .replace('  state BACKUP\n', '  state MASTER\n')
    .replace('  virtual_ipaddress {', '  garp_master_repeat 3\n  virtual_ipaddress {');
  const inst = one.slice(one.indexOf('vrrp_instance'));
  const second = inst.replace('VI_1', 'VI_2').replace('virtual_router_id 51', 'virtual_router_id 52').replace(`${VIP}/24`, `${VIP2}/24`);
  return one + second;
}

for (const kind of ['keepalived', 'vipkeeper'] as const) {
  test(`${kind}: two instances on one interface, vrrp_garp_interval ${GAP_MS} ms, repeat 3: 3 ARPs an interval apart`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived', 'tcpdump')) return;
    const bench = new Bench();
    try {
      const cap = await capture(bench, bench.a.mac);
      const d = bench.start(kind, 'a', twoInstances());
      assert.ok(await vipOnlyOn(bench, 'a', 15_000), d.output().slice(-2000));
      assert.ok(await vipOnlyOn(bench, 'a', 5000, 0, VIP2), d.output().slice(-2000));
      await sleep(GAP_MS * 6 + 1000);
      cap.stop();
      const g = cap.garps;
      const seen = g.map((x) => `${x.vip}@${Math.round(x.ms - g[0]!.ms)}`).join(', ');
      t.diagnostic(`${kind}: ${seen}`);
      assert.equal(g.length, 3, `${seen}\n${cap.raw.join('\n')}\n${d.output().slice(-1500)}`);
      assert.deepEqual(new Set(g.map((x) => x.vip)), new Set([VIP, VIP2]), seen);
      for (let i = 1; i < g.length; i++) {
        const gap = g[i]!.ms - g[i - 1]!.ms;
        assert.ok(gap >= GAP_MS * 0.75 && gap <= GAP_MS * 3, `gap ${gap.toFixed(1)} ms: ${seen}`);
      }
    } finally { await bench.cleanup(); }
  });
}
