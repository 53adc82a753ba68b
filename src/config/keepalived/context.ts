// Shared state and value readers for translating keepalived statements into the raw input:
// every value read records its position under its JSON-pointer path, every problem becomes a
// diagnostic at the offending token. Range checks live in src/config/semantic.ts (both readers).
import type { Diagnostic } from '../model.js';
import type { SourceMap } from '../input.js';
import { Positions } from '../positions.js';
import type { Node } from './parser.js';
import type { Token } from './lexer.js';
import { UNIMPLEMENTED } from './known.js';
import { suggest } from '../suggest.js';

export type Obj = Record<string, unknown>;
/** Translates one statement into `obj`, whose path is `path`. */
export type Handler = (ctx: Ctx, node: Node, obj: Obj, path: string) => void;
export type Spec = Record<string, Handler>;

/**
 * Each spec as a Map, made on first use: a token's text is a fresh string, and looking it up as an
 * object key costs V8 a string-table probe per lookup (two with the own-key test); a Map hashes it
 * once. Specs are fixed tables, complete before any block is read.
 */
const specMaps = new WeakMap<Spec, Map<string, Handler>>();
function handlers(spec: Spec): Map<string, Handler> {
  let m = specMaps.get(spec);
  if (m === undefined) specMaps.set(spec, (m = new Map(Object.entries(spec))));
  return m;
}

export class Ctx {
  readonly sources: SourceMap;
  readonly diagnostics: Diagnostic[] = [];
  /** Every keyword any block takes: a word that is one of these elsewhere is misplaced, not misspelt. */
  known: ReadonlySet<string> = new Set();
  /**
   * `record`: positions are stored as values are read; without it `at` does nothing (the reader
   * hands over a `sources` that works them out when first asked, see translate.ts).
   */
  constructor(readonly strict: boolean, readonly record = true, sources?: SourceMap) {
    this.sources = sources ?? new Positions();
  }

  at(path: string, t: Token): void {
    if (this.record) this.sources.set(path, { file: t.file, line: t.line, col: t.col });
  }
  error(t: Token, message: string): void { this.diagnostics.push({ severity: 'error', file: t.file, line: t.line, col: t.col, message }); }
  warn(t: Token, message: string): void { this.diagnostics.push({ severity: 'warning', file: t.file, line: t.line, col: t.col, message }); }

  /** Warning, or error under --strict. */
  private lenient(t: Token, message: string): void {
    if (this.strict) this.error(t, message); else this.warn(t, message);
  }

  /**
   * A keyword this block does not take. Near one it does take (a typo): an error with the
   * suggestion. Known to keepalived but not implemented: says what will not happen. Otherwise
   * unknown. The last two are warnings, errors under --strict.
   */
  unknown(node: Node, block: string, valid: Iterable<string> = []): void {
    const k = node.key.text;
    const consequence = UNIMPLEMENTED.get(k);
    if (consequence !== undefined) { this.lenient(node.key, `${k}: not implemented by vipkeeper; ${consequence}`); return; }
    const near = this.known.has(k) ? undefined : suggest(k, valid);
    if (near !== undefined) { this.error(node.key, `unknown keyword '${k}' in ${block}: did you mean '${near}'?`); return; }
    this.lenient(node.key, `unknown keyword '${k}' in ${block}${this.strict ? '' : '; ignored'}`);
  }

  /** Runs the spec over a block's statements. */
  block(nodes: Node[] | undefined, spec: Spec, obj: Obj, path: string, blockName: string): void {
    if (nodes === undefined) return;
    const m = handlers(spec);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const h = m.get(n.key.text);
      if (h) h(this, n, obj, path); else this.unknown(n, blockName, Object.keys(spec));
    }
  }

  /** The statement's one argument (error when missing). */
  arg(node: Node, i = 0): Token | undefined {
    const t = node.args[i];
    if (!t) this.error(node.key, `'${node.key.text}' needs a value`);
    return t;
  }

  int(node: Node, i = 0): number | undefined {
    const t = this.arg(node, i);
    if (!t) return undefined;
    if (!/^[-+]?\d+$/.test(t.text)) { this.error(t, `'${node.key.text}' must be an integer, got '${t.text}'`); return undefined; }
    // Past 2^53 the number read is not the number written: say so rather than echo a rounded one.
    if (!Number.isSafeInteger(Number(t.text))) { this.error(t, `'${node.key.text}' ${t.text} is too large to be read exactly (the limit is 2^53); no setting takes such a number`); return undefined; }
    return Number(t.text);
  }

  /** keepalived timers are seconds with optional decimals (resolution 1 µs); we keep milliseconds. */
  ms(node: Node, i = 0): number | undefined {
    const t = this.arg(node, i);
    if (!t) return undefined;
    if (!/^\d+(\.\d+)?$/.test(t.text)) { this.error(t, `'${node.key.text}' must be a number of seconds, got '${t.text}'`); return undefined; }
    if (!Number.isSafeInteger(Math.round(Number(t.text) * 1000))) { this.error(t, `'${node.key.text}' ${t.text} seconds is too large to be read exactly`); return undefined; }
    return Math.round(Number(t.text) * 1000);
  }

  /** A flag keyword, optionally followed by a boolean word (keepalived <BOOL>). */
  bool(node: Node, i = 0): boolean | undefined {
    const t = node.args[i];
    if (!t) return true;
    const v = t.text.toLowerCase();
    if (['on', 'true', 'yes', '1'].includes(v)) return true;
    if (['off', 'false', 'no', '0'].includes(v)) return false;
    this.error(t, `'${node.key.text}' takes on/off/true/false/yes/no, got '${t.text}'`);
    return undefined;
  }

  noBlock(node: Node): void {
    if (node.children) this.error(node.key, `'${node.key.text}' does not take a { } block`);
  }
}

