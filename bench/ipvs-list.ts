// Benchmark, run inside the kernel VM: list S services x D real servers (programmed with ipvsadm -R)
// with `ipvsadm -Ln` and `vipkeeper ipvs list` (whole processes, dist/ on plain node), node's own
// start-up, and the in-process split (services dump, real-server dumps, formatting).
//   node test/kernel/harness/run.mjs -- node --import tsx bench/ipvs-list.ts [services] [dests]
// BENCH_BEFORE=DIR and BENCH_AFTER=DIR (relative to the project, each holding another build's
// cli.js, e.g. private builds' dist/) time those builds too, in the same boot, whole and split, for
// a before/after comparison (BENCH_TREE=0 leaves this tree's dist/ out); BENCH_FLOOR=PROGRAM ARGS...;... runs a program (one per `;`) that
// prints its own timing of the same dumps (e.g. a C client: the kernel's floor); BENCH_PROFILE=1
// prints where one listing's CPU goes. Every run checks that each listing is byte for byte
// `ipvsadm -Ln`'s. BENCH_BEFORE / BENCH_AFTER may name several builds, comma-separated.
// BENCH_EMPTY=1 also times each build's fixed start: `--version` and `ipvs list` of an empty table
// (beside `ipvsadm -Ln`'s). Each build's bin runs with the node options of its first line, as the
// kernel and env start it for an operator (`#!/usr/bin/env -S node FLAGS`; the guest's env is
// busybox's, which cannot split the line), and its "node start-up" is `node FLAGS -e 0`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { binFlags } from './bin-flags.mjs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A build's command, as the package's bin runs it: dist/cli.cjs where the build has one. */
const bin = (dist: string): string => join(dist, existsSync(join(dist, 'cli.cjs')) ? 'cli.cjs' : 'cli.js');
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
/**
 * The in-process split, on a build's dist/ with plain node: what its CLI runs for the plain view
 * (rows where the build has them, else the services again and each one's real servers as entries).
 */
