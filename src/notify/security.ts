// Script security (keepalived's enable_script_security): when the daemon runs as root, a script
// that a non-root user could modify — the file or any directory above it — is refused, since
// running it would hand root to that user.
export interface StatLike { uid: number; mode: number; isDirectory(): boolean }

export interface SecurityDeps {
  stat(path: string): StatLike | undefined;
  /** The uid the script would run as; only root runs are guarded as keepalived does. */
  runAsUid: number;
}

const S_IWGRP = 0o020;
const S_IWOTH = 0o002;

/** Returns a reason to refuse running `path`, or undefined when it is safe. */
export function unsafeReason(path: string, deps: SecurityDeps): string | undefined {
  if (!path.startsWith('/')) return `${path}: not an absolute path`;
  const st = deps.stat(path);
  if (!st) return `${path}: no such file`;
  const parts = path.split('/').filter(Boolean);
  for (let i = parts.length; i >= 0; i--) {
    const p = `/${parts.slice(0, i).join('/')}`;
    const s = i === parts.length ? st : deps.stat(p);
    if (!s) return `${p}: cannot stat`;
    const why = writableByOthers(s, deps.runAsUid);
    if (why) return `${p}: ${why}`;
  }
  return undefined;
}

function writableByOthers(s: StatLike, runAs: number): string | undefined {
  if (s.uid !== 0 && s.uid !== runAs) return `owned by uid ${s.uid}`;
  // The sticky bit on a directory (/tmp) still lets others replace their own files, not ours.
  const sticky = s.isDirectory() && (s.mode & 0o1000) !== 0;
  if ((s.mode & S_IWOTH) && !sticky) return 'writable by others';
  if ((s.mode & S_IWGRP) && !sticky) return 'writable by its group';
  return undefined;
}
