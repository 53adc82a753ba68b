// keepalived.conf lines -> tokens with positions. Handles what keepalived handles before parsing:
// `#`/`!` comments, double-quoted strings, braces as tokens, `$NAME=value` parameters and their
// expansion, `@id` / `@^id` conditional lines, `~SEQ` / `~LST` repetition and `include` (globs,
// relative to the including file, loops refused). Output is a flat list of lines across all files.
// The work is a loop over an explicit stack (files, lines, repetitions), never recursion, so no
// input can exhaust the call stack; a budget bounds what repetition and parameters may produce.
import { dirname, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import type { Diagnostic } from '../model.js';
import { readConfigFileSync } from '../source.js';
import { expandGlob, hasGlob } from './glob.js';
import { colAt, original, slice, trimStart, type Mapped } from './mapped.js';
import { expandParams, PARAM_DEF, type ExpandContext, type Param } from './params.js';
import { isRepeat, parseRepeat } from './repeat.js';
import { tokenizeLine, tokenizeRange, type Token } from './tokens.js';

export { tokenizeLine, type Token } from './tokens.js';
export interface Line { tokens: Token[] }

export interface LexOptions {
  configId?: string;
  /** Each finished line goes here instead of into the result (the parser can consume as it goes). */
  onLine?: (line: Line) => void;
  /**
   * false: every line goes through the general path (a copy of the line, column-mapped rewrites).
   * The default reads plain lines where they lie; the unit tests compare the two.
   */
  fastPath?: boolean;
}

/** Lines produced in all (after repetition and multi-line parameters) and bytes read through includes. */
export const MAX_LINES = 1_000_000;
export const MAX_INCLUDED_BYTES = 64 * 1024 * 1024;
/** Parameters that expand to repetitions that expand to parameters...: deeper than this is a loop. */
export const MAX_NESTING = 32;

/**
 * A file being read. `dollar`, `quote`, `hash` and `bang` are where the next `$`, `"`, `#` and `!`
 * at or after the current line's start are (text.length + 1: none): found once per occurrence by
 * a native search over the file instead of once per line (see plainCut).
 */
type FileWork = { kind: 'file'; file: string; real: string; text: string; pos: number; line: number; dollar: number; quote: number; hash: number; bang: number };
type Work =
  | FileWork
  | { kind: 'line'; file: string; line: number; text: Mapped; depth: number }
  | { kind: 'repeat'; file: string; line: number; vars: string[]; rows: string[][]; next: number; text: Mapped; depth: number }
  | { kind: 'include'; file: string; line: number; col: number; pattern: string; files: string[]; next: number };

interface LexState {
  lines: Line[];
  onLine: (line: Line) => void;
  diagnostics: Diagnostic[];
  params: Map<string, Param>;
  /** Real paths of the files being read, outermost first (include loop detection). */
  open: string[];
  configId: string | undefined;
  work: Work[];
  produced: number;
  bytes: number;
  stopped: boolean;
  fast: boolean;
}

export function lexKeepalived(file: string, text: string, opts: LexOptions = {}): { lines: Line[]; diagnostics: Diagnostic[] } {
  const lines: Line[] = [];
  const st: LexState = {
    lines, onLine: opts.onLine ?? ((l) => { lines.push(l); }), diagnostics: [], params: new Map(), open: [], configId: opts.configId,
    work: [], produced: 0, bytes: text.length, stopped: false, fast: opts.fastPath ?? true,
  };
  openFile(st, file, text);
  while (st.work.length > 0 && !st.stopped) step(st, st.work.pop()!);
  return { lines: st.lines, diagnostics: st.diagnostics };
}

function safeReal(file: string): string {
  try { return realpathSync(file); } catch { return resolve(file); }
}

function diag(st: LexState, severity: 'error' | 'warning', file: string, line: number, col: number, message: string): void {
  st.diagnostics.push({ severity, file, line, col, message });
}

function openFile(st: LexState, file: string, text: string): void {
  const real = safeReal(file);
  st.open.push(real);
  st.work.push({ kind: 'file', file, real, text, pos: 0, line: 0, dollar: -1, quote: -1, hash: -1, bang: -1 });
}

/**
 * The file's next line, as text.split(/\r?\n/) would give it (a line followed by \n loses one
 * trailing \r), or undefined after the last. Cut one at a time: an array of every line of a large
 * file would live through the whole read, and be copied by each garbage collection.
 */
function rawLine(w: FileWork): string | undefined {
  const t = w.text;
  if (w.pos > t.length) return undefined;
  let end = t.indexOf('\n', w.pos);
  const last = end < 0;
  if (last) end = t.length;
  let line = t.slice(w.pos, end);
  if (!last && line.endsWith('\r')) line = line.slice(0, -1);
  w.pos = end + 1;
  w.line++;
  return line;
}

function step(st: LexState, w: Work): void {
  if (w.kind === 'file') { nextFileLine(st, w); return; }
  if (w.kind === 'include') { nextInclude(st, w); return; }
  if (w.kind === 'repeat') {
    const row = w.rows[w.next]!;
    if (w.next + 1 < w.rows.length) st.work.push({ ...w, next: w.next + 1 });
    w.vars.forEach((v, k) => st.params.set(v, { value: row[k]!, multiline: false }));
    pushLine(st, w.file, w.line, w.text, w.depth);
    return;
  }
  processLine(st, w.file, w.line, w.text, w.depth);
}

function pushLine(st: LexState, file: string, line: number, text: Mapped, depth: number): void {
  if (++st.produced > MAX_LINES) {
    diag(st, 'error', file, line, colAt(text, 0), `~SEQ/~LST and parameters produce more than ${MAX_LINES} lines; stopped here`);
    st.stopped = true;
    return;
  }
  st.work.push({ kind: 'line', file, line, text, depth });
}

/** One line of a file (a multi-line `$NAME=... \` definition takes the lines it continues over). */
function nextFileLine(st: LexState, w: FileWork): void {
  let lineNo: number, text: string;
  // Plain lines (see plainLine) are tokenized here in a row, without a trip through the work stack
  // each: nothing they do can add work or stop the lexer.
  for (;;) {
    if (st.fast) {
      // The line where it lies in the file: no copy of it unless it needs the general path.
      const t = w.text, start = w.pos;
      if (start > t.length) { st.open.pop(); return; }
      let nl = t.indexOf('\n', start);
      if (nl < 0) nl = t.length;
      const end = nl < t.length && nl > start && t.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const cut = plainCut(w, start, end);
      if (cut >= 0) {
        w.pos = nl + 1;
        const lineNo = ++w.line;
        const tokens = tokenizeRange(st, w.file, lineNo, t, start, cut, start);
        if (tokens.length > 0) st.onLine({ tokens });
        continue;
      }
    }
    const raw = rawLine(w);
    if (raw === undefined) { st.open.pop(); return; }
    lineNo = w.line;
    text = raw;
    text = text.slice(0, commentStart(text));
    if (!plainLine(text)) break;
    // Nothing to rewrite: tokenized where it lies (columns are offsets + 1), as emit would.
    const tokens = tokenizeLine(st, w.file, lineNo, text);
    if (tokens.length > 0) st.onLine({ tokens });
  }
  st.work.push(w);
  if (/^\s*(@\S+\s+)?\$[A-Za-z_][A-Za-z0-9_]*[ \t]*=/.test(text)) {
    // keepalived's multi-line definitions: each line but the last ends in `\`.
    let next: string | undefined;
    while (/\\\s*$/.test(text) && (next = rawLine(w)) !== undefined) {
      text = `${text.replace(/\s*\\\s*$/, '')}\n${next.slice(0, commentStart(next)).trim()}`;
    }
    text = text.replace(/\s*\\\s*$/, '');
  }
  processLine(st, w.file, lineNo, original(text), 0);
}

/** Index of the next `ch` in `t` at or after `from` (t.length + 1: none), kept from `known` while still ahead. */
function nextAt(t: string, ch: string, from: number, known: number): number {
  if (known >= from) return known;
  const i = t.indexOf(ch, from);
  return i < 0 ? t.length + 1 : i;
}

/**
 * For the file line `t[start, end)`: where its comment starts (`end` without one) when it is a
 * plain line (below) without a double quote, whose words can be read where they lie; -1 for any
 * other line, which takes the general path. Conservative: a first word starting with anything but
 * printable ASCII, or with `include`, goes the general way too.
 */
function plainCut(w: FileWork, start: number, end: number): number {
  const t = w.text;
  if ((w.quote = nextAt(t, '"', start, w.quote)) < end) return -1;
  let cut = end;
  if ((w.hash = nextAt(t, '#', start, w.hash)) < cut) cut = w.hash;
  if ((w.bang = nextAt(t, '!', start, w.bang)) < cut) cut = w.bang;
  if ((w.dollar = nextAt(t, '$', start, w.dollar)) < cut) return -1;
  let i = start;
  while (i < cut && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
  if (i === cut) return cut;
  const c = t.charCodeAt(i);
  if (c <= 32 || c >= 127 || c === 64 || c === 126) return -1; // other white space, non-ASCII, @, ~
  if (c === 105 && t.startsWith('include', i)) return -1;
  return cut;
}

/**
 * A line processLine would hand to emit unchanged and emit would tokenize: no parameter (`$`), no
 * `@id`, no `~SEQ`/`~LST`, not an include. Most lines of a large file are such lines, and skipping
 * the column-mapped copies (mapped.ts) of each is most of the lexer's time and garbage.
 */
function plainLine(text: string): boolean {
  if (text.includes('$')) return false;
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  const c = text[i];
  return c !== '@' && c !== '~' && !(c === 'i' && INCLUDE.test(text)) && !/^\s/.test(text.slice(i, i + 1));
}

function processLine(st: LexState, file: string, lineNo: number, text: Mapped, depth: number): void {
  if (depth > MAX_NESTING) {
    diag(st, 'error', file, lineNo, colAt(text, 0), `parameters and ~SEQ/~LST nest more than ${MAX_NESTING} deep here (does a parameter refer to itself?)`);
    return;
  }
  let cur = trimStart(text);
  if (cur.text.startsWith('@')) {
    // `@id rest`: keep `rest` only where the config-id is `id` (`@^id`: everywhere else).
    const m = /^@(\^?)(\S+)[ \t]+/.exec(cur.text);
    if (!m) return;
    if ((m[1] === '^') === (st.configId === m[2])) return;
    cur = slice(cur, m[0].length);
  }
  const def = cur.text.startsWith('$') ? PARAM_DEF.exec(cur.text) : null;
  if (def) { st.params.set(def[1]!, { value: def[2]!.trim(), multiline: def[2]!.includes('\n') }); return; }
  if (cur.text.startsWith('~') && isRepeat(cur.text)) { repeat(st, file, lineNo, cur, depth); return; }
  if (cur.text.includes('$')) {
    const cx: ExpandContext = { params: st.params, file, configId: st.configId };
    const expanded = expandParams(cx, cur, (sev, col, message) => diag(st, sev, file, lineNo, col, message));
    if (!expanded) return;
    if (expanded.text !== cur.text) {
      // The result is read again as lines of its own: it may hold `@id`, a definition, a
      // repetition, or (a multi-line value) several lines.
      const parts = splitLines(expanded);
      for (let k = parts.length - 1; k >= 0; k--) pushLine(st, file, lineNo, parts[k]!, depth + 1);
      return;
    }
  }
  emit(st, file, lineNo, cur);
}

function splitLines(m: Mapped): Mapped[] {
  const out: Mapped[] = [];
  let from = 0;
  for (let nl = m.text.indexOf('\n'); nl >= 0; nl = m.text.indexOf('\n', from)) {
    out.push(slice(m, from, nl));
    from = nl + 1;
  }
  out.push(slice(m, from));
  return out;
}

function repeat(st: LexState, file: string, lineNo: number, cur: Mapped, depth: number): void {
  // Parameters in the header are expanded first (`~SEQ(i, 1, $COUNT)`); the rest is left for each row.
  const close = cur.text.indexOf(')');
  let header = close < 0 ? cur : slice(cur, 0, close + 1);
  if (header.text.includes('$')) {
    const cx: ExpandContext = { params: st.params, file, configId: st.configId };
    const h = expandParams(cx, header, (sev, col, message) => diag(st, sev, file, lineNo, col, message));
    if (!h) return;
    header = h;
  }
  const restText = close < 0 ? '' : cur.text.slice(close + 1);
  const r = parseRepeat(header.text + restText);
  if ('message' in r) { diag(st, 'error', file, lineNo, colAt(cur, 0), r.message); return; }
  const rest = slice(cur, close + 1 + (r.rest - header.text.length));
  st.work.push({ kind: 'repeat', file, line: lineNo, vars: r.vars, rows: r.rows, next: 0, text: rest, depth: depth + 1 });
}

/** A finished line: an include, or tokens for the parser. */
function emit(st: LexState, file: string, lineNo: number, text: Mapped): void {
  // The include pattern is read raw: `{a,b}` in it is a brace glob, not a block.
  const inc = INCLUDE.exec(text.text);
  if (inc) { includeLine(st, file, lineNo, text, inc[1] ?? ''); return; }
  const tokens = tokenizeLine(st, file, lineNo, text.text, (i) => colAt(text, i));
  if (tokens.length > 0) st.onLine({ tokens });
}

/** Index of the first unquoted # or !, or the text length. */
export function commentStart(text: string): number {
  // Without a quote the answer is the first '#' or '!': found natively, not by a loop per character.
  if (!text.includes('"')) {
    const hash = text.indexOf('#'), bang = text.indexOf('!');
    if (hash < 0) return bang < 0 ? text.length : bang;
    return bang < 0 || hash < bang ? hash : bang;
  }
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === '#' || c === '!')) return i;
  }
  return text.length;
}

