// One keepalived.conf line -> tokens: words, double-quoted strings and braces; a command keyword's
// line is split the way keepalived splits script lines. `colOf` maps an offset in the (possibly
// rewritten) line to the column the operator wrote.
import type { Diagnostic } from '../model.js';

export interface Token { text: string; quoted: boolean; file: string; line: number; col: number }

/** Characters that end an unquoted word: whitespace, braces, quote, comment starts (a table by char code). */
const WORD_END = new Uint8Array(128);
for (const c of ' \t\r\n\f\v{}"#!') WORD_END[c.charCodeAt(0)] = 1;
const endsWord = (code: number) => code < 128 && WORD_END[code] === 1;

type Diags = { diagnostics: Diagnostic[] };
/**
 * Keywords whose value is a command line. keepalived re-reads the rest of such a line with
 * shell-like quoting ('...', "..." and backslash escapes), so `notify "sh -c \"echo x\""` and
 * `script '/bin/check a'` mean what they say.
 */
const COMMAND_KEYWORDS = new Set([
  'script', 'misc_path', 'notify', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop',
  'notify_up', 'notify_down', 'quorum_up', 'quorum_down', 'notify_deleted', 'notify_master_rx_lower_pri',
]);

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
const unterminated = (st: Diags, file: string, line: number, col: number) =>
  st.diagnostics.push({ severity: 'error', file, line, col, message: 'unterminated quoted string' });

export function tokenizeLine(st: Diags, file: string, line: number, text: string, colOf?: (i: number) => number): Token[] {
  return tokenizeRange(st, file, line, text, 0, text.length, 0, colOf);
}

/**
 * The same over `text[from, to)` of a longer text (the lexer's fast path reads lines where they
 * lie in the file, without a copy of each): columns are offsets from `lineStart` + 1 unless
 * `colOf` maps them (a rewritten line).
 */
export function tokenizeRange(st: Diags, file: string, line: number, text: string, from: number, to: number, lineStart: number, colOf?: (i: number) => number): Token[] {
  const out: Token[] = [];
  let statementStart = true; // the next word is a keyword (line start, or after a brace)
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9 || code === 13 || code === 12 || code === 11) { i++; continue; }
    if (code === 35 || code === 33) break; // # !
    if (code === 123 || code === 125) { // { }
      out.push({ text: code === 123 ? '{' : '}', quoted: false, file, line, col: colOf ? colOf(i) : i - lineStart + 1 });
      i++;
      statementStart = true;
      continue;
    }
    if (code === 34) { // "
      const end = text.indexOf('"', i + 1);
      if (end < 0 || end >= to) { unterminated(st, file, line, colOf ? colOf(i) : i - lineStart + 1); return out; }
      out.push({ text: text.slice(i + 1, end), quoted: true, file, line, col: colOf ? colOf(i) : i - lineStart + 1 });
      i = end + 1;
      statementStart = false;
      continue;
    }
    let j = i;
    while (j < to && !endsWord(text.charCodeAt(j))) j++;
    const word = text.slice(i, j);
    out.push({ text: word, quoted: false, file, line, col: colOf ? colOf(i) : i - lineStart + 1 });
    if (statementStart && COMMAND_KEYWORDS.has(word)) {
      tokenizeCommand(st, file, line, text, j, to, colOf ?? ((k) => k - lineStart + 1), out);
      return out;
    }
    statementStart = false;
    i = j;
  }
  return out;
}

/** The rest of a command keyword's line, split the way keepalived splits script lines. */
function tokenizeCommand(st: Diags, file: string, line: number, text: string, from: number, to: number, colOf: (i: number) => number, out: Token[]): void {
  let i = from;
  while (i < to) {
    if (isSpace(text[i]!)) { i++; continue; }
    if (text[i] === '#' || text[i] === '!') break;
    const col = colOf(i);
    let word = '', quote = '', quoted = false;
    for (; i < to; i++) {
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < to) { word += text[++i]; continue; }
      if (quote) { if (ch === quote) quote = ''; else word += ch; continue; }
      if (isSpace(ch)) break;
      if (ch === '"' || ch === "'") { quote = ch; quoted = true; continue; }
      word += ch;
    }
    if (quote) { unterminated(st, file, line, col); return; }
    out.push({ text: word, quoted, file, line, col });
  }
}

