// Resolves user and group names to ids from /etc/passwd and /etc/group (Node has no getpwnam).
import { readFileSync } from 'node:fs';

function lookup(file: string, name: string, field: number): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch { return undefined; }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[field] !== undefined) return Number(f[field]);
  }
  return undefined;
}

/** uid and primary gid of a user (name or number). */
export function userIds(user: string): { uid: number; gid: number } | undefined {
  const uid = lookup('/etc/passwd', user, 2);
  if (uid === undefined) return undefined;
  return { uid, gid: lookup('/etc/passwd', user, 3) ?? uid };
}

export function groupId(group: string): number | undefined { return lookup('/etc/group', group, 2); }
