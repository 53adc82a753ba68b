// The glob keepalived's `include` uses (glob(3) with GLOB_BRACE): `{a,b}` alternatives, then `*`,
// `?` and `[...]` inside path segments. Each alternative's matches come sorted, in the order the
// alternatives are written, files only (like glob(3) with GLOB_MARK entries filtered out).
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

export function hasGlob(pattern: string): boolean { return /[*?[]/.test(pattern) || braceAlternatives(pattern).length > 1; }

const MAX_BRACES = 8;

/** `a{b,c{d,e}}f` -> [abf, acdf, acef]; a brace without a matching close or comma is literal. */
export function braceAlternatives(pattern: string): string[] {
  const open = pattern.indexOf('{');
  // Alternatives multiply; past this many braces a pattern is taken literally rather than expanded.
  if (open < 0 || pattern.split('{').length > MAX_BRACES + 1) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && --depth === 0) {
      const head = pattern.slice(0, open), tail = pattern.slice(i + 1);
      if (commas.length === 0) return braceAlternatives(tail).map((t) => pattern.slice(0, i + 1) + t);
      const cuts = [open, ...commas, i];
      return cuts.slice(1).flatMap((end, k) => braceAlternatives(head + pattern.slice(cuts[k]! + 1, end) + tail));
    }
  }
  return [pattern];
}

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
  const seen = new Set<string>();
  return braceAlternatives(pattern).flatMap(expandOne).filter((f) => !seen.has(f) && seen.add(f));
}

function expandOne(pattern: string): string[] {
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
