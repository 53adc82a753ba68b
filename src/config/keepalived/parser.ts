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

/** Shared by every statement without arguments (`}` lines' statements, `TCP_CHECK {`): never written to. */
const NO_ARGS: Token[] = [];

export const MAX_BLOCK_DEPTH = 32;
/** After this many brace errors the rest of the file is not worth reporting (one stray brace cascades). */
const MAX_ERRORS = 50;

export function parseLines(lines: Line[]): { nodes: Node[]; diagnostics: Diagnostic[] } {
  const p = new TreeParser();
  for (const l of lines) if (!p.line(l)) break;
  return p.end();
}

/**
 * The same, a line at a time: `onTop`, when given, receives each top-level statement as soon as
 * it is complete (the next one has started, so a `{` on the next line can no longer join it), and
 * the tree keeps none of them, so a large file is never held as tokens and nodes all at once.
 */
export class TreeParser {
  readonly diagnostics: Diagnostic[] = [];
  private readonly root: Frame = { node: null, list: [] };
  private readonly stack: Frame[] = [this.root];
  private last: Node | undefined; // the statement a `{` alone on a line belongs to
  private skipping = 0; // depth inside a block refused for nesting too deep
  private stopped = false;
  private pending: Node | undefined; // the top-level statement not yet handed to onTop
  // The statement being collected on the current line: its keyword and arguments (none yet: no array).
  private key: Token | undefined;
  private args: Token[] | undefined;

  constructor(private readonly onTop?: (n: Node) => void) {}

  private err(t: Token, message: string): void {
    this.diagnostics.push({ severity: 'error', file: t.file, line: t.line, col: t.col, message });
  }

  /** Reads one line; false once there are too many errors to go on. */
  line({ tokens }: Line): boolean {
    const { diagnostics, stack } = this;
    if (this.stopped) return false;
    if (diagnostics.length >= MAX_ERRORS) {
      const t = tokens[0]!;
      diagnostics.push({ severity: 'error', file: t.file, line: t.line, col: t.col, message: `more than ${MAX_ERRORS} errors in the block structure; the rest is not read` });
      this.stopped = true;
      return false;
    }
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (diagnostics.length >= MAX_ERRORS) break;
      const brace = !t.quoted && (t.text === '{' || t.text === '}');
      if (this.skipping > 0) {
        if (brace) this.skipping += t.text === '{' ? 1 : -1;
        continue;
      }
      if (!brace) {
        if (this.key === undefined) this.key = t;
        else if (this.args === undefined) this.args = [t];
        else this.args.push(t);
        continue;
      }
      if (t.text === '{') {
        const owner = this.flush() ?? (this.last && !this.last.children ? this.last : undefined);
        if (!owner) { this.err(t, "'{' without a keyword before it"); continue; }
        if (stack.length > MAX_BLOCK_DEPTH) {
          this.err(t, `blocks nest more than ${MAX_BLOCK_DEPTH} deep (keepalived's deepest is 4); this block is not read`);
          this.skipping = 1;
          continue;
        }
        owner.children = [];
        stack.push({ node: owner, list: owner.children, open: t });
        this.last = undefined;
      } else {
        this.flush();
        if (stack.length === 1) { this.err(t, "unbalanced '}': no block is open here"); continue; }
        stack.pop();
        this.last = undefined;
      }
    }
    this.flush();
    return true;
  }

  /** The collected tokens as a statement (and none collected after it). */
  private flush(): Node | undefined {
    const key = this.key;
    if (key === undefined) return undefined;
    const node: Node = { key, args: this.args ?? NO_ARGS };
    this.key = undefined;
    this.args = undefined;
    this.add(node);
    this.last = node;
    return node;
  }

  private add(node: Node): void {
    const { stack } = this;
    if (stack.length > 1 || !this.onTop) { stack[stack.length - 1]!.list.push(node); return; }
    if (this.pending) this.onTop(this.pending);
    this.pending = node;
  }

  /** Reports the blocks left open; the top-level statements (none when onTop took them). */
  end(): { nodes: Node[]; diagnostics: Diagnostic[] } {
    const { diagnostics, stack } = this;
    for (let i = diagnostics.length >= MAX_ERRORS ? 0 : stack.length - 1; i > 0; i--) {
      const f = stack[i]!;
      this.err(f.open!, `unbalanced '{': block '${f.node!.key.text}' opened here is never closed`);
    }
    if (this.pending && this.onTop) this.onTop(this.pending);
    this.pending = undefined;
    return { nodes: this.root.list, diagnostics };
  }
}
