// SIGHUP without disturbance, against a keepalived peer, watched from a third host: vipkeeper (a)
// is master at advert_int 1, keepalived (b) backup. Every kind of in-place change is applied in
// turn; over the whole run the master's adverts never pause longer than 1.5 x advert_int, its VIP
// is never deleted (ip monitor), and the peer never advertises. A wire-identity change restarts
// exactly that instance; a broken file and a file whose new instance cannot open its socket
// change nothing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Bench, confText, sleep, vipOnlyOn, waitFor, ADDR, VIP, type Daemon } from './support.js';
import { AddressMonitor, Capture, longestGap } from './watch.js';

const ADVERT_MS = 1000;
const GAP_BOUND_MS = 1.5 * ADVERT_MS;

interface Shape {
  prio?: number; notify?: string; extra?: string[]; advert?: number;
  vi2?: number | undefined; globalExtra?: string[]; tail?: string;
}

/** vipkeeper's file: confText's VI_1 with the shape's changes, and optionally VI_2. */
function shape(s: Shape): string {
  let text = confText({ version: 3, advertInt: s.advert ?? 1 }, 'a', s.prio ?? 150);
  const inVi1 = [...(s.notify ? [`  notify_master ${s.notify}`] : []), ...(s.extra ?? [])];
  text = text.replace('  virtual_ipaddress {', `${inVi1.join('\n')}\n  virtual_ipaddress {`);
  if (s.globalExtra) text = text.replace('global_defs {', `global_defs {\n${s.globalExtra.join('\n')}`);
  if (s.vi2 !== undefined) {
    text += `vrrp_instance VI_2 {\n  state BACKUP\n  interface eth0\n  virtual_router_id ${s.vi2}\n  priority 150\n  advert_int 1\n  virtual_ipaddress {\n    10.9.0.101/24\n  }\n}\n`;
  }
  return text + (s.tail ?? '');
}

class Reloader {
  readonly file: string;
  private n = 0;
  // The daemon re-reads the file it was started with: Bench names it after the start order.
  constructor(private d: Daemon, dir: string) { this.file = join(dir, 'vipkeeper-a-1.conf'); }
  /** Writes the file, sends SIGHUP and waits for the daemon's verdict line. */
  async apply(text: string, expect: RegExp = /configuration reloaded/): Promise<string> {
    writeFileSync(this.file, text);
    const before = this.d.output().length;
    this.n++;
    this.d.proc.kill('SIGHUP');
    const seen = () => this.d.output().slice(before).split('\n').find((l) => expect.test(l) || /reload refused|keeping the running/.test(l));
    assert.ok(await waitFor(() => seen() !== undefined, 10_000), `reload ${this.n}: no verdict\n${this.d.output().slice(-3000)}`);
    const line = seen()!;
    assert.match(line, expect, `reload ${this.n}`);
    return line;
  }
}

async function scenario(t: TestContext, body: (x: { bench: Bench; a: Daemon; b: Daemon; reload: Reloader }) => Promise<void>): Promise<void> {
  if (!needRoot(t, 'keepalived', 'ip', 'tcpdump')) return;
  const bench = new Bench();
  let monitor: AddressMonitor | undefined;
  try {
    // vipkeeper first, so that keepalived starts as a backup that hears a master at once.
    const a = bench.start('vipkeeper', 'a', shape({ notify: '/bin/true' }));
    assert.ok(await waitFor(() => bench.hasVip('a'), 15_000), `vipkeeper holds the VIP\n${a.output().slice(-2000)}`);
    const b = bench.start('keepalived', 'b', confText({ version: 3, advertInt: 1 }, 'b', 100));
    assert.ok(await waitFor(() => /Entering BACKUP STATE/.test(b.output()), 10_000), b.output().slice(-2000));
    assert.ok(await vipOnlyOn(bench, 'a', 5000, 1500));
    const bFrom = b.output().length;
    const cap = new Capture(bench.client, bench.dir);
    await cap.started();
    monitor = new AddressMonitor(bench.a, VIP);
    await sleep(1500);
    const reload = new Reloader(a, bench.dir);
    await body({ bench, a, b, reload });
    await sleep(1500);
    const adverts = await cap.stop();
    const mine = adverts.filter((x) => x.src === ADDR.a && x.vrid === 51);
    assert.ok(mine.length >= 5, `adverts captured: ${mine.length}`);
    const gap = longestGap(adverts, ADDR.a, 51);
    assert.ok(gap.gapMs <= GAP_BOUND_MS, `longest advert gap ${gap.gapMs.toFixed(0)} ms > ${GAP_BOUND_MS} ms`);
    assert.deepEqual(adverts.filter((x) => x.src === ADDR.b), [], 'the keepalived peer never advertised');
    assert.ok(!mine.some((x) => x.priority === 0), 'no priority-0 advert for VI_1');
    assert.deepEqual(monitor.deletions(), [], 'the VIP never left the master');
    assert.ok(!/"instance":"VI_1"[^\n]*"from":"MASTER"/.test(a.output()), 'VI_1 never left MASTER');
    assert.ok(!/Entering MASTER STATE/.test(b.output().slice(bFrom)), `keepalived never became master\n${b.output().slice(-2000)}`);
    t.diagnostic(`adverts ${mine.length}, longest gap ${gap.gapMs.toFixed(0)} ms`);
    assert.equal(await a.stop(), 0);
  } finally {
    monitor?.stop();
    await bench.cleanup();
  }
}

