// A fast reader for the plain YAML configurations are written in: block mappings and sequences,
// one-line flow collections, plain and quoted one-line scalars, comments, the 1.2 core schema.
// The `yaml` library takes ~1 s of CPU on a 2 MB file (it builds a CST and a node per value); this
// reads the same file in tens of ms. Anything outside that subset (anchors, aliases, merge keys,
// tags, block or multi-line scalars, escapes, tabs, CR, duplicate keys, big numbers, any syntax
// error...) makes it give up (undefined), and the caller reads the file with `yaml`: the fast path
// only ever accepts text `yaml` reads the same way, so every diagnostic still comes from `yaml`
// and the schema, at the same line:col. test/unit/config/yaml-fast.test.ts compares the two.
//
// Positions cost nothing here unless asked for: called again with `onPos`, the reader reports each
// key's and each list item's JSON-pointer path with its line and column, as the slow path's walk does.

/** Path (JSON pointer), 1-based line and column of a key or list item. */
export type OnPos = (path: string, line: number, col: number) => void;

import { Bail, bail, plainKey, resolvePlain } from './yaml-scalars.js';

// Characters the subset leaves to `yaml`: tabs, CR, other controls, BOM, NEL, the Unicode
// separators and spaces (so that only ' ' indents, for yaml-depth.ts as for this reader).
const UNSUPPORTED_CHARS = /[\x00-\x09\x0b-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
/** A plain scalar may not start with these (YAML indicators). */
const INDICATOR = new Set([...'-?:,[]{}#&*!|>\'"%@`']);
/** After a leading '-', what keeps a plain scalar plain (`-20`, `-x`) rather than a list entry. */
const SIGNED = /^[0-9A-Za-z.]$/;
const MAX_FLOW_DEPTH = 16;

const escapeKey = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

class Reader {
  /** Content lines (not blank, not comment-only): start offset, first non-blank offset, end, number. */
  private readonly starts: number[] = [];
  private readonly firsts: number[] = [];
  private readonly ends: number[] = [];
  private readonly nos: number[] = [];
  private li = 0;
  /** Where the current line's unread content starts (mid-line for `- key: value`). */
  private at = 0;

  /** The deepest indentation of a content line. */
  maxIndent = 0;

  constructor(private readonly text: string, private readonly onPos: OnPos | undefined) {
    let no = 0;
    for (let start = 0; start <= text.length; no++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let first = start;
      while (first < end && text.charCodeAt(first) === 32) first++;
      if (first < end && text[first] !== '#') {
        this.starts.push(start); this.firsts.push(first); this.ends.push(end); this.nos.push(no + 1);
        if (first - start > this.maxIndent) this.maxIndent = first - start;
      }
      start = end + 1;
    }
  }

  read(): Record<string, unknown> {
    const t = this.text;
    if (this.count() === 0) bail();
    // One leading `---` is allowed; any other document marker or directive is left to `yaml`.
    const s0 = this.starts[0]!;
    if (t.startsWith('---', s0) && t.slice(s0 + 3, this.ends[0]).trim() === '') this.li = 1;
    for (let i = this.li; i < this.count(); i++) {
      const s = this.starts[i]!, c = t.charCodeAt(s);
      // Only a line starting with '-', '.' or '%' in column 0 can be a marker or a directive.
      if ((c === 45 || c === 46 || c === 37) && (t.startsWith('---', s) || t.startsWith('...', s) || c === 37)) bail();
    }
    if (this.li >= this.count() || this.firsts[this.li] !== this.starts[this.li]) bail();
    this.at = this.firsts[this.li]!;
    if (this.isSeqEntry()) bail();
    this.pos('', this.at);
    const root = this.map('', 0);
    if (this.li < this.count()) bail();
    return root;
  }

  private count(): number { return this.starts.length; }
  private end(): number { return this.ends[this.li]!; }
  private indent(): number { return this.at - this.starts[this.li]!; }
  private nextLine(): void { if (++this.li < this.count()) this.at = this.firsts[this.li]!; }
  private pos(path: string, offset: number): void {
    this.onPos?.(path, this.nos[this.li]!, offset - this.starts[this.li]! + 1);
  }
  private isSeqEntry(p = this.at): boolean {
    return this.text[p] === '-' && (p + 1 === this.end() || this.text[p + 1] === ' ');
  }
  private skipSpaces(p: number): number {
    while (p < this.end() && this.text.charCodeAt(p) === 32) p++;
    return p;
  }
  /** Only blanks and a comment may follow a value on its line. */
  private rest(p: number): void {
    const q = this.skipSpaces(p);
    if (q < this.end() && !(this.text[q] === '#' && q > p)) bail();
  }

  private node(path: string, n: number): unknown {
    return this.isSeqEntry() ? this.seq(path, n) : this.map(path, n);
  }

  /** A block mapping whose keys start at column n (0-based). */
  private map(path: string, n: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    while (this.li < this.count()) {
      const ind = this.indent();
      if (ind < n) break;
      if (ind > n || this.isSeqEntry()) bail();
      const keyAt = this.at;
      const [key, colon] = this.key(keyAt);
      if (Object.hasOwn(obj, key)) bail();
      const child = this.onPos ? `${path}/${escapeKey(key)}` : '';
      this.pos(child, keyAt);
      const p = this.skipSpaces(colon + 1);
      if (p === this.end() || this.text[p] === '#') {
        this.nextLine();
        if (this.li >= this.count()) obj[key] = null;
        else if (this.indent() > n) obj[key] = this.node(child, this.indent());
        else if (this.indent() === n && this.isSeqEntry()) obj[key] = this.seq(child, n);
        else obj[key] = null;
      } else {
        obj[key] = this.inline(child, p);
        this.nextLine();
      }
    }
    return obj;
  }

  /** A block sequence whose dashes are at column n. */
  private seq(path: string, n: number): unknown[] {
    const arr: unknown[] = [];
    while (this.li < this.count()) {
      const ind = this.indent();
      if (ind < n) break;
      if (ind > n) bail();
      if (!this.isSeqEntry()) break;
      const item = this.onPos ? `${path}/${arr.length}` : '';
      const p = this.skipSpaces(this.at + 1);
      if (p === this.end() || this.text[p] === '#' || this.isSeqEntry(p)) bail();
      this.pos(item, p);
      if (this.isKeyAt(p)) {
        this.at = p;
        arr.push(this.map(item, p - this.starts[this.li]!));
      } else {
        arr.push(this.inline(item, p));
        this.nextLine();
      }
    }
    return arr;
  }

  /** A block key at p: its text and the offset of its ':'. */
  private key(p: number): [string, number] {
    const t = this.text, end = this.end();
    let key: string, q: number;
    if (t[p] === '"' || t[p] === "'") {
      [key, q] = this.quoted(p);
      if (key === '__proto__' || key === '<<') bail();
      q = this.skipSpaces(q);
    } else {
      if (INDICATOR.has(t[p]!)) bail();
      q = this.colon(p);
      if (q < 0) bail();
      key = plainKey(t.slice(p, q).trimEnd());
    }
    if (t[q] !== ':' || !(q + 1 === end || t[q + 1] === ' ')) bail();
    return [key, q];
  }

  // The next ':' and '#' are found with indexOf (native; a loop over characters runs interpreted
  // in a cold process) and remembered: queries move forward through the text, so each occurrence
  // is found once, and a line without one does not send a search to the end of the file per line.
  private colonFrom = 0;
  private colonAt = -2;
  private hashFrom = 0;
  private hashAt = -2;
  /** First ':' at or after `from`, or -1. */
  private nextColon(from: number): number {
    if (from < this.colonFrom || this.colonAt === -2 || (this.colonAt >= 0 && this.colonAt < from)) {
      this.colonFrom = from;
      this.colonAt = this.text.indexOf(':', from);
    }
    return this.colonAt;
  }
  /** First '#' at or after `from`, or -1. */
  private nextHash(from: number): number {
    if (from < this.hashFrom || this.hashAt === -2 || (this.hashAt >= 0 && this.hashAt < from)) {
      this.hashFrom = from;
      this.hashAt = this.text.indexOf('#', from);
    }
    return this.hashAt;
  }

  /** The first `: ` (or `:` ending the line) from p, before any comment; -1 if none. */
  private colon(p: number): number {
    const t = this.text, end = this.end();
    let q = this.nextColon(p);
    while (q >= 0 && q < end && !(q + 1 === end || t.charCodeAt(q + 1) === 32)) q = this.nextColon(q + 1);
    if (q < 0 || q >= end) return -1;
    return this.commentAt(p) < q ? -1 : q;
  }

  /** Offset of the first ` #` (a comment) after p on this line, or the line's end. */
  private commentAt(p: number): number {
    const t = this.text, end = this.end();
    let h = this.nextHash(p + 1);
    while (h >= 0 && h < end && t.charCodeAt(h - 1) !== 32) h = this.nextHash(h + 1);
    return h >= 0 && h < end ? h - 1 : end;
  }

  /** Does a `key: ` start at p (a compact mapping in a list item)? */
  private isKeyAt(p: number): boolean {
    const t = this.text, end = this.end();
    let q = p;
    if (t[p] === '"' || t[p] === "'") {
      q = this.skipSpaces(this.quoted(p)[1]);
      return t[q] === ':' && (q + 1 === end || t[q + 1] === ' ');
    }
    if (t[p] === '[' || t[p] === '{') return false;
    return this.colon(p) >= 0;
  }

  /** A value that starts at p and ends on this line. */
  private inline(path: string, p: number): unknown {
    const t = this.text;
    const c = t[p]!;
    if (c === '"' || c === "'") {
      const [v, q] = this.quoted(p);
      this.rest(q);
      return v;
    }
    if (c === '[' || c === '{') {
      const [v, q] = this.flow(path, p, 0);
      this.rest(q);
      return v;
    }
    if (INDICATOR.has(c) && !(c === '-' && SIGNED.test(t[p + 1] ?? ''))) bail();
    // The value runs to a comment (` #`) or the line's end.
    const q = this.commentAt(p);
    // `a: b: c` is an error, and `key: value:` is a mapping: both left to `yaml`.
    if (this.colonIn(p, q)) bail();
    return resolvePlain(t.slice(p, q).trimEnd());
  }

  /** Is there a `: ` (or a `:` just before `to`) in [from, to)? */
  private colonIn(from: number, to: number): boolean {
    const t = this.text;
    for (let q = this.nextColon(from); q >= 0 && q < to; q = this.nextColon(q + 1)) {
      if (q + 1 === to || t.charCodeAt(q + 1) === 32) return true;
    }
    return false;
  }

  /** A quoted scalar that closes on this line (no escapes): its value and the offset after it. */
  private quoted(p: number): [string, number] {
    const t = this.text, end = this.end(), quote = t[p]!;
    if (quote === '"') {
      const close = t.indexOf('"', p + 1);
      if (close < 0 || close >= end) bail();
      const v = t.slice(p + 1, close);
      if (v.includes('\\')) bail();
      return [v, close + 1];
    }
    let v = '', from = p + 1;
    for (;;) {
      const close = t.indexOf("'", from);
      if (close < 0 || close >= end) bail();
      v += t.slice(from, close);
      if (t[close + 1] !== "'") return [v, close + 1];
      v += "'";
      from = close + 2;
    }
  }

  /** A flow collection that closes on this line: `[a, b]`, `{k: v}`, nested. */
  private flow(path: string, p: number, depth: number): [unknown, number] {
    if (depth > MAX_FLOW_DEPTH) bail();
    const t = this.text, isSeq = t[p] === '[', close = isSeq ? ']' : '}';
    const out: unknown[] | Record<string, unknown> = isSeq ? [] : {};
    let q = this.skipSpaces(p + 1);
    if (t[q] === close) return [out, q + 1];
    for (let i = 0; ; i++) {
      if (isSeq) {
        const item = this.onPos ? `${path}/${i}` : '';
        this.pos(item, q);
        let v: unknown;
        [v, q] = this.flowValue(item, q, depth);
        (out as unknown[]).push(v);
      } else {
        const keyAt = q;
        let key: string;
        if (t[q] === '"' || t[q] === "'") {
          [key, q] = this.quoted(q);
          if (key === '__proto__' || key === '<<') bail();
          q = this.skipSpaces(q);
          if (t[q] !== ':') bail();
        } else {
          const s = q;
          while (q < this.end() && !',[]{}#:'.includes(t[q]!)) q++;
          if (t[q] !== ':' || t[q + 1] !== ' ' || INDICATOR.has(t[s]!)) bail();
          key = plainKey(t.slice(s, q).trimEnd());
        }
        if (Object.hasOwn(out, key)) bail();
        const child = this.onPos ? `${path}/${escapeKey(key)}` : '';
        this.pos(child, keyAt);
        let v: unknown;
        [v, q] = this.flowValue(child, this.skipSpaces(q + 1), depth);
        (out as Record<string, unknown>)[key] = v;
      }
      q = this.skipSpaces(q);
      if (t[q] === ',') q = this.skipSpaces(q + 1);
      else if (t[q] !== close) bail();
      if (t[q] === close) return [out, q + 1];
    }
  }

  private flowValue(path: string, q: number, depth: number): [unknown, number] {
    const t = this.text, end = this.end(), c = t[q];
    if (c === '"' || c === "'") return this.quoted(q);
    if (c === '[' || c === '{') return this.flow(path, q, depth + 1);
    if (c === undefined || q >= end || (INDICATOR.has(c) && !(c === '-' && SIGNED.test(t[q + 1] ?? '')))) bail();
    const s = q;
    while (q < end && !',[]{}'.includes(t[q]!)) {
      if (t[q] === ':' || (t[q] === '#' && t[q - 1] === ' ')) bail();
      q++;
    }
    if (q >= end) bail();
    return [resolvePlain(t.slice(s, q).trimEnd()), q];
  }
}

export interface FastRead {
  data: Record<string, unknown>;
  /** The deepest indentation (columns) of a content line: see yaml.ts. */
  maxIndent: number;
}

/** The document as `yaml` would read it, or undefined when it is not in the subset this reads. */
export function readFastYaml(text: string, onPos?: OnPos): FastRead | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  try {
    const r = new Reader(text, onPos);
    const data = r.read();
    return { data, maxIndent: r.maxIndent };
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}
