// Load benchmarks for the VRRP daemons, keepalived and vipkeeper side by side:
//  1. stability: a keepalived pair and a vipkeeper pair at advert_int 0.01 (VRRPv3) on one LAN for
//     S seconds with both cores busy (stress-ng); any advertisement from a backup is a spurious
//     takeover (counted as bursts on a capture host);
//  2. cost: CPU time and RSS of master and backup for 1 and 50 instances at advert_int 0.01.
// Prints numbers; asserts nothing. Run (root): node --import tsx bench/load.ts [stress s] [sample s]
import { ADDR, Lab, conf, fmt, sleep, usage, waitFor, type Daemon, type Kind } from './failover-lab.js';

const stressS = Number(process.argv[2] ?? 60);
const sampleS = Number(process.argv[3] ?? 20);
const vipOf = (vrid: number) => `10.9.${1 + Math.floor(vrid / 250)}.${vrid % 250}`;

/** Takeover bursts by the backup of a VRID: runs of its adverts separated by > 100 ms of silence. */
function bursts(lab: Lab, vrid: number, from: number): number {
  let n = 0, last = -Infinity;
  for (const a of lab.adverts) {
    if (a.t < from || a.vrid !== vrid || a.src !== ADDR.b || a.prio === 0) continue;
    if (a.t - last > 100) n++;
    last = a.t;
  }
  return n;
}

/** One pair alone on its LAN for stressS seconds with stress-ng on both cores. */
async function stability(kind: Kind): Promise<void> {
  const lab = new Lab();
  const vrid = 51;
  try {
    await lab.capture();
    lab.start(kind, 'b', conf({ version: 3, advertInt: 0.01, priority: 100, vridBase: vrid }));
    const a = lab.start(kind, 'a', conf({ version: 3, advertInt: 0.01, priority: 200, vridBase: vrid }));
    const ok = await waitFor(() => lab.hasVip('a', vipOf(vrid)) && !lab.hasVip('b', vipOf(vrid)), 20_000);
    if (!ok) throw new Error(`${kind}: pair did not settle\n${a.output()}`);
    await sleep(1000);
    const from = Date.now();
    const t0 = lab.adverts.length;
    const stress = lab.cap.spawn('stress-ng', ['--cpu', '2', '--timeout', `${stressS}s`, '--quiet']);
    await new Promise((r) => stress.once('exit', r));
    const fromA = lab.adverts.slice(t0).filter((x) => x.vrid === vrid && x.src === ADDR.a);
    const gaps = fromA.slice(1).map((x, i) => x.t - fromA[i]!.t);
    const maxGap = gaps.length ? Math.max(...gaps) : NaN;
    console.log(`  ${kind.padEnd(10)} spurious takeovers by the backup: ${bursts(lab, vrid, from)}   master adverts: ${fromA.length} (expected ~${stressS * 100})   gaps > Master_Down_Interval (36.09 ms): ${gaps.filter((g) => g > 36.09).length}   longest gap: ${fmt(maxGap)} ms`);
  } finally { await lab.close(); }
}

async function cost(kind: Kind, instances: number): Promise<{ master: { cpu: number; rss: number }; backup: { cpu: number; rss: number } }> {
  const lab = new Lab();
  try {
    const b = lab.start(kind, 'b', conf({ version: 3, advertInt: 0.01, priority: 100, instances, vridBase: 1 }));
    const a = lab.start(kind, 'a', conf({ version: 3, advertInt: 0.01, priority: 200, instances, vridBase: 1 }));
    const all = Array.from({ length: instances }, (_, i) => vipOf(i + 1));
    const ok = await waitFor(() => all.every((v) => lab.hasVip('a', v)) && !all.some((v) => lab.hasVip('b', v)), 30_000, 200);
    if (!ok) throw new Error(`${kind} x${instances}: did not settle\n${a.output().slice(-2000)}`);
    await sleep(2000);
    const s = (d: Daemon) => usage(d.pids());
    const a0 = s(a), b0 = s(b);
    await sleep(sampleS * 1000);
    const a1 = s(a), b1 = s(b);
    return {
      master: { cpu: (a1.cpuS - a0.cpuS) / sampleS * 100, rss: a1.rssKb / 1024 },
      backup: { cpu: (b1.cpuS - b0.cpuS) / sampleS * 100, rss: b1.rssKb / 1024 },
    };
  } finally { await lab.close(); }
}

if (stressS > 0 && process.env.ONLY !== 'cost') {
  console.log(`stability: ${stressS} s per daemon pair at advert_int 0.01 (VRRPv3) with stress-ng --cpu 2 (both cores busy); daemons with their default settings`);
  for (const kind of ['keepalived', 'vipkeeper'] as const) await stability(kind);
}
if (sampleS > 0 && process.env.ONLY !== 'stability') {
  console.log(`cost at advert_int 0.01 (VRRPv3), CPU over ${sampleS} s as % of one core, RSS in MiB (keepalived: parent + VRRP child)`);
  const kinds = (process.env.KINDS ?? 'keepalived,vipkeeper').split(',') as Kind[];
  for (const n of (process.env.COUNTS ?? '1,50').split(',').map(Number)) {
    for (const kind of kinds) {
      let r;
      try { r = await cost(kind, n); } catch (e) {
        console.log(`  ${kind.padEnd(10)} ${String(n).padStart(2)} instance(s)  did not settle: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      console.log(`  ${kind.padEnd(10)} ${String(n).padStart(2)} instance(s)  master CPU ${fmt(r.master.cpu, 1).padStart(5)} %  RSS ${fmt(r.master.rss, 1).padStart(6)}   backup CPU ${fmt(r.backup.cpu, 1).padStart(5)} %  RSS ${fmt(r.backup.rss, 1).padStart(6)}`);
    }
  }
}
