// Times the VM harness in a scratch cache: cold image build (kernel download included), cached
// reuse, project-layer-only rebuild, boot to node, and a whole smoke run. Prints numbers only.
//   node --import tsx test/kernel/harness/measure.ts [runs]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 3);
const cache = mkdtempSync(join(tmpdir(), 'vk-vm-measure-'));
process.env.VIPKEEPER_VM_CACHE = cache;
const { runInVm } = await import('./index.js');

const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(1));
const trueCmd = ['true'];

async function row(label: string, argv: string[]): Promise<void> {
  const t0 = Date.now();
  const r = await runInVm({ argv });
  const wall = Date.now() - t0;
  if (r.status !== 0) throw new Error(`${label}: status ${r.status}\n${r.output.slice(-3000)}`);
  console.log(`${label.padEnd(34)} image ${s(r.buildMs).padStart(5)} s  boot-to-node ${s(r.bootMs).padStart(5)} s  VM ${s(r.totalMs).padStart(5)} s  wall ${s(wall).padStart(5)} s`);
}

try {
  await row('cold (download, base, project)', trueCmd);
  for (let i = 0; i < runs; i++) await row('cached (nothing changed)', trueCmd);
  for (let i = 0; i < runs; i++) {
    for (const f of readdirSync(cache)) if (f.startsWith('image-')) rmSync(join(cache, f));
    await row('project layer rebuilt', trueCmd);
  }
  for (let i = 0; i < runs; i++) {
    await row('smoke.test.ts', ['node', '--import', 'tsx', '--test', 'test/kernel/inside/smoke.test.ts']);
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
}
