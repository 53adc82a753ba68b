// The VM harness in one call: install what is missing, fetch the kernel, build or reuse the image,
// boot it, run a command inside and return its status and output.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from './exec.js';
import { ensureHostTools, type HostTools } from './host-tools.js';
import { ensureImage, type Image } from './image.js';
import { ensureKernel, type Kernel } from './kernel.js';
import { bootVm, type BootResult } from './vm.js';

export { HarnessError } from './exec.js';
export { tapFailures } from './serial.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Image cache; VIPKEEPER_VM_CACHE moves it (e.g. to a CI cache directory). */
export const CACHE_DIR = resolve(process.env.VIPKEEPER_VM_CACHE || join(PROJECT_ROOT, '.cache/vm'));
export const INSIDE_DIR = 'test/kernel/inside';

export interface VmRunOptions {
  /** Guest command; default: every test/kernel/inside/*.test.ts through node:test, one file at a time. */
  argv?: string[];
  /** Extra guest environment; VIPKEEPER_* variables of the host are passed on as well. */
  env?: Record<string, string>;
  cwd?: string;
  /** Whole run, image build excluded; default 15 min (VIPKEEPER_VM_TIMEOUT_MS). */
  timeoutMs?: number;
  onLine?: (line: string) => void;
  log?: (message: string) => void;
  /** Guest console reads this process's stdin. */
  interactive?: boolean;
}

export interface VmRunResult extends BootResult {
  /** Image preparation (install, kernel, layers) in ms, and whether each layer was rebuilt. */
  buildMs: number;
  baseBuilt: boolean;
  projectBuilt: boolean;
  argv: string[];
}

/** The default guest command: the inside tests, sequentially (they share one kernel IPVS table). */
export function defaultArgv(extra: string[] = []): string[] {
  const dir = join(PROJECT_ROOT, INSIDE_DIR);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort() : [];
  if (!files.length) throw new HarnessError(`vm harness: no *.test.ts in ${INSIDE_DIR}`);
  return ['node', '--import', 'tsx', '--test', '--test-concurrency=1', ...extra, ...files.map((f) => `${INSIDE_DIR}/${f}`)];
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

function guestEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('VIPKEEPER_') && v !== undefined) env[k] = v;
  // Inside tests may check this to know the kernel has IPVS and they may change it freely.
  return { ...env, VIPKEEPER_IN_VM: '1', ...extra };
}

export interface Prepared {
  tools: HostTools;
  kernel: Kernel;
  image: Image;
  buildMs: number;
}

/** Installs what is missing, fetches the kernel and builds or reuses the image; boots nothing. */
export function prepareVm(log: (message: string) => void = () => {}): Prepared {
  const t0 = Date.now();
  const tools = ensureHostTools(log);
  const kernel = ensureKernel(CACHE_DIR, tools.depmod, log);
  const image = ensureImage(CACHE_DIR, PROJECT_ROOT, tools, kernel, log);
  return { tools, kernel, image, buildMs: Date.now() - t0 };
}

/** Prepares the image (cached) and runs one command in a fresh VM. */
export async function runInVm(opts: VmRunOptions = {}): Promise<VmRunResult> {
  const { tools, kernel, image, buildMs } = prepareVm(opts.log);
  const argv = opts.argv?.length ? opts.argv : defaultArgv();
  const boot = await bootVm({
    qemu: tools.qemu, vmlinuz: kernel.vmlinuz, initrd: image.initrd, argv, env: guestEnv(opts.env),
    cwd: opts.cwd, timeoutMs: opts.timeoutMs ?? envInt('VIPKEEPER_VM_TIMEOUT_MS') ?? 15 * 60_000,
    memMb: envInt('VIPKEEPER_VM_MEM_MB'), cpus: envInt('VIPKEEPER_VM_CPUS'),
    accel: process.env.VIPKEEPER_VM_ACCEL, workDir: CACHE_DIR, onLine: opts.onLine, interactive: opts.interactive,
  });
  return { ...boot, buildMs, baseBuilt: image.baseBuilt, projectBuilt: image.projectBuilt, argv };
}

/** One sentence on why a run gave no status (timeout, qemu error, guest crash), for messages. */
export function describeFailure(r: VmRunResult): string {
  if (r.timedOut) return `the VM was killed after the timeout (${Math.round(r.totalMs / 1000)} s)`;
  if (r.status === undefined) {
    const tail = r.output.split('\n').slice(-15).join('\n');
    return `the VM ended without reporting an exit status (qemu: ${r.qemuStderr.trim() || 'no error'}); last console lines:\n${tail}`;
  }
  return `the command exited ${r.status}`;
}
