// The YAML reader: the document (YAML 1.2 core schema, so `yes` stays a string) -> a JSON-pointer
// source map, then the JSON Schema (all errors, no coercion). Every problem is a diagnostic at the
// line and column of the offending key or value.
// Two ways in: plain documents are read by yaml-fast.ts, whose positions are worked out only if a
// diagnostic needs one; anything else (anchors, merge keys, syntax errors...) by the `yaml` library
// with node positions, loaded only then. The schema is compiled ahead of time (schema-validate.gen.cjs).
import { requireFrom } from '../lib/require-from.js';
import type { Document, LineCounter, Node as YNode, YAMLError } from 'yaml';
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from './model.js';
import type { ConfigInput, SourceMap, SourcePos } from './input.js';
import { displayPath, lookupPos } from './input.js';
import { suggest } from './suggest.js';
import type { ReadResult } from './load.js';
import { pruneRefused } from './schema-prune.js';
import { MAX_YAML_DEPTH, tooDeep } from './yaml-depth.js';
import { Positions } from './positions.js';
import { readFastYaml } from './yaml-fast.js';
import { inPackage } from '../lib/package-root.js';

const load = requireFrom(() => import.meta.url);

type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | undefined;
/** `yaml` costs ~30 ms to load: only files the fast path gives up on need it. */
const lib = (): YamlLib => (yamlLib ??= load('yaml') as YamlLib);

type Validate = { (data: unknown): boolean; errors?: ErrorObject[] | null };
let validator: Validate | undefined;
/**
 * The schema compiled ahead of time (scripts/gen-config-validator.ts), loaded on the first YAML
 * file. It lives in src/ (shipped, see package.json "files"), found from the package root by
 * sources, tsc's output and the bundle alike.
 */
const validate = (): Validate => (validator ??= load(inPackage('src', 'config', 'schema-validate.gen.cjs')) as Validate);

const escapeKey = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** What walk needs besides the node: where positions go and how to follow `<<: *anchor`. */
interface WalkCtx { lc: LineCounter; file: string; map: SourceMap; doc: Document; merges: number; problems: Diagnostic[] }

/** Merge keys resolved while mapping positions; an alias bomb is refused later by toJS anyway. */
const MAX_MERGES = 100;

function record(ctx: WalkCtx, path: string, node: YNode | null | undefined, fallback?: YNode | null): void {
  const at = node?.range?.[0] ?? fallback?.range?.[0];
  if (at !== undefined) ctx.map.set(path, { file: ctx.file, ...ctx.lc.linePos(at) });
}

const isMergeKey = (k: unknown) => lib().isScalar(k) && (typeof k.value === 'symbol' || k.value === '<<');

function walk(node: unknown, path: string, ctx: WalkCtx, inherited = false): void {
  const { isAlias, isMap, isPair, isScalar, isSeq } = lib();
  if (isMap(node)) {
    const merged: unknown[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      if (isMergeKey(pair.key)) { merged.push(...(isSeq(pair.value) ? pair.value.items : [pair.value])); continue; }
      if (isMap(pair.key) || isSeq(pair.key)) {
        // `? {...} : value`: no setting has such a key, and printing one can throw inside the
        // yaml library (a merge of a scalar in it), so it is refused here, where it is.
        const at = (pair.key as YNode).range?.[0] ?? 0;
        ctx.problems.push({ severity: 'error', file: ctx.file, ...ctx.lc.linePos(at), message: `${displayPath(path)}: a key here is a ${isMap(pair.key) ? 'mapping' : 'list'}; keys are plain names` });
        continue;
      }
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const child = `${path}/${escapeKey(key)}`;
      // A key merged in from an anchor is positioned at the anchor, unless the map sets it itself.
      if (inherited && ctx.map.has(child)) continue;
      record(ctx, child, pair.key as YNode | null, pair.value as YNode | null);
      walk(pair.value, child, ctx);
    }
    for (const m of merged) {
      if (ctx.merges++ >= MAX_MERGES) break;
      walk(isAlias(m) ? m.resolve(ctx.doc) : m, path, ctx, true);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      record(ctx, `${path}/${i}`, item as YNode | null);
      walk(item, `${path}/${i}`, ctx);
    });
  } else if (isScalar(node) && typeof node.value === 'number' && !Number.isSafeInteger(node.value) && /^[-+]?(0x|0o)?[0-9a-f]+$/i.test(String(node.source ?? ''))) {
    // Past 2^53 a JavaScript number is no longer the integer written: say so, not "got 1e+21".
    const at = node.range?.[0] ?? 0;
    ctx.problems.push({ severity: 'error', file: ctx.file, ...ctx.lc.linePos(at), message: `${displayPath(path)}: ${String(node.source)} is too large to be read exactly (the limit is 2^53); no setting takes such a number` });
  } else if (isScalar(node) && typeof node.value === 'number' && !Number.isFinite(node.value)) {
    const at = node.range?.[0] ?? 0;
    ctx.problems.push({ severity: 'error', file: ctx.file, ...ctx.lc.linePos(at), message: `${displayPath(path)}: ${String(node.source)} is not a finite number` });
  }
}

const display = displayPath;

