// The glob subset keepalived's `include` uses (glob(3) without braces): `*`, `?` and `[...]`
// inside path segments. Matches are returned sorted, files only, like glob(3) with GLOB_MARK filtered.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

export function hasGlob(pattern: string): boolean { return /[*?[]/.test(pattern); }

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = seg.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Absolute pattern -> sorted list of existing regular files. Hidden files need an explicit dot. */
export function expandGlob(pattern: string): string[] {
  if (!isAbsolute(pattern)) throw new Error(`glob pattern must be absolute: ${pattern}`);
  const segs = pattern.split(sep).filter((s) => s !== '');
  let paths: string[] = [sep];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const next: string[] = [];
    for (const base of paths) {
      if (!hasGlob(seg)) { next.push(join(base, seg)); continue; }
      const re = segmentRegex(seg);
      let names: string[];
      try { names = readdirSync(base); } catch { continue; }
      for (const n of names.sort()) if (re.test(n) && (seg.startsWith('.') || !n.startsWith('.'))) next.push(join(base, n));
    }
    paths = next;
  }
  return paths.filter((p) => { try { return statSync(p).isFile(); } catch { return false; } });
}
