// Benchmark, run inside the kernel VM: list S services x D real servers (programmed with ipvsadm -R)
// with `ipvsadm -Ln` and `vipkeeper ipvs list` (whole processes, dist/ on plain node), node's own
// start-up, and the in-process split (services dump, real-server dumps, formatting).
//   node test/kernel/harness/run.mjs -- node --import tsx bench/ipvs-list.ts [services] [dests]
// BENCH_BEFORE=DIR (relative to the project, holding another build's cli.js) times that build too,
// in the same boot, for a before/after comparison; BENCH_PROFILE=1 prints where one listing's CPU
// goes. Every run checks that the listing is byte for byte `ipvsadm -Ln`'s.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
await c.listServices();
const t2 = performance.now();
// What the CLI runs: the services again, then each one's real servers.
const services = await c.list();
const t3 = performance.now();
const text = formatList(info, services);
const t4 = performance.now();
c.close();
process.stdout.write(JSON.stringify({ load: t1 - t0, services: t2 - t1, dests: t3 - t2 - (t2 - t1), format: t4 - t3, lines: text.split('\\n').length }));
`;
/** BENCH_PROFILE=1: one more `ipvs list` under --cpu-prof, its functions by self time (the VM's only way out is the console). */
function profile(): void {
  const dir = mkdtempSync(join(tmpdir(), 'vk-prof-'));
  time(['node', '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', 'dist/cli.js', 'ipvs', 'list']);
  const p = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] };
  const hits = new Map<number, number>();
  for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map<string, number>();
  for (const n of p.nodes) {
    const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + (hits.get(n.id) ?? 0));
  }
  console.log('  profile of one `vipkeeper ipvs list`, self time:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`    ${(100 * v / p.samples.length).toFixed(1).padStart(5)} % ${k}`);
}

spawnSync('ipvsadm', ['-C']);
spawnSync('ipvsadm', ['-R'], { input: `${lines.join('\n')}\n` });
const BEFORE = process.env.BENCH_BEFORE;
const a: number[] = [], b: number[] = [], before: number[] = [], node: number[] = [], split: Record<string, number>[] = [];
let same = true;
for (let r = 0; r < RUNS; r++) {
  node.push(time(['node', '-e', '0']).ms);
  const ref = time(['ipvsadm', '-Ln']);
  a.push(ref.ms);
  const ours = time(['node', 'dist/cli.js', 'ipvs', 'list']);
  b.push(ours.ms);
  same &&= ours.out === ref.out;
  if (BEFORE) before.push(time(['node', join(BEFORE, 'cli.js'), 'ipvs', 'list']).ms);
  split.push(JSON.parse(time(['node', '--input-type=module', '-e', inProcess]).out));
}
if (process.env.BENCH_PROFILE === '1') profile();
spawnSync('ipvsadm', ['-C']);
const m = (x: number[]) => Math.min(...x);
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
const best = split.reduce((x, y) => (x.dests! + x.services! <= y.dests! + y.services! ? x : y));
console.log(`ipvs-list: ${S} x ${D}, best of ${RUNS}: ipvsadm -Ln ${s(m(a))}, vipkeeper ipvs list ${s(m(b))} (ratio ${(m(b) / m(a)).toFixed(2)}; `
  + `without node start-up ${s(m(b) - m(node))}, ratio ${((m(b) - m(node)) / m(a)).toFixed(2)}); node -e 0 ${s(m(node))}`);
console.log(`  output identical to ipvsadm -Ln in every run: ${same ? 'yes' : 'NO'}`);
if (BEFORE) console.log(`  before (${BEFORE}): ${s(m(before))} (ratio ${(m(before) / m(a)).toFixed(2)}; without node start-up ${((m(before) - m(node)) / m(a)).toFixed(2)})`);
console.log(`  in-process: module load + open ${best.load!.toFixed(0)} ms, services dump ${best.services!.toFixed(0)} ms, real-server dumps ${best.dests!.toFixed(0)} ms (list() less a services dump), format ${best.format!.toFixed(0)} ms`);
