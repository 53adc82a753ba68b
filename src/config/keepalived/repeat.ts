// keepalived 2.2's repetition prefixes: `~SEQ(var, [start,] [step,] end) REST`, `~SEQx(...)`
// (hexadecimal values) and `~LST(var, v1, v2, ...)` / `~LST({a, b}, {1, 2}, {3, 4}) REST`. REST is
// read once per value with the variables set as parameters; REST may start with another prefix.

/** One repetition: the variables, the rows of values (one value per variable), where REST starts. */
export interface Repeat { vars: string[]; rows: string[][]; rest: number }
export interface RepeatError { offset: number; message: string }

/** More rows than this in one prefix is refused (nested prefixes multiply; see the lexer's budget). */
export const MAX_REPEAT = 100_000;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const isRepeat = (text: string): boolean => /^~(SEQx?|LST)\s*\(/.test(text);

/** `text` starts with ~SEQ, ~SEQx or ~LST (parameters in the header already expanded). */
export function parseRepeat(text: string): Repeat | RepeatError {
  const m = /^~(SEQx?|LST)\s*\(/.exec(text)!;
  const close = text.indexOf(')', m[0].length);
  if (close < 0) return { offset: 0, message: `~${m[1]}: missing ')'` };
  const body = text.slice(m[0].length, close);
  let rest = close + 1;
  while (rest < text.length && /\s/.test(text[rest]!)) rest++;
  const r = m[1] === 'LST' ? list(body) : seq(body, m[1] === 'SEQx');
  if ('message' in r) return { offset: 0, message: r.message };
  if (rest >= text.length) return { offset: 0, message: `~${m[1]}(${body}) repeats nothing: the line must continue after ')'` };
  return { ...r, rest };
}

function num(text: string): number | undefined {
  const t = text.trim();
  if (/^[-+]?0x[0-9a-f]+$/i.test(t)) return (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[-+]/, ''), 16);
  if (/^[-+]?(0|[1-9]\d{0,14})$/.test(t)) return Number(t);
  return undefined;
}

function seq(body: string, hex: boolean): Omit<Repeat, 'rest'> | { message: string } {
  const parts = body.split(',').map((s) => s.trim());
  const what = `~SEQ${hex ? 'x' : ''}(${body})`;
  const v = parts[0]!;
  if (!NAME.test(v)) return { message: `${what}: '${v}' is not a variable name` };
  if (parts.length < 2 || parts.length > 4) return { message: `${what}: expected (var, [start,] [step,] end)` };
  const ns = parts.slice(1).map(num);
  const bad = ns.findIndex((n) => n === undefined);
  if (bad >= 0) return { message: `${what}: '${parts[bad + 1]}' is not a number (decimal, or hex with 0x; keepalived reads a leading 0 as octal)` };
  let start: number, step: number, end: number;
  if (ns.length === 1) { end = ns[0]!; step = end < 1 ? -1 : 1; start = end < 0 ? -1 : 1; }
  else if (ns.length === 2) { [start, end] = ns as [number, number]; step = start <= end ? 1 : -1; }
  else {
    [start, step, end] = ns as [number, number, number];
    if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) return { message: `${what}: step ${step} never goes from ${start} to ${end}` };
  }
  if (hex && (start < 0 || end < 0)) return { message: `${what}: ~SEQx takes positive numbers only` };
  const count = Math.floor((end - start) / step) + 1;
  if (count > MAX_REPEAT) return { message: `${what}: ${count} values; the limit is ${MAX_REPEAT}` };
  const rows: string[][] = [];
  for (let i = 0, n = start; i < count; i++, n += step) rows.push([hex ? n.toString(16) : String(n)]);
  return { vars: [v], rows };
}

/** `v, a, b` or `{v, w}, {a, b}, {c, d}`. */
function list(body: string): Omit<Repeat, 'rest'> | { message: string } {
  const what = `~LST(${body})`;
  const trimmed = body.trim();
  let groups: string[][];
  if (trimmed.startsWith('{')) {
    groups = [];
    const re = /\{([^{}]*)\}\s*(?:,\s*|$)/y;
    let at = 0;
    while (at < trimmed.length) {
      re.lastIndex = at;
      const g = re.exec(trimmed);
      if (!g) return { message: `${what}: expected {var, ...}, {value, ...}, ...` };
      groups.push(g[1]!.split(',').map((s) => s.trim()));
      at = re.lastIndex;
    }
  } else {
    const parts = trimmed.split(',').map((s) => s.trim());
    groups = parts.map((p) => [p]);
  }
  // keepalived 2.2.7 refuses quoted values ("Invalid ~LST specification"); so do we, by name.
  if (groups.some((g) => g.some((v) => v.includes('"')))) return { message: `${what}: values cannot be quoted (keepalived refuses them too)` };
  const vars = groups[0]!;
  const rows = groups.slice(1);
  const badVar = vars.find((x) => !NAME.test(x));
  if (badVar !== undefined) return { message: `${what}: '${badVar}' is not a variable name` };
  if (rows.length === 0) return { message: `${what}: no values` };
  const uneven = rows.find((r) => r.length !== vars.length);
  if (uneven) return { message: `${what}: {${uneven.join(', ')}} has ${uneven.length} value${uneven.length === 1 ? '' : 's'} for ${vars.length} variable${vars.length === 1 ? '' : 's'}` };
  if (rows.length > MAX_REPEAT) return { message: `${what}: ${rows.length} values; the limit is ${MAX_REPEAT}` };
  return { vars, rows };
}
