// keepalived's `$NAME=value` parameters: definitions, and their `$NAME` / `${NAME}` expansion in a
// line, keeping each character's source column (an inserted value maps to its `$`).
import { dirname } from 'node:path';
import { colAt, concat, inserted, slice, type Mapped } from './mapped.js';

export interface Param { value: string; multiline: boolean }
export type Tell = (severity: 'error' | 'warning', col: number, message: string) => void;

/** `$NAME=value` (keepalived allows blanks before the `=`). */
export const PARAM_DEF = /^\$([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/s;
const PARAM_USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/** keepalived expands a bare $NAME only when one of these (or the line end) follows it. */
const NAME_END = new Set([' ', '\t', ',', ')']);
/** A line longer than this after expansion means a parameter that refers to itself. */
export const MAX_EXPANDED_CHARS = 1 << 20;

/** keepalived's predefined parameters that are deterministic ($_RANDOM is not: refused). */
function builtin(name: string, file: string, configId: string | undefined): string | undefined {
  if (name === '_PWD') return dirname(file);
  if (name === '_INSTANCE') return configId;
  if (name === '_HASH') return '#';
  if (name === '_BANG') return '!';
  return undefined;
}

export interface ExpandContext { params: Map<string, Param>; file: string; configId: string | undefined }

/**
 * One pass of expansion over the line: values are inserted as written, not expanded themselves.
 * The caller reads the result again as a new line (as keepalived re-checks it): a value may be
 * `@id ...`, a definition, a ~SEQ line, or (multi-line) several lines, and a ~SEQ line's `${var}`
 * must wait for its repetition. Returns undefined (after telling) when the line grows too long.
 */
export function expandParams(cx: ExpandContext, line: Mapped, tell: Tell): Mapped | undefined {
  const told = new Set<string>();
  const once = (name: string, col: number, message: string) => {
    if (!told.has(name)) tell('warning', col, message);
    told.add(name);
  };
  const cur = line;
  const parts: Mapped[] = [];
  let last = 0;
  let changed = false;
  for (const m of cur.text.matchAll(PARAM_USE)) {
    const at = m.index!;
    const name = (m[1] ?? m[2])!;
    const col = colAt(cur, at);
    const p = cx.params.get(name);
    const value = p?.value ?? builtin(name, cx.file, cx.configId);
    if (value === undefined) {
      // `$X_${i}=1` becomes a definition once expanded: its own name is not a use.
      if (at === 0 && /^[ \t]*=/.test(cur.text.slice(at + m[0].length))) continue;
      once(name, col, name === '_RANDOM' ? '$_RANDOM is not supported by vipkeeper (a configuration should not change between reads); left as written' : `parameter $${name} is not defined; left as written`);
      continue;
    }
    const after = cur.text[at + m[0].length];
    if (m[2] !== undefined && after !== undefined && !NAME_END.has(after)) {
      once(name, col, `$${name} is followed by '${after}' so it is not expanded (keepalived expands $NAME only before a space, ',' or ')'); write \${${name}}`);
      continue;
    }
    parts.push(slice(cur, last, at), inserted(value, col));
    last = at + m[0].length;
    changed = true;
  }
  if (!changed) return cur;
  parts.push(slice(cur, last));
  const out = concat(parts);
  if (out.text.length > MAX_EXPANDED_CHARS) {
    tell('error', colAt(line, 0), `parameters expand this line past ${MAX_EXPANDED_CHARS} characters (does one refer to itself?)`);
    return undefined;
  }
  return out;
}
