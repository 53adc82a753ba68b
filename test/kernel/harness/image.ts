// The guest's initramfs: a base layer (busybox, /init, node, ipvsadm, ip, keepalived, kernel
// modules), then the project (/project) and its extras (/project/dist, addon libraries): newc
// archives concatenated (the kernel unpacks them in turn). Layers are cached under .cache/vm/ by
// a hash of their inputs, so editing the project rebuilds only the project layers.
import { createHash } from 'node:crypto';
import {
  appendFileSync, closeSync, copyFileSync, chmodSync, existsSync, lstatSync, mkdirSync, openSync,
  readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError, mustRun, run, sharedLibraries, which } from './exec.js';
import { stageExtras } from './extras-layer.js';
import type { HostTools } from './host-tools.js';
import type { Kernel } from './kernel.js';
import { BOOT_MODULES, EXTRA_MODULES, selectModules } from './modules.js';
import { addonsOf, projectEntries } from './project-files.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Image {
  /** The concatenated initramfs to pass to qemu -initrd. */
  initrd: string;
  baseBuilt: boolean;
  projectBuilt: boolean;
}

function hashOf(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Size and mtime identify a version; host binaries and libraries are followed through symlinks. */
function statKey(path: string, follow = false): string {
  const st = follow ? statSync(path) : lstatSync(path);
  return `${path}:${st.size}:${st.mtimeMs}`;
}

function copyInto(stage: string, src: string, dest = src): void {
  const to = join(stage, dest);
  mkdirSync(dirname(to), { recursive: true });
  if (!existsSync(to)) copyFileSync(src, to); // follows symlinks: the guest gets the real bytes
}

function binariesOf(tools: HostTools): string[] {
  return [tools.node, tools.ipvsadm, ...(tools.ip ? [tools.ip] : []), ...(tools.keepalived ? [tools.keepalived] : [])];
}

function baseInputs(tools: HostTools, kernel: Kernel): string[] {
  const own = ['image.ts', 'modules.ts', 'init.sh', 'launch.mjs'].map((f) => readFileSync(join(HERE, f), 'utf8'));
  const bins = [tools.busybox, ...binariesOf(tools)];
  const libs = binariesOf(tools).flatMap(sharedLibraries);
  return [kernel.pkg, kernel.pkgVersion, kernel.release, ...own, ...[...bins, ...libs].map((p) => statKey(p, true))];
}

function stageBusybox(stage: string, busybox: string): void {
  copyInto(stage, busybox, '/bin/busybox');
  chmodSync(join(stage, 'bin/busybox'), 0o755);
  const links = mustRun([busybox, '--list-full']).split('\n').filter(Boolean);
  for (const l of links) {
    const at = join(stage, l);
    if (existsSync(at) || l === 'bin/busybox') continue;
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync('/bin/busybox', at);
  }
}

function stageModules(stage: string, kernel: Kernel, depmod: string, log: (s: string) => void): void {
  const src = join(kernel.root, 'lib/modules', kernel.release);
  const dst = join(stage, 'lib/modules', kernel.release);
  const sel = selectModules(readFileSync(join(src, 'modules.dep'), 'utf8'), [...BOOT_MODULES, ...EXTRA_MODULES]);
  const missingBoot = sel.unknown.filter((n) => BOOT_MODULES.includes(n));
  if (missingBoot.length) throw new HarnessError(`vm harness: kernel ${kernel.release} has no module ${missingBoot.join(', ')}`);
  if (sel.unknown.length) log(`vm harness: not modules in ${kernel.release} (built in or absent): ${sel.unknown.join(' ')}`);
  for (const p of sel.paths) copyInto(stage, join(src, p), join('lib/modules', kernel.release, p));
  for (const f of ['modules.order', 'modules.builtin', 'modules.builtin.modinfo']) {
    if (existsSync(join(src, f))) copyInto(stage, join(src, f), join('lib/modules', kernel.release, f));
  }
  // modules.dep for just the shipped files, so busybox modprobe (and the kernel's autoload) work.
  mustRun([depmod, '-b', stage, kernel.release], { timeoutMs: 120_000 });
  if (!existsSync(join(dst, 'modules.dep'))) throw new HarnessError('vm harness: depmod wrote no modules.dep');
  writeFileSync(join(stage, 'etc/vk/modules'), BOOT_MODULES.join('\n') + '\n');
}

function stageEtc(stage: string): void {
  mkdirSync(join(stage, 'etc/vk'), { recursive: true });
  writeFileSync(join(stage, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(stage, 'etc/group'), 'root:x:0:\n');
  writeFileSync(join(stage, 'etc/hosts'), '127.0.0.1 localhost vk-vm\n::1 localhost ip6-localhost\n');
  for (const f of ['/etc/services', '/etc/protocols']) if (existsSync(f)) copyInto(stage, f);
}

function buildBase(out: string, tools: HostTools, kernel: Kernel, log: (s: string) => void): void {
  const stage = `${out}.stage-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  try {
    for (const d of ['proc', 'sys', 'dev', 'tmp', 'run', 'root', 'project', 'vk', 'etc/vk']) mkdirSync(join(stage, d), { recursive: true });
    stageEtc(stage);
    // The real tools first: a busybox applet link never takes the place of one of them.
    for (const bin of binariesOf(tools)) {
      copyInto(stage, bin);
      for (const lib of sharedLibraries(bin)) copyInto(stage, lib);
    }
    // Debian's node carries its debug info: 13 MB less for the guest kernel to unpack at each boot.
    const strip = which('strip');
    if (strip) run([strip, join(stage, tools.node)], { timeoutMs: 120_000 });
    stageBusybox(stage, tools.busybox);
    copyInto(stage, join(HERE, 'init.sh'), '/init');
    chmodSync(join(stage, 'init'), 0o755);
    copyInto(stage, join(HERE, 'launch.mjs'), '/vk/launch.mjs');
    stageModules(stage, kernel, tools.depmod, log);
    const list = mustRun(['find', '.', '-mindepth', '1'], { cwd: stage }).split('\n').filter(Boolean).map((p) => p.slice(2));
    writeCpio(tools.cpio, stage, list, out);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** `cpio -o -H newc` of the listed paths (relative to cwd) into out, written atomically. */
function writeCpio(cpio: string, cwd: string, paths: string[], out: string): void {
  const tmp = `${out}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const r = run([cpio, '-o', '-H', 'newc', '--quiet', '-R', '0:0'], {
      cwd, input: paths.join('\n') + '\n', stdio: ['pipe', fd, 'pipe'], timeoutMs: 600_000,
    });
    if (r.status !== 0) throw new HarnessError(`vm harness: cpio failed (${r.status}): ${r.stderr.trim().slice(-800)}`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
}

function buildProject(out: string, cpio: string, root: string, cacheDir: string, paths: string[]): void {
  // Archive paths must read project/...: list them through a symlink named project.
  const via = join(cacheDir, `via-${process.pid}`);
  rmSync(via, { recursive: true, force: true });
  mkdirSync(via, { recursive: true });
  symlinkSync(root, join(via, 'project'));
  try {
    writeCpio(cpio, via, paths.map((p) => `project/${p}`), out);
  } finally {
    rmSync(via, { recursive: true, force: true });
  }
}

function buildExtras(out: string, cpio: string, projectRoot: string, addons: string[]): void {
  const stage = `${out}.stage-${process.pid}`;
  try {
    stageExtras(stage, projectRoot, addons);
    // /project exists from the base layer; every other directory is listed before its files.
    const list = mustRun(['find', '.', '-mindepth', '1'], { cwd: stage }).split('\n').filter(Boolean)
      .map((p) => p.slice(2)).filter((p) => p !== 'project');
    writeCpio(cpio, stage, list, out);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Removes other layers and leftover run files. A concurrent run may be about to boot one (qemu
 * reads the whole initrd as it starts, and each run touches its files), so recent ones stay.
 */
function prune(cacheDir: string, prefix: string, keep: string): void {
  const now = Date.now();
  for (const f of readdirSync(cacheDir)) {
    if (!(f.startsWith(prefix) || f.startsWith('run-')) || f === keep) continue;
    // Half-written files of a build in progress are younger than an hour.
    const grace = f.includes('.tmp-') || f.includes('.stage') ? 3600_000 : 120_000;
    const p = join(cacheDir, f);
    if (lstatSync(p).mtimeMs < now - grace) rmSync(p, { recursive: true, force: true });
  }
}

/** Builds (or reuses) base and project layers and their concatenation; returns the initrd path. */
export function ensureImage(
  cacheDir: string, projectRoot: string, tools: HostTools, kernel: Kernel, log: (s: string) => void = () => {},
): Image {
  mkdirSync(cacheDir, { recursive: true });
  const baseHash = hashOf(baseInputs(tools, kernel));
  const base = join(cacheDir, `base-${baseHash}.cpio`);
  const baseBuilt = !existsSync(base);
  if (baseBuilt) {
    log('vm harness: building the base layer (busybox, node, ipvsadm, ip, keepalived, modules)');
    buildBase(base, tools, kernel, log);
    prune(cacheDir, 'base-', relative(cacheDir, base));
  }
  const entries = projectEntries(projectRoot);
  const own = ['project-files.ts', 'extras-layer.ts'].map((f) => readFileSync(join(HERE, f), 'utf8'));
  const projHash = hashOf([baseHash, ...own, ...entries.map((p) => statKey(join(projectRoot, p)))]);
  const image = join(cacheDir, `image-${projHash}.cpio`);
  const projectBuilt = !existsSync(image);
  if (projectBuilt) {
    log('vm harness: building the project layer');
    const proj = `${image}.project`;
    const extras = `${image}.extras`;
    buildProject(proj, tools.cpio, projectRoot, cacheDir, entries);
    buildExtras(extras, tools.cpio, projectRoot, addonsOf(projectRoot, entries));
    const tmp = `${image}.tmp-${process.pid}`;
    copyFileSync(base, tmp);
    for (const layer of [proj, extras]) {
      appendFileSync(tmp, readFileSync(layer));
      rmSync(layer);
    }
    renameSync(tmp, image);
    prune(cacheDir, 'image-', relative(cacheDir, image));
  }
  // Mark both as in use, so that a concurrent run's prune leaves them alone.
  const now = new Date();
  for (const f of [base, image]) utimesSync(f, now, now);
  return { initrd: image, baseBuilt, projectBuilt };
}
