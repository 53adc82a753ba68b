// Benchmark, run inside the kernel VM: list S services x D real servers (programmed with ipvsadm -R)
// with `ipvsadm -Ln` and `vipkeeper ipvs list` (whole processes), and the in-process dump alone.
//   node test/kernel/harness/run.mjs -- node --import tsx bench/ipvs-list.ts [services] [dests]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openIpvs } from '../src/ipvs/genl-socket.js';
import { formatList } from '../src/ipvs/format.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const S = Number(process.argv[2] ?? 1000), D = Number(process.argv[3] ?? 10), RUNS = Number(process.env.BENCH_RUNS ?? 3);
const lines: string[] = [];
for (let i = 0; i < S; i++) {
  lines.push(`-A -t 10.100.${i >> 8}.${i & 255}:80 -s wrr`);
  for (let j = 0; j < D; j++) lines.push(`-a -t 10.100.${i >> 8}.${i & 255}:80 -r 10.200.${i >> 8}.${i & 255}:${8000 + j} -m -w 1`);
}
const time = (argv: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
};
spawnSync('ipvsadm', ['-C']);
spawnSync('ipvsadm', ['-R'], { input: `${lines.join('\n')}\n` });
const a: number[] = [], b: number[] = [], dump: number[] = [], fmt: number[] = [];
for (let r = 0; r < RUNS; r++) {
  a.push(time(['ipvsadm', '-Ln']));
  b.push(time(['node', '--import', 'tsx', 'src/cli.ts', 'ipvs', 'list']));
  const c = await openIpvs();
  const t0 = performance.now();
  const [info, list] = [await c.info(), await c.list()];
  const t1 = performance.now();
  formatList(info, list);
  fmt.push(performance.now() - t1);
  dump.push(t1 - t0);
  c.close();
}
spawnSync('ipvsadm', ['-C']);
const m = (x: number[]) => Math.min(...x);
console.log(`ipvs-list: ${S} x ${D}, best of ${RUNS}: ipvsadm -Ln ${(m(a) / 1000).toFixed(2)} s, vipkeeper ipvs list ${(m(b) / 1000).toFixed(2)} s (ratio ${(m(b) / m(a)).toFixed(2)}); in-process dump ${(m(dump) / 1000).toFixed(2)} s, format ${m(fmt).toFixed(0)} ms`);
