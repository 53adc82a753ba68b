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

export function tokenizeLine(st: Diags, file: string, line: number, text: string, colOf: (i: number) => number = (i) => i + 1): Token[] {
  const out: Token[] = [];
  let statementStart = true; // the next word is a keyword (line start, or after a brace)
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) { i++; continue; }
    if (c === '#' || c === '!') break;
    if (c === '{' || c === '}') { out.push({ text: c, quoted: false, file, line, col: colOf(i) }); i++; statementStart = true; continue; }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) { unterminated(st, file, line, colOf(i)); return out; }
      out.push({ text: text.slice(i + 1, end), quoted: true, file, line, col: colOf(i) });
      i = end + 1;
      statementStart = false;
      continue;
    }
    let j = i;
    while (j < text.length && !endsWord(text.charCodeAt(j))) j++;
    const word = text.slice(i, j);
    out.push({ text: word, quoted: false, file, line, col: colOf(i) });
    if (statementStart && COMMAND_KEYWORDS.has(word)) return out.concat(tokenizeCommand(st, file, line, text, j, colOf));
    statementStart = false;
    i = j;
  }
  return out;
}

/** The rest of a command keyword's line, split the way keepalived splits script lines. */
function tokenizeCommand(st: Diags, file: string, line: number, text: string, from: number, colOf: (i: number) => number): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < text.length) {
    if (isSpace(text[i]!)) { i++; continue; }
    if (text[i] === '#' || text[i] === '!') break;
    const col = colOf(i);
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

