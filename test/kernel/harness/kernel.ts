// Debian's cloud kernel for the VM: resolved through linux-image-cloud-amd64, fetched with
// `apt-get download`, unpacked with `dpkg -x` into the cache. Nothing is installed on the host.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, mustRun, run } from './exec.js';

export const META_PACKAGE = 'linux-image-cloud-amd64';

export interface Kernel {
  pkg: string;
  pkgVersion: string;
  /** `uname -r` of the kernel, the directory name under lib/modules. */
  release: string;
  vmlinuz: string;
  /** Unpacked package root: boot/, lib/modules/<release>/ with modules.dep (depmod run). */
  root: string;
}

/** From `apt-cache depends` output: the linux-image-* package a meta package depends on. */
export function parseImageDependency(text: string): string | undefined {
  const m = /^\s*Depends:\s*(linux-image-[^\s<>]+)/m.exec(text);
  return m?.[1];
}

/** From `apt-cache show --no-all-versions` output: the Version field. */
export function parseVersion(text: string): string | undefined {
  return /^Version:\s*(\S+)/m.exec(text)?.[1];
}

function aptQuery(args: string[]): string {
  const r = run(['apt-cache', ...args], { timeoutMs: 60_000 });
  return r.status === 0 ? r.stdout : '';
}

/**
 * apt-cache takes seconds per query; the answer only changes when the package lists do, so it is
 * remembered with the lists directory's mtime (apt-get update renames files into it).
 */
function resolveCached(kernels: string, log: (s: string) => void): { pkg: string; version: string } {
  const memo = join(kernels, 'resolved.json');
  let lists = '';
  try { lists = String(statSync('/var/lib/apt/lists').mtimeMs); } catch { /* no apt lists: ask apt-cache */ }
  try {
    const m = JSON.parse(readFileSync(memo, 'utf8')) as { lists: string; pkg: string; version: string };
    if (lists && m.lists === lists) return m;
  } catch { /* no memo yet */ }
  const r = resolvePackage(log);
  mkdirSync(kernels, { recursive: true });
  try { lists = String(statSync('/var/lib/apt/lists').mtimeMs); } catch { lists = ''; }
  writeFileSync(memo, JSON.stringify({ lists, ...r }));
  return r;
}

function resolvePackage(log: (s: string) => void): { pkg: string; version: string } {
  let pkg = parseImageDependency(aptQuery(['depends', META_PACKAGE]));
  if (!pkg) {
    log('vm harness: apt-cache does not know the cloud kernel yet, running apt-get update');
    run(['apt-get', 'update', '-q'], { timeoutMs: 600_000 });
    pkg = parseImageDependency(aptQuery(['depends', META_PACKAGE]));
  }
  if (!pkg) throw new HarnessError(`vm harness: cannot resolve the kernel package: apt-cache depends ${META_PACKAGE} names no linux-image-* (is this Debian with its main archive in sources.list?)`);
  const version = parseVersion(aptQuery(['show', '--no-all-versions', pkg]));
  if (!version) throw new HarnessError(`vm harness: apt-cache show ${pkg} gives no Version`);
  return { pkg, version };
}

function unpack(dir: string, pkg: string, version: string, log: (s: string) => void): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`vm harness: apt-get download ${pkg}=${version}`);
  const dl = run(['apt-get', 'download', `${pkg}=${version}`], { cwd: tmp, timeoutMs: 900_000 });
  const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
  if (!deb) throw new HarnessError(`vm harness: apt-get download ${pkg}=${version} failed: ${dl.stderr.trim().slice(-800)}`);
  mustRun(['dpkg', '-x', join(tmp, deb), join(tmp, 'root')], { timeoutMs: 300_000 });
  rmSync(join(tmp, deb));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function findKernel(root: string): { release: string; vmlinuz: string } {
  const modDir = join(root, 'lib/modules');
  const release = existsSync(modDir) ? readdirSync(modDir)[0] : undefined;
  const vmlinuz = release ? join(root, 'boot', `vmlinuz-${release}`) : undefined;
  if (!release || !vmlinuz || !existsSync(vmlinuz)) throw new HarnessError(`vm harness: no boot/vmlinuz-* with lib/modules/* in ${root}`);
  return { release, vmlinuz };
}

/** Returns the unpacked cloud kernel, downloading it into cacheDir/kernel/ the first time. */
export function ensureKernel(cacheDir: string, depmod: string, log: (s: string) => void = () => {}): Kernel {
  const kernels = join(cacheDir, 'kernel');
  let resolved: { pkg: string; version: string };
  try {
    resolved = resolveCached(kernels, log);
  } catch (e) {
    // Offline with a kernel already unpacked: use it rather than fail.
    const cached = existsSync(kernels) ? readdirSync(kernels).filter((d) => existsSync(join(kernels, d, 'ok'))) : [];
    if (cached.length !== 1) throw e;
    const [pkg = '', version = ''] = cached[0]!.split('_');
    log(`vm harness: ${(e as Error).message}; using the cached ${cached[0]}`);
    resolved = { pkg, version };
  }
  const { pkg, version } = resolved;
  const name = `${pkg}_${version.replace(/[^\w.+-]/g, '_')}`;
  const dir = join(kernels, name);
  const root = join(dir, 'root');
  if (!existsSync(join(dir, 'ok'))) {
    unpack(dir, pkg, version, log);
    const { release } = findKernel(root);
    // The .deb ships no modules.dep (the postinst makes it); build it on the unpacked tree.
    mustRun([depmod, '-b', root, release], { timeoutMs: 300_000 });
    mustRun(['touch', join(dir, 'ok')]);
    // Keep one kernel: a security update replaces the previous download.
    for (const old of readdirSync(kernels)) {
      if (old !== name && old !== 'resolved.json' && !old.includes('.tmp-')) rmSync(join(kernels, old), { recursive: true, force: true });
    }
  }
  return { pkg, pkgVersion: version, root, ...findKernel(root) };
}
