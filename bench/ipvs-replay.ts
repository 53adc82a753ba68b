// Benchmark, on the host (no kernel needed): `vipkeeper ipvs list` of S services x D real servers
// replayed from recorded dump answers, cold in a fresh process per run, for each build given: the
// command's own code (module load, decode, sort, format, write) without the kernel's share.
//   node --import tsx bench/ipvs-replay.ts [DIR=dist ...] [--runs=15] [--services=1000] [--dests=10] [--node-flags=F,G] [--view=stats]
// Each DIR holds a build's tsc output (cli/commands/ipvs.js). The answers come from the fake kernel
// of the unit tests (the codec's reply encoders), written to a file the child reads before timing;
// the child's dump transport hands them out as netlinkDumps does (one buffer, offsets). Every
// build's output must be the same text (length and hash compared); nothing is asserted about time.
// --node-flags=F,G runs each DIR once more with those node options (e.g. --always-sparkplug).
// --wrap=PROGRAM runs each child under PROGRAM: `--wrap=qemu-x86_64` (Debian's qemu-user) emulates
// the CPU as the kernel VM's TCG does, a proxy for the VM's cold-code costs without booting it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { FakeIpvsKernel } from '../test/support/fake-ipvs-kernel.js';
import { IpvsClient } from '../src/ipvs/client.js';
import { reconcile } from '../src/ipvs/reconcile.js';
import { NLM_F } from '../src/codec/netlink/message.js';
import { GENL_ID_CTRL, encodeGetFamily } from '../src/codec/netlink/genl.js';
import { IPVS_CMD, IPVS_GENL_NAME, encodeIpvs } from '../src/codec/netlink/ipvs.js';
import { encodeServiceKeyCommand } from '../src/codec/netlink/ipvs-service.js';
import type { DesiredService } from '../src/ipvs/model.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const RUNS = Number(opt('runs', '15')), S = Number(opt('services', '1000')), D = Number(opt('dests', '10'));
const VIEW = opt('view', '');
const nodeFlags = opt('node-flags', '').split(',').filter(Boolean);
const wrap = opt('wrap', '');
// --bundle: the command from each DIR's ipvs.cjs as the bin loads it (src/cli/load-bundle.ts), with
// its code cache when the DIR has one, instead of tsc's modules.
const BUNDLE = args.includes('--bundle');
const dirs = args.filter((a) => !a.startsWith('--'));
if (!dirs.length) dirs.push('dist');

