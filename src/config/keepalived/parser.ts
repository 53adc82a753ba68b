// Tokens -> a positioned tree of statements. keepalived is line oriented: a statement is a keyword
// and the rest of its line; `{` (on the same line or alone on the next) opens the statement's
// block and `}` closes it. Unbalanced braces are errors naming where the block was opened.
// keepalived's deepest block is 4 levels (virtual_server > real_server > HTTP_GET > url): past
// MAX_BLOCK_DEPTH a block is refused and skipped, so later tree walks stay shallow.
import type { Diagnostic } from '../model.js';
import type { Line, Token } from './lexer.js';

export interface Node {
  key: Token;
  args: Token[];
  /** Present when the statement has a `{ ... }` block. */
  children?: Node[];
}

interface Frame { node: Node | null; list: Node[]; open?: Token }

export const MAX_BLOCK_DEPTH = 32;
/** After this many brace errors the rest of the file is not worth reporting (one stray brace cascades). */
const MAX_ERRORS = 50;

export function parseLines(lines: Line[]): { nodes: Node[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const root: Frame = { node: null, list: [] };
  const stack: Frame[] = [root];
  let last: Node | undefined; // the statement a `{` alone on a line belongs to
  let skipping = 0; // depth inside a block refused for nesting too deep

  const err = (t: Token, message: string) => diagnostics.push({ severity: 'error', file: t.file, line: t.line, col: t.col, message });

  for (const { tokens } of lines) {
    if (diagnostics.length >= MAX_ERRORS) {
      const t = tokens[0]!;
      diagnostics.push({ severity: 'error', file: t.file, line: t.line, col: t.col, message: `more than ${MAX_ERRORS} errors in the block structure; the rest is not read` });
      return { nodes: root.list, diagnostics };
    }
    let cur: Token[] = [];
    const flush = (): Node | undefined => {
      if (cur.length === 0) return undefined;
      const node: Node = { key: cur[0]!, args: cur.slice(1) };
      stack[stack.length - 1]!.list.push(node);
      cur = [];
      last = node;
      return node;
    };
    for (const t of tokens) {
      if (diagnostics.length >= MAX_ERRORS) break;
      const brace = !t.quoted && (t.text === '{' || t.text === '}');
      if (skipping > 0) {
        if (brace) skipping += t.text === '{' ? 1 : -1;
        continue;
      }
      if (!brace) { cur.push(t); continue; }
      if (t.text === '{') {
        const owner = flush() ?? (last && !last.children ? last : undefined);
        if (!owner) { err(t, "'{' without a keyword before it"); continue; }
        if (stack.length > MAX_BLOCK_DEPTH) {
          err(t, `blocks nest more than ${MAX_BLOCK_DEPTH} deep (keepalived's deepest is 4); this block is not read`);
          skipping = 1;
          continue;
        }
        owner.children = [];
        stack.push({ node: owner, list: owner.children, open: t });
        last = undefined;
      } else {
        flush();
        if (stack.length === 1) { err(t, "unbalanced '}': no block is open here"); continue; }
        stack.pop();
        last = undefined;
      }
    }
    flush();
  }
  for (let i = diagnostics.length >= MAX_ERRORS ? 0 : stack.length - 1; i > 0; i--) {
    const f = stack[i]!;
    err(f.open!, `unbalanced '{': block '${f.node!.key.text}' opened here is never closed`);
  }
  return { nodes: root.list, diagnostics };
}
