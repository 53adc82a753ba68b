// keepalived's advert variations on the wire, keepalived 2.2.7 and vipkeeper with the same file:
// one VRRP packet is injected from the client while `a` is master, and the adverts `a` sends
// are read from tcpdump in the client namespace.
// - lower_prio_no_advert off: a master answers a lower priority with an advert at once; on (or
//   vrrp_strict, which implies it): it stays silent until its next scheduled advert. Either way
//   notify_master_rx_lower_pri runs once, which shows the packet was taken as a lower priority.
// - higher_prio_send_advert on: a master losing to a higher priority sends one advert at its own
//   priority before it steps down; off: it steps down silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { recordingScript, tcpdumpLines } from '../../support/recorder.js';
import { needRoot } from '../../support/privileged.js';
import { encodeVrrp } from '../../../src/codec/vrrp.js';
import { parseIP } from '../../../src/lib/ip.js';
import { ADDR, Bench, confText, sleep, VIP, vipOnlyOn, waitFor } from './support.js';

const INJECT = fileURLToPath(new URL('./advert-inject.ts', import.meta.url));
const INTERVAL_MS = 2000;
const OWN = 200;

interface Advert { ms: number; src: string; prio: number }

/** tcpdump -l text capture of VRRP adverts on the client's eth0, parsed as they arrive. */
async function capture(bench: Bench): Promise<{ adverts: Advert[]; stop(): void }> {
  const adverts: Advert[] = [];
  const dump = await tcpdumpLines(bench.client, ['-i', 'eth0', 'ip proto 112'], (l) => {
    const m = /^(\d+\.\d+) IP (\S+) > 224\.0\.0\.18: VRRPv2, Advertisement, vrid \d+, prio (\d+)/.exec(l);
    if (m) adverts.push({ ms: Number(m[1]) * 1000, src: m[2]!, prio: Number(m[3]) });
  });
  return { adverts, stop: dump.stop };
}

