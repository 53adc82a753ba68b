// Benchmark, run inside the kernel VM: list S services x D real servers (programmed with ipvsadm -R)
// with `ipvsadm -Ln` and `vipkeeper ipvs list` (whole processes, dist/ on plain node), node's own
// start-up, and the in-process split (services dump, real-server dumps, formatting).
//   node test/kernel/harness/run.mjs -- node --import tsx bench/ipvs-list.ts [services] [dests]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const S = Number(process.argv[2] ?? 1000), D = Number(process.argv[3] ?? 10), RUNS = Number(process.env.BENCH_RUNS ?? 3);
const lines: string[] = [];
for (let i = 0; i < S; i++) {
  lines.push(`-A -t 10.100.${i >> 8}.${i & 255}:80 -s wrr`);
  for (let j = 0; j < D; j++) lines.push(`-a -t 10.100.${i >> 8}.${i & 255}:80 -r 10.200.${i >> 8}.${i & 255}:${8000 + j} -m -w 1`);
}
const time = (argv: string[]): { ms: number; out: string } => {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
};
/** The in-process split, on dist/ with plain node. */
const inProcess = `
const { performance } = await import('node:perf_hooks');
const t0 = performance.now();
const { openIpvs } = await import(${JSON.stringify(join(ROOT, 'dist/ipvs/genl-socket.js'))});
const { formatList } = await import(${JSON.stringify(join(ROOT, 'dist/ipvs/format.js'))});
const c = await openIpvs();
const t1 = performance.now();
const info = await c.info();
const services = await c.listServices();
const t2 = performance.now();
for (let i = 0; i < services.length; i += 16) await Promise.all(services.slice(i, i + 16).map(async (s) => { s.dests = await c.listDests(s); }));
const t3 = performance.now();
const text = formatList(info, services);
const t4 = performance.now();
c.close();
process.stdout.write(JSON.stringify({ load: t1 - t0, services: t2 - t1, dests: t3 - t2, format: t4 - t3, lines: text.split('\\n').length }));
`;
spawnSync('ipvsadm', ['-C']);
spawnSync('ipvsadm', ['-R'], { input: `${lines.join('\n')}\n` });
const a: number[] = [], b: number[] = [], node: number[] = [], split: Record<string, number>[] = [];
for (let r = 0; r < RUNS; r++) {
  node.push(time(['node', '-e', '0']).ms);
  a.push(time(['ipvsadm', '-Ln']).ms);
  b.push(time(['node', 'dist/cli.js', 'ipvs', 'list']).ms);
  split.push(JSON.parse(time(['node', '--input-type=module', '-e', inProcess]).out));
}
spawnSync('ipvsadm', ['-C']);
const m = (x: number[]) => Math.min(...x);
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
const best = split.reduce((x, y) => (x.dests! + x.services! <= y.dests! + y.services! ? x : y));
console.log(`ipvs-list: ${S} x ${D}, best of ${RUNS}: ipvsadm -Ln ${s(m(a))}, vipkeeper ipvs list ${s(m(b))} (ratio ${(m(b) / m(a)).toFixed(2)}; `
  + `without node start-up ${s(m(b) - m(node))}, ratio ${((m(b) - m(node)) / m(a)).toFixed(2)}); node -e 0 ${s(m(node))}`);
console.log(`  in-process: module load + open ${best.load!.toFixed(0)} ms, services dump ${best.services!.toFixed(0)} ms, real-server dumps ${best.dests!.toFixed(0)} ms, format ${best.format!.toFixed(0)} ms`);
