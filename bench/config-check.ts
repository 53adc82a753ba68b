// Benchmark (issue 12): `vipkeeper check` against `keepalived -t` on the same generated
// 1,000 virtual servers x 10 real servers keepalived.conf, and on its YAML twin. One run prints,
// side by side: whole processes (wall, CPU, peak RSS; node's own start-up separately) and
// in-process figures (cold first load, then warm medians, with the phases). Never asserts.
// Run: npm run build && node --import tsx bench/config-check.ts [runs] [--build] [--compare LABEL=DIR]...
// --compare times DIR's bin too, in the same round robin (a private build: see bench/README.md).
// Each bin runs with the node options on its first line, as env starts it for an operator.
// CPU of a whole process comes from `perf stat -e task-clock` (ms resolution) when perf works,
// else from /usr/bin/time's user+sys (10 ms); peak RSS from /usr/bin/time's %M.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigText, finishConfig } from '../src/config/load.js';
import { readKeepalived } from '../src/config/keepalived/translate.js';
import { readYaml } from '../src/config/yaml.js';
import { toYaml } from '../src/cli/commands/convert.js';
import { generateKeepalivedConf } from './config-fixture.js';
import { distBin } from '../test/support/directors.js';
import { binFlags } from './bin-flags.mjs';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = distBin(root);
/** Other builds to time beside this one: `--compare LABEL=DIR`, DIR's bin (dist/cli.cjs, or dist/cli.js before it). */
const compared = args.flatMap((a, i) => (a === '--compare' ? [args[i + 1] ?? ''] : [])).map((spec) => {
  const [label, dir] = spec.split('=') as [string, string | undefined];
  const at = distBin(dir ?? '');
  if (!dir || !existsSync(at)) throw new Error(`--compare ${spec}: ${at} is missing (LABEL=DIR)`);
  return { label, cli: at };
});

if (args.includes('--build')) spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (or pass --build)`);
const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true })
  .reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
if (newest(join(root, 'src/config')) > statSync(join(root, 'dist/config/load.js')).mtimeMs) {
  console.log('WARNING: dist/ is older than src/config: the whole-process figures are of the old build (pass --build)');
}

const dir = mkdtempSync(join(tmpdir(), 'vk-bench-'));
const conf = generateKeepalivedConf(1000, 10);
const read = readKeepalived('bench.conf', conf, { strict: false });
if (!read.input) throw new Error('generated config did not parse');
const yaml = toYaml(read.input, 'bench.conf');
const confFile = join(dir, 'bench.conf');
const yamlFile = join(dir, 'bench.yaml');
writeFileSync(confFile, conf);
writeFileSync(yamlFile, yaml);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const hasTime = existsSync('/usr/bin/time');
const hasPerf = has('perf') && spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', 'true']).status === 0;

interface Sample { wall: number; cpu: number; rss: number; status: number | null }

/** One whole process: wall from hrtime around it, CPU from perf (or time), peak RSS from time. */
function sample(cmd: string[]): Sample {
  const wrapped = [...(hasTime ? ['/usr/bin/time', '-f', 'VKTIME %U %S %M'] : []), ...(hasPerf ? ['perf', 'stat', '-x,', '-e', 'task-clock', '--'] : []), ...cmd];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(wrapped[0]!, wrapped.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const err = r.stderr ?? '';
  const time = /VKTIME ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  const perf = /^([\d.]+),msec,task-clock/m.exec(err);
  const cpu = perf ? Number(perf[1]) : time ? (Number(time[1]) + Number(time[2])) * 1000 : NaN;
  // keepalived exits through its own status (5 here: 1,000 VIPs exceed one advert); node's is the check's.
  return { wall, cpu, rss: time ? Number(time[3]) / 1024 : NaN, status: r.status };
}

interface Row { name: string; wall: number; cpu: number; rss: number; status: number | null }
const rows = new Map<string, Sample[]>();
/** `check -f file` through a build's bin, with the node options on its first line. */
const check = (bin: string, file: string): string[] => [process.execPath, ...binFlags(bin), bin, 'check', '-f', file];
const subjects: Array<[string, string[]]> = [
  ['keepalived -t  .conf', ['keepalived', '-t', '-f', confFile]],
  ['node -e 0', [process.execPath, '-e', '0']],
  ['vipkeeper check .conf', check(cli, confFile)],
  ['vipkeeper check .yaml', check(cli, yamlFile)],
  ...compared.flatMap(({ label, cli: other }): Array<[string, string[]]> => [
    [`${label}: check .conf`, check(other, confFile)],
    [`${label}: check .yaml`, check(other, yamlFile)],
  ]),
];
const haveKeepalived = has('keepalived');
// Round robin, so a burst of load from others on the machine hits every subject alike.
for (let i = 0; i < runs; i++) {
  for (const [name, cmd] of subjects) {
    if (name.startsWith('keepalived') && !haveKeepalived) continue;
    const s = sample(cmd);
    rows.set(name, [...(rows.get(name) ?? []), s]);
  }
}
const summary = new Map<string, Row>();
for (const [name, ss] of rows) {
  summary.set(name, { name, wall: median(ss.map((s) => s.wall)), cpu: median(ss.map((s) => s.cpu)), rss: median(ss.map((s) => s.rss)), status: ss[0]!.status });
}

console.log(`config check, 1,000 virtual servers x 10 real servers: ${(conf.length / 1e6).toFixed(2)} MB keepalived.conf, ${(yaml.length / 1e6).toFixed(2)} MB YAML`);
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs; medians of ${runs} runs; CPU from ${hasPerf ? 'perf task-clock' : hasTime ? '/usr/bin/time user+sys' : 'n/a'}, RSS from ${hasTime ? '/usr/bin/time %M' : 'n/a'}`);
console.log('\nwhole process                 wall ms   CPU ms  peak RSS MiB  exit');
for (const r of summary.values()) console.log(`${r.name.padEnd(28)}${r.wall.toFixed(0).padStart(9)}${r.cpu.toFixed(0).padStart(9)}${r.rss.toFixed(1).padStart(14)}${String(r.status).padStart(6)}`);