/** The injector, started ahead (Node's start-up is slow on a busy machine). */
async function injector(bench: Bench): Promise<{ send(priority: number): Promise<void> }> {
  const p: ChildProcess = bench.client.spawn(process.execPath, ['--import', 'tsx', INJECT, ADDR.client], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  p.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  assert.ok(await waitFor(() => out.includes('ready'), 20_000), `injector did not start: ${err}`);
  return {
    async send(priority) {
      const n = out.split('sent').length;
      const pkt = encodeVrrp({ version: 2, vrid: 51, priority, interval: INTERVAL_MS / 1000, addresses: [parseIP(VIP).addr] });
      p.stdin!.write(`${pkt.toString('hex')}\n`);
      assert.ok(await waitFor(() => out.split('sent').length > n, 3000), `injector did not send: ${err}`);
    },
  };
}

interface Run { adverts: Advert[]; injectedMs: number; lastBeforeMs: number; output: string; rxLowerPri: string[]; stillMaster: boolean }

/** Starts `kind` as master on a, injects one advert of `priority` just after one of a's adverts. */
async function run(kind: 'keepalived' | 'vipkeeper', opts: { strict?: boolean; lines: string[] }, priority: number): Promise<Run> {
  const bench = new Bench();
  try {
    const { script, lines: rxLines } = recordingScript(bench.dir, 'rx');
    let text = confText({ version: 2, advertInt: INTERVAL_MS / 1000, garpDelay: 0, strict: opts.strict ?? false,
      instanceLines: [...opts.lines, `  notify_master_rx_lower_pri "${script} lowerpri"`] }, 'a', OWN);
    // state MASTER shortens the first wait; vrrp_strict allows it only to the owner.
    if (!opts.strict) text = text.replace('  state BACKUP\n', '  state MASTER\n');
    const inject = await injector(bench);
    const d = bench.start(kind, 'a', text);
    assert.ok(await vipOnlyOn(bench, 'a', 20_000), d.output().slice(-2000));
    const cap = await capture(bench);
    const own = () => cap.adverts.filter((a) => a.src === ADDR.a && a.prio === OWN);
    // Inject right after one of a's adverts, so its next scheduled one is an interval away.
    const seen = own().length;
    assert.ok(await waitFor(() => own().length > seen, INTERVAL_MS * 3), `no advert from a\n${d.output().slice(-1500)}`);
    await inject.send(priority);
    await sleep(INTERVAL_MS * 1.5);
    cap.stop();
    const injected = cap.adverts.find((a) => a.src === ADDR.client);
    assert.ok(injected, `the injected advert was not captured: ${JSON.stringify(cap.adverts)}`);
    const lastBefore = own().filter((a) => a.ms < injected.ms).at(-1)!;
    await sleep(300);
    const rxLowerPri = rxLines();
    return { adverts: [...cap.adverts], injectedMs: injected.ms, lastBeforeMs: lastBefore.ms, output: d.output().slice(-1500), rxLowerPri, stillMaster: bench.hasVip('a') };
  } finally { await bench.cleanup(); }
}

/** a's adverts after the injected one and before its next scheduled advert is due. */
function answers(r: Run, prio: number): Advert[] {
  const dueMs = r.lastBeforeMs + INTERVAL_MS;
  // A scheduled advert within this margin of the injection would look like an answer.
  assert.ok(r.injectedMs < dueMs - 600, `injected ${(r.injectedMs - r.lastBeforeMs).toFixed(0)} ms after a's advert: too late to tell`);
  return r.adverts.filter((a) => a.src === ADDR.a && a.prio === prio && a.ms > r.injectedMs && a.ms < dueMs - 300);
}

const describe = (r: Run): string =>
  `${r.adverts.map((a) => `${a.src}/${a.prio}@${(a.ms - r.injectedMs).toFixed(0)}`).join(' ')}\n${r.output}`;

const lowerCases = [
  { name: 'lower_prio_no_advert off', opts: { lines: ['  lower_prio_no_advert off'] }, answers: true },
  { name: 'lower_prio_no_advert on', opts: { lines: ['  lower_prio_no_advert on'] }, answers: false },
  { name: 'vrrp_strict (implies lower_prio_no_advert)', opts: { strict: true, lines: [] }, answers: false },
];

for (const kind of ['keepalived', 'vipkeeper'] as const) {
  for (const c of lowerCases) {
    test(`${kind} master hearing a lower priority, ${c.name}: ${c.answers ? 'answers with an advert at once' : 'no advert until the next one is due'}`, { timeout: 90_000 }, async (t) => {
      if (!needRoot(t, 'keepalived', 'tcpdump')) return;
      const r = await run(kind, c.opts, 50);
      const got = answers(r, OWN);
      t.diagnostic(`${kind} ${c.name}: ${describe(r).split('\n')[0]}`);
      if (c.answers) {
        assert.equal(got.length, 1, describe(r));
        assert.ok(got[0]!.ms - r.injectedMs < 500, `answered ${(got[0]!.ms - r.injectedMs).toFixed(0)} ms later\n${describe(r)}`);
      } else {
        assert.deepEqual(got, [], describe(r));
      }
      assert.deepEqual(r.rxLowerPri, ['lowerpri'], `the packet was taken as a lower priority once\n${describe(r)}`);
      assert.ok(r.stillMaster, 'still master');
    });
  }

  for (const on of [true, false]) {
    test(`${kind} master hearing a higher priority, higher_prio_send_advert ${on ? 'on: one advert at its own priority' : 'off: steps down silently'}`, { timeout: 90_000 }, async (t) => {
      if (!needRoot(t, 'keepalived', 'tcpdump')) return;
      const r = await run(kind, { lines: [`  higher_prio_send_advert ${on ? 'on' : 'off'}`] }, 250);
      t.diagnostic(`${kind} higher_prio_send_advert ${on}: ${describe(r).split('\n')[0]}`);
      assert.equal(answers(r, OWN).length, on ? 1 : 0, describe(r));
      assert.equal(r.stillMaster, false, `stepped down\n${describe(r)}`);
      assert.deepEqual(r.rxLowerPri, []);
    });
  }
}