/**
 * A block with one entry per line (`virtual_ipaddress`, `unicast_peer`, `track_*`): the line's first
 * word is the entry's `key` field and `options` reads the words after it. An entry with nothing but
 * its key is stored as a bare string, the short form the YAML format also takes.
 */
export function listBlock(field: string, key: string, options: (ctx: Ctx, line: Node, item: Obj, at: string, block: Node) => void): Handler {
  return (ctx, n, o, p) => {
    const list = (o[field] ??= []) as unknown[];
    ctx.at(`${p}/${field}`, n.key);
    for (const line of n.children ?? []) {
      const at = `${p}/${field}/${list.length}`;
      const item: Obj = { [key]: line.key.text };
      ctx.at(at, line.key);
      if (ctx.record) ctx.at(`${at}/${key}`, line.key);
      options(ctx, line, item, at, n);
      list.push(Object.keys(item).length === 1 ? item[key] : item);
    }
  };
}

/** Sets a field and records where it came from; a value that failed to parse keeps only its position. */
export function put(ctx: Ctx, obj: Obj, path: string, field: string, value: unknown, t: Token): void {
  if (ctx.record) ctx.at(`${path}/${field}`, t);
  if (value !== undefined) obj[field] = value;
}

// Spec builders for the common shapes.
export const intField = (field: string): Handler => (ctx, n, o, p) => put(ctx, o, p, field, ctx.int(n), n.key);
export const msField = (field: string): Handler => (ctx, n, o, p) => put(ctx, o, p, field, ctx.ms(n), n.key);
export const boolField = (field: string, value = true): Handler => (ctx, n, o, p) => {
  const b = ctx.bool(n);
  put(ctx, o, p, field, b === undefined ? undefined : b === value, n.key);
};
export const strField = (field: string): Handler => (ctx, n, o, p) => put(ctx, o, p, field, ctx.arg(n)?.text, n.key);
/**
 * An enumerated word, stored in canonical spelling. keepalived compares most of these exactly and
 * quietly falls back to a default on `state master` or `lb_kind dr`, so `exact` words are refused
 * in another case; a few (protocol, DNS type) it compares case-insensitively, and so do we.
 */
export const enumField = (field: string, values: readonly string[], exact = false): Handler => (ctx, n, o, p) => {
  const t = ctx.arg(n);
  if (!t) return;
  const v = values.find((x) => (exact ? x === t.text : x.toLowerCase() === t.text.toLowerCase()));
  if (!v) { ctx.error(t, `'${n.key.text}' must be one of ${values.join(', ')}${exact ? ' (case matters)' : ''}; got '${t.text}'`); return; }
  put(ctx, o, p, field, v, n.key);
};

/** `keyword "cmd args" [user [group]]` -> ScriptInput (string, or object when a user is given). */
export const scriptField = (field: string): Handler => (ctx, n, o, p) => put(ctx, o, p, field, scriptValue(ctx, n), n.key);
function scriptValue(ctx: Ctx, n: Node): unknown {
  const cmd = ctx.arg(n);
  if (!cmd) return undefined;
  const [user, group] = n.args.slice(1).map((t) => t.text);
  if (!user) return cmd.text;
  return group ? { argv: cmd.text, user, group } : { argv: cmd.text, user };
}

/** The input field a vrrp_script's / MISC_CHECK's command lives in. */
const SCRIPT_FIELD = 'script';

/**
 * `script` / `misc_path`: exactly one command, quoted when it has arguments. keepalived runs only
 * the first word (or quoted string) and silently drops the rest, so extra words are refused
 * rather than guessed at; the user is a separate `user` keyword (see scriptUser / foldUser).
 */
export const commandField = (field: string): Handler => (ctx, n, o, p) => {
  const extra = n.args.slice(1).map((t) => t.text);
  if (extra.length === 0) { put(ctx, o, p, field, ctx.arg(n)?.text, n.key); return; }
  ctx.error(n.args[1]!, `'${n.key.text}' takes one command; quote it with its arguments: ${n.key.text} "${n.args.map((t) => t.text).join(' ')}" (keepalived would drop '${extra.join(' ')}')`);
  put(ctx, o, p, field, undefined, n.key);
};

/** `user NAME [GROUP]` of vrrp_script / MISC_CHECK: kept aside until the block ends (foldUser). */
export const scriptUser: Handler = (ctx, n, o, p) => {
  const [user, group] = n.args.map((t) => t.text);
  if (!user) { ctx.arg(n); return; }
  o.__user = group ? { user, group } : { user };
  ctx.at(`${p}/${SCRIPT_FIELD}/user`, n.key);
};

/** Folds a block's `user` into its `script` command (the keyword may come before or after it). */
export function foldUser(o: Obj): void {
  const u = o.__user as Obj | undefined;
  delete o.__user;
  const cmd = o[SCRIPT_FIELD];
  if (!u || cmd === undefined) return;
  o[SCRIPT_FIELD] = { argv: typeof cmd === 'string' ? cmd : (cmd as Obj).argv, ...u };
}

