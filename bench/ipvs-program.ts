// Benchmark, run inside the kernel VM (it rewrites the IPVS table):
//   node test/kernel/harness/run.mjs -t 1500 -- node --import tsx bench/ipvs-program.ts [services] [dests]
// (BENCH_RUNS=1 through `-e` for one pass). Every timed vipkeeper process runs dist/ with plain node.
// 1. Programs S services x D real servers from empty, whole process against whole process:
//    `vipkeeper ipvs apply -f big.yaml` and a bare vipkeeper programmer (no config parsing)
//    against `ipvsadm -R` fed the same rules.
// 2. A full reconcile that changes 1% of the weights: in-process (dump, diff, apply) and as a process.
// Prints the numbers; asserts nothing about time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const S = Number(process.argv[2] ?? 1000);
const D = Number(process.argv[3] ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_CONFIG=0 leaves out the applies that read a config file (their time is mostly the config reader's). */
const WITH_CONFIG = process.env.BENCH_CONFIG !== '0';
/** BENCH_BUMP=0 leaves out part 2. */
const WITH_BUMP = process.env.BENCH_BUMP !== '0';

const vip = (i: number) => `10.100.${i >> 8}.${i & 255}`;
const rs = (i: number) => `10.200.${i >> 8}.${i & 255}`;
const weight = (i: number, j: number, bump: boolean) => (bump && (i * D + j) % 100 === 0 ? 7 : 1 + (j % 3));

function rules(): string {
  const lines: string[] = [];
  for (let i = 0; i < S; i++) {
    lines.push(`-A -t ${vip(i)}:80 -s wrr`);
    for (let j = 0; j < D; j++) lines.push(`-a -t ${vip(i)}:80 -r ${rs(i)}:${8000 + j} -m -w ${weight(i, j, false)}`);
  }
  return `${lines.join('\n')}\n`;
}

function yaml(bump: boolean): string {
  const out = ['virtualServers:'];
  for (let i = 0; i < S; i++) {
    out.push(`  - { address: ${vip(i)}, port: 80, protocol: TCP, lbAlgo: wrr, lbKind: NAT, realServers: [`);
    const r: string[] = [];
    for (let j = 0; j < D; j++) r.push(`      { address: ${rs(i)}, port: ${8000 + j}, weight: ${weight(i, j, bump)} }`);
    out.push(`${r.join(',\n')} ] }`);
  }
  return `${out.join('\n')}\n`;
}

/** The same services as keepalived.conf, the format operators migrate with (and the faster reader). */
function keepalivedConf(bump: boolean): string {
  const out: string[] = [];
  for (let i = 0; i < S; i++) {
    out.push(`virtual_server ${vip(i)} 80 {`, '  lb_algo wrr', '  lb_kind NAT', '  protocol TCP');
    for (let j = 0; j < D; j++) out.push(`  real_server ${rs(i)} ${8000 + j} {`, `    weight ${weight(i, j, bump)}`, '  }');
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

function run(argv: string[], input?: string): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8', cwd: ROOT, timeout: 600_000, maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 2) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return ms;
}

function ipvsadm(...args: string[]): string {
  return spawnSync('ipvsadm', args, { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
}

const min = (xs: number[]) => Math.min(...xs);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The bare programmer: one process that only dumps, diffs and applies (no config file), running
 * the transpiled dist/ code with plain node (tsx alone costs ~10 s under TCG). Plain JS, in a
 * string, so this file needs no build of its own.
 */
function childScript(mode: 'program' | 'bump'): string {
  return `
const { performance } = await import('node:perf_hooks');
const { openIpvs } = await import(${JSON.stringify(join(ROOT, 'dist/ipvs/genl-socket.js'))});
const { reconcile } = await import(${JSON.stringify(join(ROOT, 'dist/ipvs/reconcile.js'))});
const S = ${S}, D = ${D}, bump = ${mode === 'bump'};
const vip = ${vip.toString()}, rs = ${rs.toString()};
const weight = (i, j) => (bump && (i * D + j) % 100 === 0 ? 7 : 1 + (j % 3));
const desired = [];
for (let i = 0; i < S; i++) {
  const dests = [];
  for (let j = 0; j < D; j++) dests.push({ family: 4, address: rs(i), port: 8000 + j, forward: 'masq', weight: weight(i, j), upperThreshold: 0, lowerThreshold: 0 });
  desired.push({ family: 4, protocol: 'tcp', address: vip(i), port: 80, fwmark: 0, scheduler: 'wrr', flags: [], timeout: 0, netmask: 32, dests });
}
const c = await openIpvs();
const t0 = performance.now();
const actual = await c.list();
const t1 = performance.now();
const ops = reconcile(desired, actual);
const t2 = performance.now();
await c.apply(ops, { window: Number(process.env.BENCH_WINDOW ?? 32) });
const t3 = performance.now();
c.close();
process.stdout.write(JSON.stringify({ ops: ops.length, listMs: t1 - t0, reconcileMs: t2 - t1, applyMs: t3 - t2 }));
`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vk-bench-'));
  try {
    const big = join(dir, 'big.yaml'), bumped = join(dir, 'bumped.yaml');
    writeFileSync(big, yaml(false));
    writeFileSync(bumped, yaml(true));
    const bigConf = join(dir, 'big.conf'), bumpedConf = join(dir, 'bumped.conf');
    writeFileSync(bigConf, keepalivedConf(false));
    writeFileSync(bumpedConf, keepalivedConf(true));
    const ruleText = rules();
    const self = (mode: 'program' | 'bump') => ['node', '--input-type=module', '-e', childScript(mode)];
    // The installed CLI (dist/, what operators run); tsx start-up alone costs ~10 s under TCG.
    const cli = ['node', 'dist/cli.cjs', 'ipvs'];
    console.log(`ipvs-program: ${S} services x ${D} real servers (${S * (D + 1)} objects), best of ${RUNS}`);
    const bareSplit: { ops: number; listMs: number; reconcileMs: number; applyMs: number }[] = [];
    const t = { ipvsadm: [] as number[], cli: [] as number[], conf: [] as number[], bare: [] as number[], nodeBaseline: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      t.nodeBaseline.push(run(['node', '-e', '0']));
      ipvsadm('-C');
      t.ipvsadm.push(run(['ipvsadm', '-R'], ruleText));
      const reference = ipvsadm('-Sn');
      ipvsadm('-C');
      if (WITH_CONFIG) {
        t.cli.push(run([...cli, 'apply', '-f', big]));
        if (ipvsadm('-Sn') !== reference) throw new Error('vipkeeper apply and ipvsadm -R produced different tables');
        ipvsadm('-C');
        t.conf.push(run([...cli, 'apply', '-f', bigConf]));
        if (ipvsadm('-Sn') !== reference) throw new Error('vipkeeper apply (keepalived.conf) and ipvsadm -R produced different tables');
        ipvsadm('-C');
      }
      {
        const argv = self('program'), t0 = performance.now();
        const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', cwd: ROOT, timeout: 600_000 });
        t.bare.push(performance.now() - t0);
        if (r.status !== 0) throw new Error(`bare programmer exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
        bareSplit.push(JSON.parse(r.stdout));
      }
      if (ipvsadm('-Sn') !== reference) throw new Error('the bare programmer produced a different table');
    }
    console.log(`  ipvsadm -R                      ${fmt(min(t.ipvsadm))}`);
    // Ratios with and without node's own start-up (`node -e 0`), which ipvsadm, a C program, does not pay.
    const node = min(t.nodeBaseline);
    const ratios = (ms: number) => `ratio vipkeeper/ipvsadm ${(ms / min(t.ipvsadm)).toFixed(2)}, without node start-up ${((ms - node) / min(t.ipvsadm)).toFixed(2)}`;
    if (WITH_CONFIG) {
      console.log(`  vipkeeper ipvs apply -f (yaml)  ${fmt(min(t.cli))}   ${ratios(min(t.cli))}`);
      console.log(`  vipkeeper ipvs apply -f (conf)  ${fmt(min(t.conf))}   ${ratios(min(t.conf))}`);
    }
    console.log(`  vipkeeper bare programmer       ${fmt(min(t.bare))}   ${ratios(min(t.bare))}`);
    const split = bareSplit[t.bare.indexOf(min(t.bare))]!;
    console.log(`    of which: dump ${split.listMs.toFixed(0)} ms, diff ${split.reconcileMs.toFixed(0)} ms, apply ${split.ops} changes ${fmt(split.applyMs)}; the rest is start-up and module loading`);
    console.log(`  (node start-up alone, node -e 0 ${fmt(node)})`);
    // The table is now the programmed one: list it both ways.
    const listT = { ipvsadm: [] as number[], vk: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      listT.ipvsadm.push(run(['ipvsadm', '-Ln']));
      listT.vk.push(run([...cli, 'list']));
    }
    console.log(`listing ${S * (D + 1)} objects: ipvsadm -Ln ${fmt(min(listT.ipvsadm))}, vipkeeper ipvs list ${fmt(min(listT.vk))}, ratio ${(min(listT.vk) / min(listT.ipvsadm)).toFixed(2)}, without node start-up ${((min(listT.vk) - node) / min(listT.ipvsadm)).toFixed(2)}`);
    if (!WITH_BUMP) return;
    // Change 1% of the weights.
    const inproc: { ops: number; listMs: number; reconcileMs: number; applyMs: number }[] = [];
    const proc: number[] = [], procConf: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      ipvsadm('-C');
      run(['ipvsadm', '-R'], ruleText);
      const bumpArgv = self('bump');
      const out = spawnSync(bumpArgv[0]!, bumpArgv.slice(1), { encoding: 'utf8', cwd: ROOT, timeout: 600_000 });
      inproc.push(JSON.parse(out.stdout));
      if (!WITH_CONFIG) continue;
      ipvsadm('-C');
      run(['ipvsadm', '-R'], ruleText);
      proc.push(run([...cli, 'apply', '-f', bumped]));
      ipvsadm('-C');
      run(['ipvsadm', '-R'], ruleText);
      procConf.push(run([...cli, 'apply', '-f', bumpedConf]));
    }
    const best = inproc.reduce((a, b) => (a.listMs + a.applyMs <= b.listMs + b.applyMs ? a : b));
    console.log(`reconcile changing 1% of weights (${best.ops} edit-dest operations):`);
    console.log(`  in-process: dump ${fmt(best.listMs)}, diff ${best.reconcileMs.toFixed(1)} ms, apply ${fmt(best.applyMs)}, total ${fmt(best.listMs + best.reconcileMs + best.applyMs)}`);
    if (WITH_CONFIG) console.log(`  whole process (vipkeeper ipvs apply -f): yaml ${fmt(min(proc))}, keepalived.conf ${fmt(min(procConf))}`);
  } finally {
    ipvsadm('-C');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
