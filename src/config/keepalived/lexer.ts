// keepalived.conf lines -> tokens with positions. Handles what keepalived handles before parsing:
// `#`/`!` comments, double-quoted strings, braces as tokens, `$NAME=value` parameters and their
// `$NAME` / `${NAME}` expansion, `@id` / `@^id` conditional lines and `include` (globs, relative
// to the including file, loops refused). Output is a flat list of lines across all files.
import { dirname, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import type { Diagnostic } from '../model.js';
import { readConfigFileSync } from '../source.js';
import { expandGlob, hasGlob } from './glob.js';

export interface Token { text: string; quoted: boolean; file: string; line: number; col: number }
export interface Line { tokens: Token[] }

export interface LexOptions { configId?: string }

interface LexState {
  lines: Line[];
  diagnostics: Diagnostic[];
  params: Map<string, string>;
  /** Real paths of the files being read, outermost first (include loop detection). */
  stack: string[];
  configId: string | undefined;
}

/** Characters that end an unquoted word: whitespace, braces, quote, comment starts. */
const WORD_END = new Set([...' \t\r\n\f\v{}"#!'].map((c) => c.charCodeAt(0)));
const PARAM_DEF = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const PARAM_USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function lexKeepalived(file: string, text: string, opts: LexOptions = {}): { lines: Line[]; diagnostics: Diagnostic[] } {
  const st: LexState = { lines: [], diagnostics: [], params: new Map(), stack: [safeReal(file)], configId: opts.configId };
  lexText(st, file, text);
  return { lines: st.lines, diagnostics: st.diagnostics };
}

function safeReal(file: string): string {
  try { return realpathSync(file); } catch { return resolve(file); }
}

function diag(st: LexState, severity: 'error' | 'warning', file: string, line: number, col: number, message: string): void {
  st.diagnostics.push({ severity, file, line, col, message });
}

function lexText(st: LexState, file: string, text: string): void {
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    let lineText = raw[i]!;
    const lineNo = i + 1;
    let offset = 0;
    const trimmed = lineText.trimStart();
    if (trimmed.startsWith('@')) {
      // `@id rest`: keep `rest` only on the host whose config-id is `id` (`@^id`: all others).
      const m = /^@(\^?)(\S+)\s*/.exec(trimmed);
      if (!m) continue;
      const match = st.configId === m[2];
      if ((m[1] === '^') === match) continue;
      offset = lineText.length - trimmed.length + m[0].length;
      lineText = ' '.repeat(offset) + trimmed.slice(m[0].length);
    }
    const def = lineText.includes('=') ? PARAM_DEF.exec(lineText.trim()) : null;
    if (def) { i = defineParam(st, def[1]!, def[2]!, raw, i); continue; }
    const expanded = lineText.includes('$') ? expandParams(st, file, lineNo, lineText) : lineText;
    // A multi-line parameter expands to several lines, all reported at the line that used it.
    for (const part of expanded.split('\n')) {
      // The include pattern is read raw: `{a,b}` in it is a brace glob, not a block.
      const inc = INCLUDE.exec(part);
      if (inc) { includeLine(st, file, lineNo, part, inc[1] ?? ''); continue; }
      const tokens = tokenizeLine(st, file, lineNo, part);
      if (tokens.length > 0) st.lines.push({ tokens });
    }
  }
}

/**
 * `$NAME=value`; a value ending in `\` continues on the next line (keepalived's multi-line
 * definitions, used to stamp out whole blocks). Returns the index of the last line consumed.
 */
function defineParam(st: LexState, name: string, first: string, raw: string[], i: number): number {
  const parts: string[] = [];
  let value = first;
  for (;;) {
    value = value.slice(0, commentStart(value)).trim();
    if (!value.endsWith('\\') || i + 1 >= raw.length) break;
    parts.push(value.slice(0, -1).trimEnd());
    value = raw[++i]!;
  }
  parts.push(value.endsWith('\\') ? value.slice(0, -1).trimEnd() : value);
  st.params.set(name, parts.join('\n'));
  return i;
}

/** keepalived expands a bare $NAME only when one of these (or the line end) follows it. */
const NAME_END = new Set([' ', '\t', ',', ')']);
/** Parameters may refer to parameters; a deeper chain or a longer line means a self-reference. */
const MAX_EXPANSION_DEPTH = 16;
const MAX_EXPANDED_CHARS = 65_536;