const ka = summary.get('keepalived -t  .conf');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}x` : 'n/a');
if (ka) {
  console.log('\nvs keepalived -t              wall     CPU      RSS       goal');
  const goal = (name: string) => (name.endsWith('.conf') ? '<= 2x time, <= 100 MiB' : name.endsWith('.yaml') ? '<= 4x time' : '(node start-up alone)');
  for (const r of summary.values()) {
    if (r === ka) continue;
    console.log(`${r.name.padEnd(28)}${ratio(r.wall, ka.wall).padStart(7)}${ratio(r.cpu, ka.cpu).padStart(8)}${ratio(r.rss, ka.rss).padStart(9)}   ${goal(r.name)}`);
  }
}

/** In this process: the first load (cold code, as the CLI runs it) and warm medians, by phase. */
function inProcess(name: string, file: string, text: string): void {
  const cpuOf = (f: () => void) => { const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint(); f(); const c = process.cpuUsage(c0); return { cpu: (c.user + c.system) / 1000, wall: Number(process.hrtime.bigint() - t0) / 1e6 }; };
  const first = cpuOf(() => { if (!loadConfigText(file, text).model) throw new Error(`${name} did not load`); });
  const total: number[] = [], rd: number[] = [], fin: number[] = [];
  for (let i = 0; i < runs; i++) {
    let r: ReturnType<typeof readYaml> | undefined;
    const a = cpuOf(() => { r = file.endsWith('.yaml') ? readYaml(file, text) : readKeepalived(file, text, { strict: false }); });
    const b = cpuOf(() => { if (!finishConfig(r!, file).model) throw new Error(`${name} did not load`); });
    rd.push(a.cpu); fin.push(b.cpu); total.push(a.cpu + b.cpu);
  }
  console.log(`${name.padEnd(28)}${first.cpu.toFixed(0).padStart(9)}${median(total).toFixed(0).padStart(9)}${median(rd).toFixed(0).padStart(9)}${median(fin).toFixed(0).padStart(13)}`);
}
console.log('\nin process (CPU ms)          first   warm    read    build+check');
inProcess('keepalived.conf', 'bench.conf', conf);
inProcess('YAML', 'bench.yaml', yaml);
rmSync(dir, { recursive: true, force: true });
