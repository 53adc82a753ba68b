// The YAML reader: yaml (YAML 1.2 core schema, so `yes` stays a string) with node positions ->
// a JSON-pointer source map, then the JSON Schema (ajv, all errors, no coercion). Every problem
// is a diagnostic at the line and column of the offending key or value.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode } from 'yaml';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Diagnostic } from './model.js';
import type { ConfigInput, SourceMap } from './input.js';
import { lookupPos } from './input.js';
import type { ReadResult } from './load.js';
import { CONFIG_SCHEMA } from './schema.js';

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  // verbose: errors carry their schema, whose description words union failures.
  validator ??= new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, strict: true, verbose: true }).compile(CONFIG_SCHEMA);
  return validator!;
}

const escapeKey = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function walk(node: unknown, path: string, lc: LineCounter, file: string, map: SourceMap): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = pair.key as YNode | null;
      const child = `${path}/${escapeKey(key)}`;
      const at = keyNode?.range?.[0] ?? (pair.value as YNode | null)?.range?.[0];
      if (at !== undefined) map.set(child, { file, ...lc.linePos(at) });
      walk(pair.value, child, lc, file, map);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const child = `${path}/${i}`;
      const at = (item as YNode | null)?.range?.[0];
      if (at !== undefined) map.set(child, { file, ...lc.linePos(at) });
      walk(item, child, lc, file, map);
    });
  }
}

function display(path: string): string {
  if (path === '') return 'the document';
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

/** ajv errors -> one diagnostic per problem; union (anyOf) failures report their description only. */
export function schemaDiagnostics(errors: ErrorObject[], sources: SourceMap, file: string): Diagnostic[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && unions.some((u) => e.schemaPath.startsWith(`${u}/`))) continue;
    let path = e.instancePath;
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      path = `${path}/${escapeKey(key)}`;
      message = `${display(path)}: unknown key '${key}'`;
    } else if (e.keyword === 'anyOf') {
      message = `${display(path)}: must be ${String((e.parentSchema as { description?: string })?.description ?? 'a valid value')}`;
    } else if (e.keyword === 'enum') {
      message = `${display(path)}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (e.keyword === 'required') {
      message = `${display(path)}: missing required key '${(e.params as { missingProperty: string }).missingProperty}'`;
    } else {
      message = `${display(path)}: ${e.message ?? 'is invalid'}`;
    }
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({ severity: 'error', ...lookupPos(sources, path, file), message });
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

export function readYaml(file: string, text: string): ReadResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, schema: 'core', keepSourceTokens: false });
  const sources: SourceMap = new Map();
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number | undefined) => ({ file, ...lc.linePos(offset ?? 0) });
  for (const e of doc.errors) diagnostics.push({ severity: 'error', ...at(e.pos[0]), message: `YAML: ${e.message.split('\n')[0]}` });
  for (const w of doc.warnings) diagnostics.push({ severity: 'warning', ...at(w.pos[0]), message: `YAML: ${w.message.split('\n')[0]}` });
  if (diagnostics.some((d) => d.severity === 'error')) return { sources, diagnostics };
  const root = doc.contents;
  if (!isMap(root)) {
    const what = root === null ? 'empty' : isSeq(root) ? 'a list' : 'a single value';
    diagnostics.push({ severity: 'error', ...at((root as YNode | null)?.range?.[0]), message: `the document is ${what}; a vipkeeper configuration is a mapping (global:, vrrpInstances:, virtualServers: ...)` });
    return { sources, diagnostics };
  }
  sources.set('', at(root.range?.[0]));
  walk(root, '', lc, file, sources);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    diagnostics.push({ severity: 'error', file, line: 1, col: 1, message: `YAML: ${(e as Error).message}` });
    return { sources, diagnostics };
  }
  const v = validate();
  if (!v(data)) {
    diagnostics.push(...schemaDiagnostics(v.errors ?? [], sources, file));
    return { sources, diagnostics };
  }
  return { input: data as ConfigInput, sources, diagnostics };
}
