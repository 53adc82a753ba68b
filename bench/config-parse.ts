// Benchmark: parse + validate a generated keepalived.conf (1,000 virtual servers x 10 real servers)
// and the same model as YAML. Prints the median of several runs; never asserts timings.
// Run: node --import tsx bench/config-parse.ts [runs]
import { isDeepStrictEqual } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import { loadConfigText } from '../src/config/load.js';
import { readKeepalived } from '../src/config/keepalived/translate.js';
import { toYaml } from '../src/cli/commands/convert.js';
import { generateKeepalivedConf } from './config-fixture.js';

const runs = Number(process.argv[2] ?? 7);
const conf = generateKeepalivedConf(1000, 10);
const read = readKeepalived('bench.conf', conf, { strict: false });
if (!read.input) throw new Error('generated config did not parse');
const yaml = toYaml(read.input, 'bench.conf');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time and this process's CPU time (user+system) per run: on a busy machine the CPU time is the steadier number. */
function time(name: string, file: string, text: string) {
  const wall: number[] = [], cpu: number[] = [];
  let model: unknown;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const r = loadConfigText(file, text);
    const c = process.cpuUsage(c0);
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu.push((c.user + c.system) / 1000);
    if (!r.model) throw new Error(`${name}: ${r.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);
    model = r.model;
  }
  console.log(`${name.padEnd(16)} ${(text.length / 1e6).toFixed(2)} MB  wall median ${median(wall).toFixed(0)} ms (min ${Math.min(...wall).toFixed(0)})  cpu median ${median(cpu).toFixed(0)} ms  (${runs} runs)`);
  return model;
}

console.log(`config parse+validate: 1000 virtual servers x 10 real servers (TCP_CHECK each); load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`);
const a = time('keepalived.conf', 'bench.conf', conf);
const b = time('YAML', 'bench.yaml', yaml);
console.log(`same model from both: ${isDeepStrictEqual(a, b)}`);
