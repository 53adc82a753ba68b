// Benchmark: add+remove 1,000 addresses through rtnetlink (one by one, and pipelined) versus the
// same with `ip addr` processes, and the time to send a GARP/NA burst. Runs as root inside a
// throwaway network namespace (it re-executes itself there). Usage: node --import tsx bench/net-rtnl.ts [N]
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rtnl } from '../src/net/rtnl.js';
import { GarpSender } from '../src/net/garp.js';

const N = Number(process.argv[2] ?? 1000);
const addr = (i: number): string => `10.200.${i >> 8}.${i & 0xff}`;
const ms = (t0: number): number => performance.now() - t0;
const fmt = (label: string, total: number, ops: number): string =>
  `${label.padEnd(44)} ${total.toFixed(1).padStart(9)} ms  (${((total * 1000) / ops).toFixed(1)} µs/op)`;

async function inner(): Promise<void> {
  const r = Rtnl.open();
  const link = await r.getLink('bench0');
  const ifindex = link.index;

  let t0 = performance.now();
  for (let i = 0; i < N; i++) await r.addAddress({ ifindex, ifname: 'bench0', address: `${addr(i)}/32`, label: 'bench0:vip' });
  for (let i = 0; i < N; i++) await r.deleteAddress({ ifindex, address: `${addr(i)}/32` });
  console.log(fmt(`rtnetlink, sequential: ${N} add + ${N} del`, ms(t0), 2 * N));

  t0 = performance.now();
  const adds = await Promise.all(Array.from({ length: N }, (_, i) => r.addAddress({ ifindex, address: `${addr(i)}/32` })));
  const dels = await Promise.all(Array.from({ length: N }, (_, i) => r.deleteAddress({ ifindex, address: `${addr(i)}/32` })));
  console.log(fmt(`rtnetlink, pipelined: ${N} add + ${N} del`, ms(t0), 2 * N));
  if (adds.some((x) => x !== 'added') || dels.some((x) => x !== 'deleted')) throw new Error('unexpected result in pipelined run');

  t0 = performance.now();
  for (let i = 0; i < N; i++) execFileSync('ip', ['addr', 'add', `${addr(i)}/32`, 'dev', 'bench0', 'label', 'bench0:vip']);
  for (let i = 0; i < N; i++) execFileSync('ip', ['addr', 'del', `${addr(i)}/32`, 'dev', 'bench0']);
  console.log(fmt(`ip addr processes: ${N} add + ${N} del`, ms(t0), 2 * N));
  if ((await r.listAddresses({ ifindex })).some((a) => a.address.startsWith('10.200.'))) throw new Error('addresses left behind');
  r.close();

  const g = GarpSender.open();
  const vips = Array.from({ length: 10 }, (_, i) => addr(i));
  const vip6 = Array.from({ length: 10 }, (_, i) => `2001:db8::${i + 1}`);
  for (const [label, list] of [['GARP', vips], ['NA', vip6]] as const) {
    const times: number[] = [];
    for (let k = 0; k < 200; k++) times.push((await g.announce(ifindex, link.mac!, [...list], { count: 5, intervalMs: 0 })).elapsedMs);
    times.sort((a, b) => a - b);
    console.log(`${label} burst, 10 VIPs x 5 rounds = 50 frames:`.padEnd(45) +
      ` median ${times[100]!.toFixed(3)} ms, p99 ${times[198]!.toFixed(3)} ms (${((times[100]! * 1000) / 50).toFixed(1)} µs/frame)`);
  }
  g.close();
}

function outer(): void {
  if (process.getuid?.() !== 0) { console.error('net-rtnl bench needs root (network namespaces)'); process.exit(1); }
  const ns = `vkbench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const inNs = (...a: string[]): void => { execFileSync('ip', ['-n', ns, ...a]); };
    inNs('link', 'add', 'bench0', 'type', 'veth', 'peer', 'name', 'bench1');
    inNs('link', 'set', 'bench0', 'up');
    inNs('link', 'set', 'bench1', 'up');
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', self, String(N)], {
      stdio: 'inherit', env: { ...process.env, VK_BENCH_INNER: '1' }, timeout: 300_000,
    });
    if (r.status !== 0) process.exitCode = 1;
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

if (process.env.VK_BENCH_INNER === '1') await inner(); else outer();