test('SIGHUP applies every kind of in-place change with no advert gap, no VIP move, no peer takeover', { timeout: 180_000 }, async (t) => {
  await scenario(t, async ({ bench, a, reload }) => {
    // The probe: notify_master path, priority 150 -> 160 and a second instance.
    let line = await reload.apply(shape({ prio: 160, notify: '"/bin/echo changed"', vi2: 52 }));
    assert.match(line, /"updated":\["VI_1"\]/);
    assert.match(line, /"started":\["VI_2"\]/);
    assert.ok(await waitFor(() => bench.hasVip('a', '10.9.0.101'), 8000), 'VI_2 becomes master');
    await sleep(2000);
    // preempt settings
    line = await reload.apply(shape({ prio: 160, notify: '"/bin/echo changed"', vi2: 52, extra: ['  preempt_delay 3'] }));
    assert.match(line, /"updated":\["VI_1"\]/);
    await sleep(2000);
    // VIPs: one added (and announced), then removed again; the first never moves. The added one
    // is excluded from the advert, so the keepalived peer's own list still matches the packets.
    line = await reload.apply(shape({ prio: 160, vi2: 52, extra: ['  virtual_ipaddress_excluded {', '    10.9.0.102/24', '  }'] }));
    assert.ok(await waitFor(() => bench.hasVip('a', '10.9.0.102'), 5000), 'the added VIP is on the master');
    await sleep(2000);
    await reload.apply(shape({ prio: 160, vi2: 52 }));
    assert.ok(await waitFor(() => !bench.hasVip('a', '10.9.0.102'), 5000), 'the removed VIP is gone');
    await sleep(2000);
    // tracking: a vrrp_script with a weight
    const script = ['vrrp_script chk {', '  script "/bin/true"', '  interval 1', '  weight 5', '}', ''].join('\n');
    line = await reload.apply(shape({ prio: 160, vi2: 52, extra: ['  track_script {', '    chk', '  }'], tail: script }));
    assert.match(line, /"updated":\["VI_1"\]/);
    assert.ok(await waitFor(() => /"instance":"VI_1"[^\n]*"priority":165[^\n]*effective priority changed/.test(a.output()), 8000), 'the script\'s weight applies');
    await sleep(2000);
    // GARP timings and the advert interval
    await reload.apply(shape({ prio: 160, vi2: 52, extra: ['  garp_master_refresh 10', '  garp_master_repeat 2'] }));
    await sleep(2000);
    await reload.apply(shape({ prio: 160, vi2: 52, advert: 0.8 }));
    await sleep(2500);
    // A wire-identity change (VI_2's VRID) restarts exactly VI_2.
    line = await reload.apply(shape({ prio: 160, vi2: 53, advert: 0.8 }));
    assert.match(line, /"restarted":\["VI_2"\]/);
    assert.match(line, /"kept":\["VI_1"\]/);
    assert.ok(await waitFor(() => bench.hasVip('a', '10.9.0.101'), 8000), 'the restarted VI_2 takes its VIP again');
  });
});

test('SIGHUP with a broken file, or one whose new instance cannot open its socket, changes nothing', { timeout: 120_000 }, async (t) => {
  await scenario(t, async ({ bench, a, reload }) => {
    await reload.apply(`${shape({ prio: 170 })}vrrp_instance BROKEN {\n  interface eth0\n  virtual_router_id 999\n}\n`, /keeping the running configuration/);
    await sleep(2500);
    // Two unicast instances may share VRID 60 on eth0 with disjoint peers (the config allows it),
    // but the socket layer demultiplexes by VRID: the second one cannot open its transport.
    const uni = (name: string, peer: string, vip: string) => `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id 60\n  priority 150\n  advert_int 1\n  unicast_src_ip ${ADDR.a}\n  unicast_peer {\n    ${peer}\n  }\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;
    const line = await reload.apply(shape({ prio: 170 }) + uni('U1', ADDR.b, '10.9.0.110/24') + uni('U2', ADDR.client, '10.9.0.111/24'), /reload refused, keeping the running configuration/);
    assert.match(line, /U2/);
    await sleep(2500);
    assert.ok(!bench.hasVip('a', '10.9.0.110') && !bench.hasVip('a', '10.9.0.111'), 'nothing of the refused file runs');
    assert.ok(!/"priority":170/.test(a.output()), 'the running priority was kept');
  });
});
