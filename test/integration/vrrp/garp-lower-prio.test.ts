// Gratuitous ARPs on the wire, for keepalived and for vipkeeper with the same configuration,
// captured with tcpdump in the client namespace:
// - a master hearing a lower-priority advert (one packet sent from the client, so counts are
//   exact): a garp_lower_prio_repeat burst at once and again after garp_lower_prio_delay, and one
//   run of notify_master_rx_lower_pri;
// - a takeover with two VIPs: the garp_master_repeat burst and the one after garp_master_delay.
// With vrrp_garp_interval the repeats of one address collapse (keepalived marks an address
// pending once): one VIP gives 2 ARPs per burst, two VIPs 3, an interval apart (garp-schedule.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordingScript } from '../../support/recorder.js';
import { needRoot } from '../../support/privileged.js';
import { parseEthernet, readPcap } from '../../support/pcap.js';
import { encodeVrrp } from '../../../src/codec/vrrp.js';
import { parseIP } from '../../../src/lib/ip.js';
import { ADDR, Bench, confText, sleep, VIP, vipOnlyOn, waitFor } from './support.js';

const INJECT = fileURLToPath(new URL('./garp-inject.ts', import.meta.url));
const GAP_MS = 200;
const DELAY_S = 2;
const REPEAT = 3;
const VIP2 = '10.9.0.101';

/** Capture time (ms) and address of each gratuitous ARP sent from `mac` (sender IP = target IP). */
function garps(pcap: string, mac: string): { ms: number; vip: string }[] {
  const macBytes = mac.split(':').map((h) => parseInt(h, 16)).join(',');
  const out: { ms: number; vip: string }[] = [];
  for (const r of readPcap(readFileSync(pcap))) {
    const f = parseEthernet(r.data);
    if (!f || f.etherType !== 0x0806 || [...f.src].join(',') !== macBytes) continue;
    const spa = [...f.payload.subarray(14, 18)].join('.');
    if (spa === [...f.payload.subarray(24, 28)].join('.')) out.push({ ms: r.tsUs / 1000, vip: spa });
  }
  return out;
}

/** Starts tcpdump for ARP on the client and waits until it listens. */
async function capture(bench: Bench, pcap: string): Promise<{ stop(): Promise<void> }> {
  const dump = bench.client.spawn('tcpdump', ['-i', 'eth0', '-n', '-U', '-s', '0', '-w', pcap, 'arp']);
  let err = '';
  dump.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  assert.ok(await waitFor(() => /listening on/.test(err), 5000), `tcpdump did not start: ${err}`);
  return {
    async stop() {
      dump.kill('SIGINT');
      await waitFor(() => dump.exitCode !== null || dump.signalCode !== null, 3000);
    },
  };
}

/** Both bursts: `perBurst` ARPs each, GAP_MS apart, the second starting about DELAY_S later. */
function checkBursts(g: { ms: number }[], perBurst: number, detail: string): void {
  assert.equal(g.length, 2 * perBurst, detail);
  for (const burst of [g.slice(0, perBurst), g.slice(perBurst)]) {
    for (let i = 1; i < burst.length; i++) {
      const gap = burst[i]!.ms - burst[i - 1]!.ms;
      assert.ok(gap >= GAP_MS * 0.75 && gap <= GAP_MS * 3, `gap ${gap.toFixed(1)} ms in a burst; ${detail}`);
    }
  }
  const second = g[perBurst]!.ms - g[0]!.ms;
  assert.ok(second >= DELAY_S * 1000 * 0.9 && second <= DELAY_S * 1000 + 1500, `second burst ${second.toFixed(0)} ms after the first; ${detail}`);
}

const withInterval = (text: string): string =>
  text.replace('  enable_script_security\n', `  enable_script_security\n  vrrp_garp_interval ${GAP_MS / 1000}\n`);

