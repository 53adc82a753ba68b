// The Debian packages the VM harness needs on the host, installed with apt-get when missing (as root).
import { HarnessError, run, which } from './exec.js';

export interface HostTools {
  qemu: string;
  busybox: string;
  cpio: string;
  ipvsadm: string;
  depmod: string;
  node: string;
  /** iproute2's full `ip`, copied into the guest when the host has it (busybox has a small one). */
  ip: string | undefined;
  /**
   * Debian's keepalived, copied into the guest when the host has it: the checker benchmark runs
   * `keepalived -C` beside vipkeeper on the VM's IPVS (hosts without ip_vs cannot run it). Not
   * installed on demand: the package's postinst starts a keepalived service on the host.
   */
  keepalived: string | undefined;
}

interface Need {
  key: keyof Omit<HostTools, 'node' | 'ip' | 'keepalived'>;
  tool: string;
  pkg: string;
  ok?: (path: string) => boolean;
}

const NEEDS: Need[] = [
  { key: 'qemu', tool: 'qemu-system-x86_64', pkg: 'qemu-system-x86' },
  { key: 'busybox', tool: 'busybox', pkg: 'busybox-static', ok: isStatic },
  { key: 'cpio', tool: 'cpio', pkg: 'cpio' },
  { key: 'ipvsadm', tool: 'ipvsadm', pkg: 'ipvsadm' },
  { key: 'depmod', tool: 'depmod', pkg: 'kmod' },
];

/** The guest has no dynamic loader path of its own for busybox: it must be the static build. */
function isStatic(path: string): boolean {
  const r = run(['ldd', path], { timeoutMs: 10_000 });
  return r.status !== 0 || /not a dynamic|statically linked/.test(r.stdout + r.stderr);
}

function locate(n: Need): string | undefined {
  // busybox-static installs /bin/busybox; a dynamic busybox elsewhere on PATH does not count.
  const candidates = [which(n.tool), n.key === 'busybox' ? '/bin/busybox' : undefined];
  return candidates.find((p): p is string => p !== undefined && (!n.ok || n.ok(p)));
}

function aptInstall(pkgs: string[], log: (s: string) => void): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...pkgs];
  log(`vm harness: installing ${pkgs.join(' ')}`);
  let r = run(args, { env, timeoutMs: 900_000 });
  if (r.status !== 0) {
    // A fresh machine may have empty package lists; refresh once and retry.
    run(['apt-get', 'update', '-q'], { env, timeoutMs: 600_000 });
    r = run(args, { env, timeoutMs: 900_000 });
  }
  if (r.status !== 0) log(`vm harness: apt-get install failed: ${r.stderr.trim().slice(-500)}`);
}

/** Finds every tool, installing the missing Debian packages once when running as root. */
export function ensureHostTools(log: (s: string) => void = () => {}): HostTools {
  let missing = NEEDS.filter((n) => !locate(n));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (missing.length && isRoot && which('apt-get')) {
    aptInstall(missing.map((n) => n.pkg), log);
    missing = NEEDS.filter((n) => !locate(n));
  }
  if (missing.length) {
    const list = missing.map((n) => `${n.tool}${n.ok ? ' (static)' : ''} from Debian package ${n.pkg}`).join(', ');
    throw new HarnessError(`vm harness: missing ${list}; install with: apt-get install -y ${missing.map((n) => n.pkg).join(' ')}`);
  }
  const found = Object.fromEntries(NEEDS.map((n) => [n.key, locate(n)!])) as Omit<HostTools, 'node' | 'ip' | 'keepalived'>;
  return { ...found, node: process.execPath, ip: which('ip'), keepalived: which('keepalived') };
}
