// Failover overhead, keepalived and vipkeeper side by side in the same run (VRRPv3 multicast).
// A pair of the same daemon (master priority 200 on a, backup 100 on b) runs on a namespace LAN;
// tcpdump on a third host timestamps every advertisement. Per trial:
//   link cut:      first advert of b - last advert of a before it - Master_Down_Interval(b)
//   graceful stop: first advert of b - a's priority-0 advert       - Skew_Time(b)
// Prints medians and percentiles; asserts nothing (machines are noisy).
// Run (root): node --import tsx bench/failover.ts [trials at 1 s] [trials at 0.01 s]
//   VK_BUILD=DIR  run DIR's build (its bin, as bench/idle.ts does) instead of the sources through tsx
//   KINDS=keepalived,vipkeeper  which daemons to run
import { masterDownIntervalMs, skewTimeMs } from '../src/vrrp/timers.js';
import { ADDR, Lab, conf, fmt, median, sleep, waitFor, type Advert, type Kind } from './failover-lab.js';

const trials1 = Number(process.argv[2] ?? 5);
const trials001 = Number(process.argv[3] ?? 20);
const VIP = '10.9.1.51';

interface Result { kind: Kind; interval: number; linkCut: number[]; graceful: number[] }

function firstFrom(ads: Advert[], from: number, src: string, pred: (a: Advert) => boolean = () => true): number {
  for (let i = from; i < ads.length; i++) if (ads[i]!.src === src && pred(ads[i]!)) return i;
  return -1;
}

async function stableMaster(lab: Lab, intervalMs: number): Promise<boolean> {
  const ok = await waitFor(() => lab.hasVip('a', VIP) && !lab.hasVip('b', VIP), 20_000);
  if (!ok) return false;
  // b must have been silent for a few intervals (a clean BACKUP) before the next trial.
  return waitFor(() => {
    const lastB = [...lab.adverts].reverse().find((x) => x.src === ADDR.b);
    return !lastB || Date.now() - lastB.t > Math.max(300, 5 * intervalMs);
  }, 20_000);
}

async function runKind(kind: Kind, advertInt: number, trials: number): Promise<Result> {
  const lab = new Lab();
  const res: Result = { kind, interval: advertInt, linkCut: [], graceful: [] };
  const cs = Math.round(advertInt * 100);
  const mdi = masterDownIntervalMs(3, 100, cs);
  const skew = skewTimeMs(3, 100, cs);
  const waitMs = mdi * 3 + 5000;
  try {
    await lab.capture();
    lab.start(kind, 'b', conf({ version: 3, advertInt, priority: 100 }));
    let master = lab.start(kind, 'a', conf({ version: 3, advertInt, priority: 200 }));
    if (!(await stableMaster(lab, advertInt * 1000))) throw new Error(`${kind}: no stable master\n${master.output()}`);
    for (let i = 0; i < trials; i++) {
      // link cut
      let mark = lab.adverts.length;
      lab.lan.setCable('a', false);
      if (await waitFor(() => firstFrom(lab.adverts, mark, ADDR.b) >= 0, waitMs)) {
        const fb = firstFrom(lab.adverts, mark, ADDR.b);
        const lastA = lab.adverts.slice(0, fb).reverse().find((x) => x.src === ADDR.a && x.prio === 200);
        if (lastA) res.linkCut.push(lab.adverts[fb]!.t - lastA.t - mdi);
      } else process.stderr.write(`  ${kind}: link cut trial ${i}: no advert from b within ${waitMs} ms\n`);
      lab.lan.setCable('a', true);
      if (!(await stableMaster(lab, advertInt * 1000))) throw new Error(`${kind}: master did not come back after the cable`);
      // graceful stop
      mark = lab.adverts.length;
      await master.stop();
      if (await waitFor(() => firstFrom(lab.adverts, mark, ADDR.b) >= 0, waitMs)) {
        const fb = firstFrom(lab.adverts, mark, ADDR.b);
        const zero = firstFrom(lab.adverts, mark, ADDR.a, (x) => x.prio === 0);
        if (zero >= 0 && zero < fb) res.graceful.push(lab.adverts[fb]!.t - lab.adverts[zero]!.t - skew);
        else {
          const around = lab.adverts.slice(Math.max(0, mark - 3), fb + 3).map((x) => `${x.src.slice(-1)}:${x.prio}@${(x.t - lab.adverts[mark]!.t).toFixed(1)}`);
          process.stderr.write(`  ${kind}: graceful trial ${i}: no priority-0 advert before b's first (${around.join(' ')})\n`);
        }
      } else process.stderr.write(`  ${kind}: graceful trial ${i}: no advert from b within ${waitMs} ms\n`);
      master = lab.start(kind, 'a', conf({ version: 3, advertInt, priority: 200 }));
      if (!(await stableMaster(lab, advertInt * 1000))) throw new Error(`${kind}: restarted master did not take over`);
      await sleep(100);
    }
  } finally { await lab.close(); }
  return res;
}

function line(label: string, xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return `${label.padEnd(34)} n=${String(xs.length).padStart(2)}  median ${fmt(median(xs)).padStart(7)} ms  min ${fmt(s[0] ?? NaN).padStart(7)}  p90 ${fmt(p(0.9)).padStart(7)}  max ${fmt(s.at(-1) ?? NaN).padStart(7)}`;
}

const results: Result[] = [];
if (process.env.VK_BUILD) { process.chdir(process.env.VK_BUILD); process.env.VK_DIST = '1'; }
const kinds = (process.env.KINDS ?? 'keepalived,vipkeeper').split(',') as Kind[];
for (const [advertInt, n] of [[1, trials1], [0.01, trials001]] as const) {
  if (n <= 0) continue;
  for (const kind of kinds) {
    process.stderr.write(`running ${kind} at advert_int ${advertInt} (${n} trials)...\n`);
    results.push(await runKind(kind, advertInt, n));
  }
}
console.log('VRRPv3 failover overhead (capture on a third host; Master_Down_Interval / Skew_Time of the backup subtracted)');
for (const r of results) {
  console.log(line(`${r.kind} advert_int ${r.interval} link cut`, r.linkCut));
  console.log(line(`${r.kind} advert_int ${r.interval} graceful`, r.graceful));
}