for (const kind of ['keepalived', 'vipkeeper'] as const) {
  test(`${kind} master hearing a lower priority: 2 ARPs ${GAP_MS} ms apart (repeat ${REPEAT}), again after ${DELAY_S} s, notify_master_rx_lower_pri once`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived', 'tcpdump')) return;
    const bench = new Bench();
    try {
      const { script, log, lines: rxLines } = recordingScript(bench.dir, 'rx');
      const text = withInterval(confText({ version: 2, garpDelay: 0 }, 'a', 200)).replace('  virtual_ipaddress {', [
        '  garp_master_repeat 1', `  garp_lower_prio_repeat ${REPEAT}`, `  garp_lower_prio_delay ${DELAY_S}`,
        `  notify_master_rx_lower_pri "${script} lowerpri"`, '  virtual_ipaddress {',
      ].join('\n'));
      const d = bench.start(kind, 'a', text);
      assert.ok(await vipOnlyOn(bench, 'a', 10_000), d.output().slice(-2000));
      await sleep(1500); // the takeover ARP (repeat 1, no second burst) is over
      const pcap = join(bench.dir, 'arp.pcap');
      const cap = await capture(bench, pcap);
      const advert = encodeVrrp({ version: 2, vrid: 51, priority: 50, interval: 1, addresses: [parseIP(VIP).addr] });
      bench.client.run(process.execPath, '--import', 'tsx', INJECT, ADDR.client, advert.toString('hex'));
      await sleep(DELAY_S * 1000 + REPEAT * GAP_MS + 1500);
      await cap.stop();
      const g = garps(pcap, bench.a.mac).filter((x) => x.vip === VIP);
      const seen = g.map((x) => Math.round(x.ms - g[0]!.ms)).join(', ');
      t.diagnostic(`${kind}: ARPs at ${seen} ms`);
      checkBursts(g, 2, `${kind}: ARPs at ${seen} ms\n${d.output().slice(-1500)}`);
      assert.ok(await waitFor(() => existsSync(log), 3000), `notify_master_rx_lower_pri never ran\n${d.output().slice(-1500)}`);
      assert.deepEqual(rxLines(), ['lowerpri'], 'run once, with its own argument only');
      assert.ok(bench.hasVip('a'), 'still master');
    } finally { await bench.cleanup(); }
  });

  test(`${kind} takeover with two VIPs, repeat ${REPEAT}, vrrp_garp_interval: 3 ARPs ${GAP_MS} ms apart, again after garp_master_delay`, { timeout: 60_000 }, async (t) => {
    if (!needRoot(t, 'keepalived', 'tcpdump')) return;
    const bench = new Bench();
    try {
      const pcap = join(bench.dir, 'arp.pcap');
      const cap = await capture(bench, pcap);
      const text = withInterval(confText({ version: 2, garpDelay: DELAY_S }, 'a', 200))
        .replace(`    ${VIP}/24\n`, `    ${VIP}/24\n    ${VIP2}/24\n`)
        .replace('  virtual_ipaddress {', `  garp_master_repeat ${REPEAT}\n  virtual_ipaddress {`);
      const d = bench.start(kind, 'a', text);
      assert.ok(await vipOnlyOn(bench, 'a', 10_000), d.output().slice(-2000));
      await sleep(DELAY_S * 1000 + 4 * GAP_MS + 1500);
      await cap.stop();
      const g = garps(pcap, bench.a.mac).filter((x) => x.vip === VIP || x.vip === VIP2);
      const seen = g.map((x) => `${x.vip}@${Math.round(x.ms - g[0]!.ms)}`).join(', ');
      t.diagnostic(`${kind}: ${seen}`);
      // The first address at once, then each address once more from the pending set, in list order.
      assert.deepEqual(g.map((x) => x.vip), [VIP, VIP, VIP2, VIP, VIP, VIP2], `${seen}\n${d.output().slice(-1500)}`);
      checkBursts(g, 3, seen);
    } finally { await bench.cleanup(); }
  });
}
