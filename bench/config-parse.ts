// Benchmark: parse + validate a generated keepalived.conf (1,000 virtual servers x 10 real servers)
// and the same model as YAML. Prints the median of several runs; never asserts timings.
// Run: node --import tsx bench/config-parse.ts [runs]
import { isDeepStrictEqual } from 'node:util';
import { loadConfigText } from '../src/config/load.js';
import { readKeepalived } from '../src/config/keepalived/translate.js';
import { toYaml } from '../src/cli/commands/convert.js';
import { generateKeepalivedConf } from './config-fixture.js';

const runs = Number(process.argv[2] ?? 7);
const conf = generateKeepalivedConf(1000, 10);
const read = readKeepalived('bench.conf', conf, { strict: false });
if (!read.input) throw new Error('generated config did not parse');
const yaml = toYaml(read.input, 'bench.conf');

function time(name: string, file: string, text: string) {
  const samples: number[] = [];
  let model: unknown;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = loadConfigText(file, text);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!r.model) throw new Error(`${name}: ${r.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);
    model = r.model;
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  console.log(`${name.padEnd(16)} ${(text.length / 1e6).toFixed(2)} MB  median ${median.toFixed(1)} ms  min ${samples[0]!.toFixed(1)} ms  max ${samples.at(-1)!.toFixed(1)} ms  (${runs} runs)`);
  return model;
}

console.log('config parse+validate: 1000 virtual servers x 10 real servers (TCP_CHECK each)');
const a = time('keepalived.conf', 'bench.conf', conf);
const b = time('YAML', 'bench.yaml', yaml);
console.log(`same model from both: ${isDeepStrictEqual(a, b)}`);
