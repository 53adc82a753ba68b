// Benchmark, on the host (no kernel needed): `ipvs list`'s sorting and formatting of S services x D
// real servers, cold (once in a fresh process, as the CLI runs it) and warm, for each build given.
//   npx tsc -p tsconfig.build.json && node --import tsx bench/ipvs-format.ts [DIR=dist ...] [--runs=9] [--services=1000] [--dests=10]
// Each DIR holds a build's ipvs/format.js (e.g. a private build's dist/). Fresh processes are run
// round robin so a burst of load from others hits every build alike; every build's text must be
// the same (its length and a hash are compared), and nothing is asserted about time.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (k: string, d: number) => Number(args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const RUNS = opt('runs', 9), S = opt('services', 1000), D = opt('dests', 10);
const dirs = args.filter((a) => !a.startsWith('--'));
if (!dirs.length) dirs.push('dist');

/** One fresh process: the table as the kernel hands it (hash order, shuffled), formatted once cold, then 20 times warm. */
const child = (dir: string) => `
const { formatList } = await import(${JSON.stringify(join(resolve(dir), 'ipvs/format.js'))});
const { createHash } = await import('node:crypto');
const { performance } = await import('node:perf_hooks');
const z = () => ({ conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n });
let seed = 7;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const shuffle = (a) => { for (let i = a.length - 1; i > 0; i--) { const j = rnd(i + 1); [a[i], a[j]] = [a[j], a[i]]; } return a; };
const services = shuffle(Array.from({ length: ${S} }, (_, i) => ({
  family: 4, protocol: 'tcp', address: \`10.100.\${i >> 8}.\${i & 255}\`, port: 80, fwmark: 0, scheduler: 'wrr', flags: [], timeout: 0, netmask: 32, stats: z(),
  dests: shuffle(Array.from({ length: ${D} }, (_, j) => ({ family: 4, address: \`10.200.\${i >> 8}.\${i & 255}\`, port: 8000 + j, forward: 'masq', weight: 1,
    upperThreshold: 0, lowerThreshold: 0, activeConns: 0, inactConns: 0, persistConns: 0, stats: z() }))),
})));
const info = { version: 0x010203, connTabSize: 4096 };
let t = performance.now();
const text = formatList(info, services);
const cold = performance.now() - t;
const warm = [];
for (let i = 0; i < 20; i++) { t = performance.now(); formatList(info, services); warm.push(performance.now() - t); }
warm.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ cold, warm: warm[10], length: text.length, hash: createHash('sha1').update(text).digest('hex').slice(0, 12) }));
`;

const results = new Map<string, { cold: number[]; warm: number[]; outs: Set<string> }>(dirs.map((d) => [d, { cold: [], warm: [], outs: new Set() }]));
for (let r = 0; r < RUNS; r++) {
  for (const d of dirs) {
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', child(d)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (p.status !== 0) throw new Error(`${d}: ${p.stderr}`);
    const x = JSON.parse(p.stdout) as { cold: number; warm: number; length: number; hash: string };
    const e = results.get(d)!;
    e.cold.push(x.cold); e.warm.push(x.warm); e.outs.add(`${x.length} chars, sha1 ${x.hash}`);
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;
console.log(`ipvs-format: ${S} x ${D}, medians of ${RUNS} fresh processes`);
for (const [d, e] of results) console.log(`  ${d}: cold ${med(e.cold).toFixed(1)} ms (min ${Math.min(...e.cold).toFixed(1)}), warm ${med(e.warm).toFixed(1)} ms; ${[...e.outs].join(' / ')}`);
const outs = new Set([...results.values()].flatMap((e) => [...e.outs]));
console.log(`  same text from every build: ${outs.size === 1 ? 'yes' : 'NO'}`);
