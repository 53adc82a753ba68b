// The idle daemon: what a VRRP director costs while nothing happens, keepalived and vipkeeper side
// by side in one run. A master (priority 200) and a backup (100) of the same daemon on a
// namespace LAN, 1 and 50 instances at advert_int 0.01 (VRRPv3): CPU share of the master and of
// the backup (utime + stime from /proc/PID/stat over a fixed window after warm-up, % of one core)
// and their RSS. The two kinds alternate within each repeat so both see the same background
// load; the figures are medians over the repeats. Asserts nothing (a shared, loaded machine).
//
// Run (root): node --import tsx bench/idle.ts [sample s = 20] [repeats = 3]
//   VK_BUILD=DIR     run DIR/dist/cli.cjs, the bin (a `tsc -p tsconfig.build.json --outDir DIR/dist` build
//                    with build/, package.json and node_modules beside it) instead of the sources
//                    through tsx, whose transpiler would be counted in the RSS
//   VK_RR=N          vipkeeper under SCHED_RR N as its systemd unit starts it (default 10; 0: the
//                    daemon switches itself with chrt, and loads node's child_process to do so)
//   VK_NODE_OPTIONS  NODE_OPTIONS for the daemons (e.g. "--max-semi-space-size=1 --lite-mode")
//   COUNTS=1,50  KINDS=keepalived,vipkeeper
import { existsSync } from 'node:fs';
import { distBin } from '../test/support/directors.js';
import { Lab, conf, fmt, median, sleep, usage, waitFor, type Kind } from './failover-lab.js';

const sampleS = Number(process.argv[2] ?? 20);
const repeats = Number(process.argv[3] ?? 3);
const WARMUP_MS = 3000;
const vipOf = (vrid: number) => `10.9.${1 + Math.floor(vrid / 250)}.${vrid % 250}`;

// Lab.start runs the build's bin in cwd when VK_DIST is set; a private build keeps this run independent
// of whatever the checkout's dist/ holds while others rebuild it.
if (process.env.VK_BUILD) { process.chdir(process.env.VK_BUILD); process.env.VK_DIST = '1'; }
if (process.env.VK_NODE_OPTIONS) process.env.NODE_OPTIONS = process.env.VK_NODE_OPTIONS;

interface Sample { masterCpu: number; masterRss: number; backupCpu: number; backupRss: number }

async function once(kind: Kind, instances: number): Promise<Sample> {
  const lab = new Lab();
  try {
    // The master first, the backup once it holds every VIP: 50 simultaneous preemptions on a loaded
    // machine can leave keepalived split (the backup keeping VIPs it should have given up).
    const all = Array.from({ length: instances }, (_, i) => vipOf(i + 1));
    const a = lab.start(kind, 'a', conf({ version: 3, advertInt: 0.01, priority: 200, instances, vridBase: 1 }));
    await waitFor(() => all.every((v) => lab.hasVip('a', v)), 30_000, 200);
    const b = lab.start(kind, 'b', conf({ version: 3, advertInt: 0.01, priority: 100, instances, vridBase: 1 }));
    await sleep(1000);
    const ok = await waitFor(() => all.every((v) => lab.hasVip('a', v)) && !all.some((v) => lab.hasVip('b', v)), 60_000, 200);
    if (!ok) throw new Error(`${kind} x${instances}: did not settle (VIPs on the master ${all.filter((v) => lab.hasVip('a', v)).length}, on the backup ${all.filter((v) => lab.hasVip('b', v)).length} of ${instances})\n${a.output().slice(-2000)}`);
    // Start-up work (module loading, JIT, the takeover) is over before the window opens.
    await sleep(WARMUP_MS);
    // One set of pids for both ends of the window (keepalived's VRRP child appears through its pid
    // file); a process gone by the end would make the difference meaningless.
    const pa = a.pids(), pb = b.pids();
    if (kind === 'keepalived' && (pa.length < 2 || pb.length < 2)) throw new Error(`${kind} x${instances}: no VRRP child pid`);
    const a0 = usage(pa), b0 = usage(pb);
    await sleep(sampleS * 1000);
    const a1 = usage(pa), b1 = usage(pb);
    if (a1.cpuS < a0.cpuS || b1.cpuS < b0.cpuS || [...pa, ...pb].some((p) => !existsSync(`/proc/${p}`))) throw new Error(`${kind} x${instances}: a daemon process exited during the window`);
    return {
      masterCpu: (a1.cpuS - a0.cpuS) / sampleS * 100, masterRss: a1.rssKb / 1024,
      backupCpu: (b1.cpuS - b0.cpuS) / sampleS * 100, backupRss: b1.rssKb / 1024,
    };
  } finally { await lab.close(); }
}

const kinds = (process.env.KINDS ?? 'keepalived,vipkeeper').split(',') as Kind[];
const counts = (process.env.COUNTS ?? '1,50').split(',').map(Number);
console.log(`idle daemons at advert_int 0.01 (VRRPv3): CPU over ${sampleS} s as % of one core, RSS in MiB, median of ${repeats} (keepalived: parent + VRRP child)`);
console.log(`vipkeeper: ${process.env.VK_BUILD ? distBin(process.env.VK_BUILD) : 'src/cli.ts through tsx'}, SCHED_RR ${Number(process.env.VK_RR ?? 10) || 'by the daemon (chrt)'}${process.env.VK_NODE_OPTIONS ? `, NODE_OPTIONS="${process.env.VK_NODE_OPTIONS}"` : ''}`);
for (const n of counts) {
  const got = new Map<Kind, Sample[]>(kinds.map((k) => [k, []]));
  for (let r = 0; r < repeats; r++) {
    for (const kind of kinds) {
      try { got.get(kind)!.push(await once(kind, n)); } catch (e) {
        process.stderr.write(`  ${kind} x${n}: ${(e as Error).message.split('\n')[0]}\n`);
      }
    }
  }
  const med = (k: Kind, f: keyof Sample) => median(got.get(k)!.map((x) => x[f]));
  const all = (k: Kind, f: keyof Sample) => got.get(k)!.map((x) => fmt(x[f], 1)).join('/');
  for (const kind of kinds) {
    console.log(`  ${kind.padEnd(10)} ${String(n).padStart(2)} instance(s)  master CPU ${fmt(med(kind, 'masterCpu'), 2).padStart(6)} % (${all(kind, 'masterCpu')})  RSS ${fmt(med(kind, 'masterRss'), 1).padStart(5)} (${all(kind, 'masterRss')})   backup CPU ${fmt(med(kind, 'backupCpu'), 2).padStart(6)} % (${all(kind, 'backupCpu')})  RSS ${fmt(med(kind, 'backupRss'), 1).padStart(5)} (${all(kind, 'backupRss')})`);
  }
  if (kinds.includes('keepalived') && kinds.includes('vipkeeper')) {
    const ratio = (f: keyof Sample) => fmt(med('vipkeeper', f) / med('keepalived', f), 2);
    const diff = (f: keyof Sample) => fmt(med('vipkeeper', f) - med('keepalived', f), 2);
    console.log(`  ratio vipkeeper/keepalived ${String(n).padStart(2)} instance(s)  master CPU ${ratio('masterCpu')}x (${diff('masterCpu')} points)  RSS ${ratio('masterRss')}x   backup CPU ${ratio('backupCpu')}x (${diff('backupCpu')} points)  RSS ${ratio('backupRss')}x`);
  }
}