function expandParams(st: LexState, file: string, line: number, text: string): string {
  // Expansion stops at a comment so `# cost $5` stays a comment.
  const cut = commentStart(text);
  let head = text.slice(0, cut);
  const told = new Set<string>();
  const tell = (name: string, col: number, message: string) => {
    if (!told.has(name)) diag(st, 'warning', file, line, col, message);
    told.add(name);
  };
  for (let pass = 0; ; pass++) {
    if (pass === MAX_EXPANSION_DEPTH || head.length > MAX_EXPANDED_CHARS) {
      diag(st, 'error', file, line, 1, `parameters nest more than ${MAX_EXPANSION_DEPTH} deep or expand past ${MAX_EXPANDED_CHARS} characters (does one refer to itself?)`);
      return '';
    }
    const next = head.replace(PARAM_USE, (whole, braced: string | undefined, bare: string | undefined, at: number, all: string) => {
      const name = (braced ?? bare)!;
      const value = st.params.get(name);
      if (value === undefined) { tell(name, at + 1, `parameter $${name} is not defined; left as written`); return whole; }
      const after = all[at + whole.length];
      if (bare !== undefined && after !== undefined && !NAME_END.has(after)) {
        tell(name, at + 1, `$${name} is followed by '${after}' so it is not expanded (keepalived expands $NAME only before a space, ',' or ')'); write \${${name}}`);
        return whole;
      }
      return value;
    });
    if (next === head) break;
    head = next;
  }
  return head + text.slice(cut);
}

/** Index of the first unquoted # or !, or the text length. */
function commentStart(text: string): number {
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === '#' || c === '!')) return i;
  }
  return text.length;
}

/**
 * Keywords whose value is a command line. keepalived re-reads the rest of such a line with
 * shell-like quoting ('...', "..." and backslash escapes), so `notify "sh -c \"echo x\""` and
 * `script '/bin/check a'` mean what they say.
 */
const COMMAND_KEYWORDS = new Set([
  'script', 'misc_path', 'notify', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop',
  'notify_up', 'notify_down', 'quorum_up', 'quorum_down',
]);

type Diags = Pick<LexState, 'diagnostics'>;
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
const unterminated = (st: Diags, file: string, line: number, col: number) =>
  st.diagnostics.push({ severity: 'error', file, line, col, message: 'unterminated quoted string' });

export function tokenizeLine(st: Diags, file: string, line: number, text: string): Token[] {
  const out: Token[] = [];
  let statementStart = true; // the next word is a keyword (line start, or after a brace)
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) { i++; continue; }
    if (c === '#' || c === '!') break;
    if (c === '{' || c === '}') { out.push({ text: c, quoted: false, file, line, col: i + 1 }); i++; statementStart = true; continue; }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) { unterminated(st, file, line, i + 1); return out; }
      out.push({ text: text.slice(i + 1, end), quoted: true, file, line, col: i + 1 });
      i = end + 1;
      statementStart = false;
      continue;
    }
    let j = i;
    while (j < text.length && !WORD_END.has(text.charCodeAt(j))) j++;
    const word = text.slice(i, j);
    out.push({ text: word, quoted: false, file, line, col: i + 1 });
    if (statementStart && COMMAND_KEYWORDS.has(word)) return out.concat(tokenizeCommand(st, file, line, text, j));
    statementStart = false;
    i = j;
  }
  return out;
}

/** The rest of a command keyword's line, split the way keepalived splits script lines. */
function tokenizeCommand(st: Diags, file: string, line: number, text: string, from: number): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < text.length) {
    if (isSpace(text[i]!)) { i++; continue; }
    if (text[i] === '#' || text[i] === '!') break;
    const col = i + 1;
    let word = '', quote = '', quoted = false;
    for (; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < text.length) { word += text[++i]; continue; }
      if (quote) { if (ch === quote) quote = ''; else word += ch; continue; }
      if (isSpace(ch)) break;
      if (ch === '"' || ch === "'") { quote = ch; quoted = true; continue; }
      word += ch;
    }
    if (quote) { unterminated(st, file, line, col); return out; }
    out.push({ text: word, quoted, file, line, col });
  }
  return out;
}

/** `include PATTERN`, the pattern up to a comment (`?` keeps it optional so a bare include is reported). */
const INCLUDE = /^\s*include(?:\s+([^#!]*?))?\s*(?:[#!].*)?$/;

function includeLine(st: LexState, file: string, line: number, lineText: string, written: string): void {
  // keepalived reads the pattern as it is; a quoted one is taken too, without its quotes.
  const text = written.replace(/^"(.*)"$/, '$1');
  if (!text) { diag(st, 'error', file, line, lineText.indexOf('include') + 1, 'include needs a file name or glob'); return; }
  const argCol = lineText.indexOf(written, lineText.indexOf('include') + 7) + 1;
  const pattern = resolve(dirname(file), text);
  const files = hasGlob(text) ? expandGlob(pattern) : [pattern];
  if (files.length === 0) diag(st, 'warning', file, line, argCol, `include ${text}: no file matches`);
  for (const f of files) {
    const real = safeReal(f);
    if (st.stack.includes(real)) {
      diag(st, 'error', file, line, argCol, `include loop: ${[...st.stack, real].join(' -> ')}`);
      continue;
    }
    const src = readConfigFileSync(f);
    if ('error' in src) {
      diag(st, 'error', file, line, argCol, `include ${text}: ${f}: ${src.error.message}`);
      continue;
    }
    st.stack.push(real);
    lexText(st, f, src.text);
    st.stack.pop();
  }
}