const inProcess = (dist: string) => {
  const rows = existsSync(join(ROOT, dist, 'ipvs/format-rows.js'));
  const [mod, fmt, list] = rows ? ['ipvs/format-rows.js', 'formatRows', 'listRows'] : ['ipvs/format.js', 'formatList', 'list'];
  return `
const { performance } = await import('node:perf_hooks');
const t0 = performance.now();
const { openIpvs } = await import(${JSON.stringify(join(ROOT, dist, 'ipvs/genl-socket.js'))});
const { ${fmt} } = await import(${JSON.stringify(join(ROOT, dist, mod))});
const c = await openIpvs();
const t1 = performance.now();
const info = await c.info();
await c.listServices(${rows ? 'false' : ''});
const t2 = performance.now();
const table = await c.${list}();
const t3 = performance.now();
const text = ${fmt}(info, table);
const t4 = performance.now();
c.close();
process.stdout.write(JSON.stringify({ load: t1 - t0, services: t2 - t1, dests: t3 - t2 - (t2 - t1), format: t4 - t3, lines: text.split('\\n').length }));
`;
};
/** BENCH_PROFILE=1: one more `ipvs list` under --cpu-prof, its functions by self time (the VM's only way out is the console). */
function profile(dist: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'vk-prof-'));
  time(['node', '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', bin(dist), 'ipvs', 'list']);
  const p = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] };
  const hits = new Map<number, number>();
  for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map<string, number>();
  for (const n of p.nodes) {
    const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + (hits.get(n.id) ?? 0));
  }
  console.log(`  profile of one \`vipkeeper ipvs list\` (${dist}), self time:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`    ${(100 * v / p.samples.length).toFixed(1).padStart(5)} % ${k}`);
}

spawnSync('ipvsadm', ['-C']);
spawnSync('ipvsadm', ['-R'], { input: `${lines.join('\n')}\n` });
type Split = Record<string, number>;
/** The builds timed: this tree's dist/ (not with BENCH_TREE=0) and those named by BENCH_BEFORE / BENCH_AFTER. */
const builds = [...(process.env.BENCH_TREE === '0' ? [] : [{ label: 'dist', dir: 'dist' }]), ...(['BEFORE', 'AFTER'] as const).flatMap((k) =>
  (process.env[`BENCH_${k}`] ?? '').split(',').filter(Boolean).map((dir, i) => ({ label: `${k.toLowerCase()}${i === 0 ? '' : i + 1}`, dir })),
)].map((b) => ({ ...b, flags: binFlags(resolve(ROOT, bin(b.dir))), start: [] as number[], whole: [] as number[], split: [] as Split[], same: true, version: [] as number[], empty: [] as number[] }));
const a: number[] = [], node: number[] = [], nodeFile: number[] = [];
// node running a script file (empty, CommonJS), as it runs the bin: its start-up without our code.
const EMPTY = join(mkdtempSync(join(tmpdir(), 'vk-empty-')), 'empty.cjs');
writeFileSync(EMPTY, '');
for (let r = 0; r < RUNS; r++) {
  node.push(time(['node', '-e', '0']).ms);
  nodeFile.push(time(['node', EMPTY]).ms);
  const ref = time(['ipvsadm', '-Ln']);
  a.push(ref.ms);
  // Round robin, so a burst of load from the host hits every build alike.
  for (const b of builds) {
    b.start.push(b.flags.length ? time(['node', ...b.flags, '-e', '0']).ms : node.at(-1)!);
    const ours = time(['node', ...b.flags, bin(b.dir), 'ipvs', 'list']);
    b.whole.push(ours.ms);
    if (ours.out !== ref.out && b.same) {
      // The first difference, to say what went wrong (the console is the VM's only way out).
      const x = ours.out.split('\n'), y = ref.out.split('\n');
      const i = x.findIndex((l, k) => l !== y[k]);
      console.log(`  ${b.label}, run ${r + 1}: ${x.length} lines against ipvsadm's ${y.length}; first difference at line ${i + 1}: ${JSON.stringify(x[i])} / ${JSON.stringify(y[i])}`);
      b.same = false;
    }
    b.split.push(JSON.parse(time(['node', '--input-type=module', '-e', inProcess(b.dir)]).out));
  }
}
if (process.env.BENCH_PROFILE === '1') profile(builds.at(-1)!.dir);
for (const cmd of (process.env.BENCH_FLOOR ?? '').split(';').map((x) => x.trim()).filter(Boolean)) {
  const argv = cmd.split(/\s+/);
  for (let r = 0; r < RUNS; r++) console.log(`  floor ${cmd}: ${time([argv[0]!.startsWith('/') ? argv[0]! : join(ROOT, argv[0]!), ...argv.slice(1)]).out.trim()}`);
}
spawnSync('ipvsadm', ['-C']);
const aEmpty: number[] = [];
if (process.env.BENCH_EMPTY === '1') {
  for (let r = 0; r < RUNS; r++) {
    const ref = time(['ipvsadm', '-Ln']);
    aEmpty.push(ref.ms);
    for (const b of builds) {
      b.version.push(time(['node', ...b.flags, bin(b.dir), '--version']).ms);
      const e = time(['node', ...b.flags, bin(b.dir), 'ipvs', 'list']);
      b.empty.push(e.ms);
      if (e.out !== ref.out) { console.log(`  ${b.label}: empty listing differs from ipvsadm -Ln's`); b.same = false; }
    }
  }
}
const m = (x: number[]) => Math.min(...x);
const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1]!;
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
console.log(`ipvs-list: ${S} x ${D}, best of ${RUNS}: ipvsadm -Ln ${s(m(a))}; node -e 0 ${s(m(node))}; node on an empty file ${s(m(nodeFile))}`);
for (const b of builds) {
  const best = b.split.reduce((x, y) => (x.dests! + x.services! <= y.dests! + y.services! ? x : y));
  const flags = b.flags.length ? ` ${b.flags.join(' ')}` : '';
  console.log(`  ${b.label} (node${flags} ${bin(b.dir)}): vipkeeper ipvs list ${s(m(b.whole))} (ratio ${(m(b.whole) / m(a)).toFixed(2)}; `
    + `without node${flags} start-up (${s(m(b.start))}) ${s(m(b.whole) - m(b.start))}, ratio ${((m(b.whole) - m(b.start)) / m(a)).toFixed(2)}; `
    + `without an empty file's ${s(m(b.whole) - m(nodeFile))}, ratio ${((m(b.whole) - m(nodeFile)) / m(a)).toFixed(2)}); runs ${b.whole.map(s).join(', ')}`);
  // Medians as well: on a noisy host the best run of each side can come from different bursts.
  console.log(`    medians: ${s(med(b.whole))}, without node${flags} start-up ${s(med(b.whole) - med(b.start))}, ratio ${((med(b.whole) - med(b.start)) / med(a)).toFixed(2)} (ipvsadm -Ln ${s(med(a))}, node${flags} -e 0 ${s(med(b.start))})`);
  console.log(`    output identical to ipvsadm -Ln in every run: ${b.same ? 'yes' : 'NO'}`);
  console.log(`    in-process: module load + open ${best.load!.toFixed(0)} ms, services dump ${best.services!.toFixed(0)} ms, `
    + `real-server dumps ${best.dests!.toFixed(0)} ms (list() less a services dump), format ${best.format!.toFixed(0)} ms`);
  if (b.empty.length) console.log(`    fixed start: --version ${s(m(b.version))} (runs ${b.version.map(s).join(', ')}); empty table ${s(m(b.empty))} (runs ${b.empty.map(s).join(', ')}); ipvsadm -Ln empty ${s(m(aEmpty))}`);
}
console.log(`  ipvsadm -Ln runs ${a.map(s).join(', ')}; node -e 0 runs ${node.map(s).join(', ')}; node on an empty file runs ${nodeFile.map(s).join(', ')}`);