/** A value as the YAML author would recognise it, kept short. */
function shown(v: unknown): string {
  const kind = v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v;
  const text = typeof v === 'object' && v !== null ? '' : ` ${JSON.stringify(v)}`;
  return `${kind}${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

/** ajv errors -> one diagnostic per problem; union (anyOf) failures report their description only. */
export function schemaDiagnostics(errors: ErrorObject[], sources: SourceMap, file: string): Diagnostic[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && unions.some((u) => e.schemaPath.startsWith(`${u}/`))) continue;
    // An if/then failure is reported by the `then` keyword's own error.
    if (e.keyword === 'if') continue;
    let path = e.instancePath;
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = suggest(key, allowed);
      message = `unknown key '${key}' in ${path === '' ? 'the top level' : display(path)}${near ? `: did you mean '${near}'?` : ''}`;
      path = `${path}/${escapeKey(key)}`;
    } else if (e.keyword === 'anyOf') {
      message = `${display(path)}: must be ${String((e.parentSchema as { description?: string })?.description ?? 'a valid value')}`;
    } else if (e.keyword === 'enum') {
      message = `${display(path)}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (e.keyword === 'required') {
      const key = (e.params as { missingProperty: string }).missingProperty;
      message = `${display(path)}: missing required key '${key}'`;
      if (key === 'protocol') message += ': a service chosen by address or group needs TCP, UDP or SCTP (YAML has no default; keepalived.conf uses UDP)';
    } else {
      // Say what was written: `vrid: "51"` is a string to YAML, which is easy to miss.
      const got = e.keyword === 'type' ? `, got ${shown(e.data)}` : '';
      message = `${display(path)}: ${e.message ?? 'is invalid'}${got}`;
    }
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({ severity: 'error', ...lookupPos(sources, path, file), message });
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The parser's message in operator terms (its own advice names library functions). */
function yamlMessage(e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return "the file holds more than one YAML document ('---'); a configuration is one document";
  return e.message.split('\n')[0]!;
}

export function readYaml(file: string, text: string): ReadResult {
  const fast = readFastYaml(text);
  // The depth limit refuses what the slow path would: yaml-depth.ts counts, per line, indentation
  // levels + leading `- ` markers + brackets it takes for open flow collections. What the fast path
  // reads indents with spaces only and has at most one leading `- `, so in a text without any `[`
  // or `{` that count is at most maxIndent + 2, and the scan (~30 ms on 2 MB) can be skipped.
  if (fast && (fast.maxIndent + 2 > MAX_YAML_DEPTH || /[[{]/.test(text)) && tooDeep(text)) return readYamlSlow(file, text);
  if (fast) {
    // Positions only when a diagnostic asks: the same reader again, reporting each path.
    const sources = new Positions(() => {
      const map = new Map<string, SourcePos>();
      readFastYaml(text, (path, line, col) => map.set(path, { file, line, col }));
      return map;
    });
    return checkSchema(file, fast.data, sources, []);
  }
  return readYamlSlow(file, text);
}

/** The `yaml` library's reading, with a node (and a position) for every value. */
export function readYamlSlow(file: string, text: string): ReadResult {
  const deep = tooDeep(text);
  if (deep) {
    return { format: 'yaml', sources: new Positions(), diagnostics: [{ severity: 'error', file, ...deep, message: `YAML nests more than ${MAX_YAML_DEPTH} levels deep here (a configuration needs about 7); not read` }] };
  }
  const { LineCounter, parseDocument, isMap, isSeq } = lib();
  const lc = new LineCounter();
  // merge: `<<: *defaults` is how YAML users share settings between entries (not core YAML 1.2).
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, schema: 'core', merge: true, keepSourceTokens: false, logLevel: 'error' });
  const sources = new Positions();
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number | undefined) => ({ file, ...lc.linePos(offset ?? 0) });
  for (const e of doc.errors) diagnostics.push({ severity: 'error', ...at(e.pos[0]), message: `YAML: ${yamlMessage(e)}` });
  for (const w of doc.warnings) diagnostics.push({ severity: 'warning', ...at(w.pos[0]), message: `YAML: ${w.message.split('\n')[0]}` });
  if (diagnostics.some((d) => d.severity === 'error')) return { format: 'yaml', sources, diagnostics };
  const root = doc.contents;
  if (!isMap(root)) {
    const what = root === null ? 'empty' : isSeq(root) ? 'a list' : 'a single value';
    diagnostics.push({ severity: 'error', ...at((root as YNode | null)?.range?.[0]), message: `the document is ${what}; a vipkeeper configuration is a mapping (global:, vrrpInstances:, virtualServers: ...)` });
    return { format: 'yaml', sources, diagnostics };
  }
  sources.set('', at(root.range?.[0]));
  const problems: Diagnostic[] = [];
  walk(root, '', { lc, file, map: sources, doc, merges: 0, problems });
  for (const d of problems) diagnostics.push(d);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    diagnostics.push({ severity: 'error', file, line: 1, col: 1, message: `YAML: ${(e as Error).message}` });
    return { format: 'yaml', sources, diagnostics };
  }
  return checkSchema(file, data, sources, diagnostics);
}

/** The JSON Schema over the document's data; refused parts are cut out so the rest is still checked. */
function checkSchema(file: string, data: unknown, sources: SourceMap, diagnostics: Diagnostic[]): ReadResult {
  const v = validate();
  if (!v(data)) {
    const errors = v.errors ?? [];
    for (const d of schemaDiagnostics(errors, sources, file)) diagnostics.push(d);
    // The rest is still checked (every error in one run): the refused parts are cut out.
    pruneRefused(data, errors);
  }
  return { format: 'yaml', input: data as ConfigInput, sources, diagnostics };
}
