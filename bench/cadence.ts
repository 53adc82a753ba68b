// Advert cadence: does a master send as many advertisements as its interval promises? keepalived
// and vipkeeper run at the same time on one namespace LAN, each the only master of its own VRID
// (keepalived on host a, VRID 51; vipkeeper on host b, VRID 52) at advert_int 0.01 (VRRPv3), and
// tcpdump on a third host timestamps every advertisement. Over a fixed window of S seconds the
// nominal count is S / 0.01; a master that re-arms its timer from the time it fired drifts by the
// timer's lateness each advert and falls short, one on an absolute schedule does not.
// Prints counts, % of nominal and the interval distribution; asserts nothing.
//
// Run (root): node --import tsx bench/cadence.ts [window s = 60] [repeats = 1]
//   VK_BUILD=DIR, VK_NODE_OPTIONS: as in bench/idle.ts
import { distBin } from '../test/support/directors.js';
import { ADDR, Lab, conf, fmt, median, sleep, waitFor, type Advert, type Kind } from './failover-lab.js';

const windowS = Number(process.argv[2] ?? 60);
const repeats = Number(process.argv[3] ?? 1);
const INTERVAL_MS = 10;

if (process.env.VK_BUILD) { process.chdir(process.env.VK_BUILD); process.env.VK_DIST = '1'; }
if (process.env.VK_NODE_OPTIONS) process.env.NODE_OPTIONS = process.env.VK_NODE_OPTIONS;

const sides: { kind: Kind; who: 'a' | 'b'; vrid: number }[] = [
  { kind: 'keepalived', who: 'a', vrid: 51 },
  { kind: 'vipkeeper', who: 'b', vrid: 52 },
];

interface Cadence { count: number; pct: number; p50: number; p99: number; max: number; late: number }

function cadence(ads: Advert[], src: string, vrid: number, from: number, to: number): Cadence {
  const ts = ads.filter((x) => x.src === src && x.vrid === vrid && x.prio > 0 && x.t >= from && x.t < to).map((x) => x.t);
  const gaps = ts.slice(1).map((t, i) => t - ts[i]!).sort((x, y) => x - y);
  const q = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] ?? NaN;
  const nominal = (to - from) / INTERVAL_MS;
  return {
    count: ts.length, pct: ts.length / nominal * 100, p50: median(gaps), p99: q(0.99), max: gaps.at(-1) ?? NaN,
    // Gaps of 1.5 intervals or more: adverts a backup would have missed.
    late: gaps.filter((g) => g >= 1.5 * INTERVAL_MS).length,
  };
}

async function once(): Promise<Map<Kind, Cadence>> {
  const lab = new Lab();
  try {
    await lab.capture();
    for (const s of sides) lab.start(s.kind, s.who, conf({ version: 3, advertInt: 0.01, priority: 200, vridBase: s.vrid }));
    const vip = (vrid: number) => `10.9.1.${vrid}`;
    const ok = await waitFor(() => sides.every((s) => lab.hasVip(s.who, vip(s.vrid))), 20_000, 100);
    if (!ok) throw new Error('the masters did not take their VIPs');
    await sleep(2000);
    // The window is on the capture host's clock: from the first advert seen after the warm-up.
    const mark = lab.adverts.length;
    await waitFor(() => lab.adverts.length > mark, 5000, 5);
    const from = lab.adverts[mark]!.t;
    await sleep(windowS * 1000 + 500);
    return new Map(sides.map((s) => [s.kind, cadence(lab.adverts, ADDR[s.who], s.vrid, from, from + windowS * 1000)]));
  } finally { await lab.close(); }
}

console.log(`advert cadence at advert_int 0.01 (VRRPv3), both masters at once, ${windowS} s window seen by tcpdump on a third host; nominal ${windowS * 1000 / INTERVAL_MS} adverts`);
console.log(`vipkeeper: ${process.env.VK_BUILD ? distBin(process.env.VK_BUILD) : 'src/cli.ts through tsx'}`);
const runs: Map<Kind, Cadence>[] = [];
for (let r = 0; r < repeats; r++) {
  const m = await once();
  runs.push(m);
  for (const s of sides) {
    const c = m.get(s.kind)!;
    console.log(`  run ${r + 1} ${s.kind.padEnd(10)} adverts ${String(c.count).padStart(6)}  ${fmt(c.pct, 2).padStart(6)} % of nominal   interval p50 ${fmt(c.p50, 3)} ms  p99 ${fmt(c.p99, 3)}  max ${fmt(c.max, 1)}   gaps >= 15 ms: ${c.late}`);
  }
}
const med = (k: Kind, f: keyof Cadence) => median(runs.map((m) => m.get(k)![f]));
console.log(`  median   keepalived ${fmt(med('keepalived', 'pct'), 2)} %   vipkeeper ${fmt(med('vipkeeper', 'pct'), 2)} %   ratio vipkeeper/keepalived ${fmt(med('vipkeeper', 'count') / med('keepalived', 'count'), 4)}`);