// The bench's table (bench/ipvs-list.ts), with a few connections so the columns vary.
const table: DesiredService[] = Array.from({ length: S }, (_, i) => ({
  family: 4, protocol: 'tcp', address: `10.100.${i >> 8}.${i & 255}`, port: 80, fwmark: 0, scheduler: 'wrr', flags: [], timeout: 0, netmask: 32,
  dests: Array.from({ length: D }, (_, j) => ({ family: 4, address: `10.200.${i >> 8}.${i & 255}`, port: 8000 + j, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
}));
const k = new FakeIpvsKernel();
const c = await IpvsClient.open(k);
await c.apply(reconcile(table, await c.list()));
// Recorded answers: [count, (len, payload)...] per request, in the order the CLI asks.
const parts: Buffer[] = [];
const record = async (type: number, flags: number, payload: Uint8Array) => {
  const r = await k.request(type, flags, payload);
  const n = Buffer.alloc(4); n.writeUInt32LE(r.length); parts.push(n);
  for (const m of r) { const l = Buffer.alloc(4); l.writeUInt32LE(m.payload.length); parts.push(l, Buffer.from(m.payload)); }
};
await record(GENL_ID_CTRL, NLM_F.REQUEST | NLM_F.ACK, encodeGetFamily(IPVS_GENL_NAME));
await record(k.familyId, NLM_F.REQUEST | NLM_F.ACK, encodeIpvs(IPVS_CMD.GET_INFO, {}));
await record(k.familyId, NLM_F.REQUEST | NLM_F.DUMP, encodeIpvs(IPVS_CMD.GET_SERVICE, {}));
for (const s of await c.listServices()) await record(k.familyId, NLM_F.REQUEST | NLM_F.DUMP, encodeServiceKeyCommand(IPVS_CMD.GET_DEST, s));
const file = join(mkdtempSync(join(tmpdir(), 'vk-replay-')), 'answers.bin');
writeFileSync(file, Buffer.concat(parts));

/** One fresh process: read the answers, then time the command from its import to its output written. */
const child = (dir: string) => `
const { readFileSync } = await import('node:fs');
const { performance } = await import('node:perf_hooks');
const b = readFileSync(${JSON.stringify(file)});
// Every answer's message offsets, found before the clock starts: [first, end) into offs per request.
const offs = [], answers = [];
for (let at = 0; at < b.length;) {
  const n = b.readUInt32LE(at); at += 4;
  answers.push(offs.length);
  for (let i = 0; i < n; i++) { const l = b.readUInt32LE(at); offs.push(at + 4, at + 4 + l); at += 4 + l; }
}
answers.push(offs.length);
let q = 0;
const msgs = (a, z) => { const out = []; for (let k = a; k < z; k += 2) out.push({ type: 0x2a, flags: 0, seq: 0, pid: 0, payload: b.subarray(offs[k], offs[k + 1]) }); return out; };
const t = {
  request: async () => { q++; return msgs(answers[q - 1], answers[q]); },
  dumpEach(_type, payloads, each) {
    for (let i = 0; i < payloads.length; i++, q++) for (let k = answers[q], z = answers[q + 1]; k < z; k += 2) each(i, b, offs[k], offs[k + 1]);
    return { done: payloads.length };
  },
  close() {},
};
${BUNDLE ? `const { loadBundleWithCache } = await import(${JSON.stringify(join(resolve(dir), 'cli/load-bundle.js'))});` : ''}
const t0 = performance.now();
${BUNDLE ? `const loaded = loadBundleWithCache(${JSON.stringify(join(resolve(dir), 'ipvs.cjs'))});
const { makeIpvsCommand, IpvsClient } = loaded.exports;
process.stderr.write(loaded.cache + '\\n');` : `const { makeIpvsCommand } = await import(${JSON.stringify(join(resolve(dir), 'cli/commands/ipvs.js'))});
const { IpvsClient } = await import(${JSON.stringify(join(resolve(dir), 'ipvs/client.js'))});`}
const t1 = performance.now();
const code = await makeIpvsCommand(() => IpvsClient.open(t)).run(['list'${VIEW ? `, '--${VIEW}'` : ''}], { out: (x) => process.stdout.write(x.endsWith('\\n') ? x : x + '\\n'), err: (x) => process.stderr.write(x) });
const t2 = performance.now();
process.stderr.write(JSON.stringify({ code, load: t1 - t0, run: t2 - t1, all: t2 }));
`;

const runs = dirs.flatMap((d) => [{ d, flags: [] as string[] }, ...(nodeFlags.length ? [{ d, flags: nodeFlags }] : [])])
  .map((v) => ({ ...v, load: [] as number[], run: [] as number[], all: [] as number[], outs: new Set<string>() }));
const { createHash } = await import('node:crypto');
for (let r = 0; r < RUNS; r++) {
  for (const v of runs) {
    const argv = [...v.flags, '--input-type=module', '-e', child(v.d)];
    const p = spawnSync(wrap || process.execPath, wrap ? [process.execPath, ...argv] : argv, { encoding: 'latin1', maxBuffer: 64 << 20 });
    if (p.status !== 0) throw new Error(`${v.d}: ${p.stderr}`);
    const lines = p.stderr.trim().split('\n');
    const x = JSON.parse(lines.at(-1)!) as { load: number; run: number; all: number };
    if (lines.length > 1) v.outs.add(`code cache ${lines[0]}`);
    v.load.push(x.load); v.run.push(x.run); v.all.push(x.all);
    v.outs.add(`${p.stdout.length} chars, sha1 ${createHash('sha1').update(p.stdout).digest('hex').slice(0, 12)}`);
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;
console.log(`ipvs-replay: ${S} x ${D}${VIEW ? ` --${VIEW}` : ''}${wrap ? ` under ${wrap}` : ''}, medians of ${RUNS} fresh processes (ms): module load, list run (decode, sort, format, write), process time at the end`);
for (const v of runs) console.log(`  ${v.d}${v.flags.length ? ` ${v.flags.join(' ')}` : ''}: load ${med(v.load).toFixed(1)}, run ${med(v.run).toFixed(1)} (min ${Math.min(...v.run).toFixed(1)}), all ${med(v.all).toFixed(1)}; ${[...v.outs].join(' / ')}`);
const outs = new Set(runs.flatMap((v) => [...v.outs].filter((o) => !o.startsWith('code cache'))));
console.log(`  same text from every build: ${outs.size === 1 ? 'yes' : 'NO'}`);
rmSync(dirname(file), { recursive: true, force: true });
