// Benchmark aid, inside the kernel VM: the timeline (bench/timeline.cjs) of `vipkeeper ipvs list` on
// an empty table and on S x D (programmed with ipvsadm -R), RUNS each, for each build's dist/ given.
//   node test/kernel/harness/run.mjs -- node bench/ipvs-timeline.mjs DIST... [--runs=5] [--services=1000] [--dests=10]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binFlags } from './bin-flags.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (k, d) => Number(args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d);
const dirs = args.filter((a) => !a.startsWith('--'));
const RUNS = opt('runs', 5), S = opt('services', 1000), D = opt('dests', 10);
const lines = [];
for (let i = 0; i < S; i++) {
  lines.push(`-A -t 10.100.${i >> 8}.${i & 255}:80 -s wrr`);
  for (let j = 0; j < D; j++) lines.push(`-a -t 10.100.${i >> 8}.${i & 255}:80 -r 10.200.${i >> 8}.${i & 255}:${8000 + j} -m -w 1`);
}
for (const full of [false, true]) {
  spawnSync('ipvsadm', ['-C']);
  if (full) spawnSync('ipvsadm', ['-R'], { input: `${lines.join('\n')}\n` });
  for (let r = 0; r < RUNS; r++) {
    for (const d of dirs.length ? dirs : ['dist']) {
      const x = spawnSync('node', [...binFlags(resolve(ROOT, d, 'cli.cjs')), '-r', './bench/timeline.cjs', `${d}/cli.cjs`, 'ipvs', 'list'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
      console.log(`${full ? `${S} x ${D}` : 'empty'} ${d}: ${x.stderr.trim().split('\n').filter((l) => l.startsWith('timeline: ')).pop()?.slice(10)}`);
    }
  }
}