/** `include PATTERN` (`?` keeps the pattern optional so a bare include is reported). */
const INCLUDE = /^\s*include(?:\s+(.*?))?\s*$/;

function includeLine(st: LexState, file: string, line: number, lineText: Mapped, written: string): void {
  // keepalived reads the pattern as it is; a quoted one is taken too, without its quotes.
  const text = written.replace(/^"(.*)"$/, '$1');
  const kwCol = colAt(lineText, lineText.text.indexOf('include'));
  if (!text) { diag(st, 'error', file, line, kwCol, 'include needs a file name or glob'); return; }
  const col = colAt(lineText, lineText.text.indexOf(written, lineText.text.indexOf('include') + 7));
  const pattern = resolve(dirname(file), text);
  const files = hasGlob(text) ? expandGlob(pattern) : [pattern];
  if (files.length === 0) diag(st, 'warning', file, line, col, `include ${text}: no file matches`);
  else st.work.push({ kind: 'include', file, line, col, pattern: text, files, next: 0 });
}

/** The next file of an include; it is read to its end (and leaves the loop check) before the one after it. */
function nextInclude(st: LexState, w: Extract<Work, { kind: 'include' }>): void {
  const f = w.files[w.next]!;
  if (w.next + 1 < w.files.length) st.work.push({ ...w, next: w.next + 1 });
  const real = safeReal(f);
  if (st.open.includes(real)) {
    diag(st, 'error', w.file, w.line, w.col, `include loop: ${[...st.open, real].join(' -> ')}`);
    return;
  }
  const src = readConfigFileSync(f);
  if ('error' in src) { diag(st, 'error', w.file, w.line, w.col, `include ${w.pattern}: ${f}: ${src.error.message}`); return; }
  st.bytes += src.text.length;
  if (st.bytes > MAX_INCLUDED_BYTES) {
    diag(st, 'error', w.file, w.line, w.col, `include ${w.pattern}: the configuration and its includes exceed ${MAX_INCLUDED_BYTES / 1024 / 1024} MiB; stopped here`);
    st.stopped = true;
    return;
  }
  openFile(st, f, src.text);
}
