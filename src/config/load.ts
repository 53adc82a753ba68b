// The configuration pipeline's entry: read -> parse (YAML or keepalived.conf) -> raw input ->
// defaults and value checks -> cross-field checks. Never throws on bad input: every problem is a
// Diagnostic with file:line:col, and `model` is present only when there is no error.
import { extname } from 'node:path';
import type { Config, Diagnostic } from './model.js';
import type { ConfigInput, SourceMap } from './input.js';
import { readConfigFile } from './source.js';
import { readKeepalived } from './keepalived/translate.js';
import { readYaml } from './yaml.js';
import { buildModel } from './build.js';
import { validateModel } from './semantic.js';

export { formatDiagnostic } from './model.js';
export type { Config, Diagnostic } from './model.js';

export type ConfigFormat = 'yaml' | 'keepalived';

export interface LoadOptions {
  /** Default: from the file name (.yaml/.yml = yaml, anything else = keepalived). */
  format?: ConfigFormat;
  /** Unknown keywords become errors instead of warnings. */
  strict?: boolean;
  /** keepalived config-id for `@id` conditional lines (default: first label of the host name). */
  configId?: string;
}

export interface LoadResult {
  model?: Config;
  diagnostics: Diagnostic[];
}

/** What a reader returns: the raw input, where each value came from, and what it found. */
export interface ReadResult {
  input?: ConfigInput;
  /** Which reader: messages name values in that format's own terms. */
  format?: ConfigFormat;
  sources: SourceMap;
  diagnostics: Diagnostic[];
}

export function formatOf(path: string, format?: ConfigFormat): ConfigFormat {
  if (format) return format;
  const ext = extname(path).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'keepalived';
}

/** Parse one file into the raw input without defaults (used by `convert`). */
export async function readConfig(path: string, opts: LoadOptions = {}): Promise<ReadResult> {
  const src = await readConfigFile(path);
  if ('error' in src) return { sources: new Map(), diagnostics: [src.error] };
  if (formatOf(path, opts.format) === 'yaml') return readYaml(path, src.text);
  return readKeepalived(path, src.text, { strict: opts.strict ?? false, configId: opts.configId });
}

/** Finish a parsed input: defaults, value and cross-field checks. */
export function finishConfig(read: ReadResult, file: string): LoadResult {
  // A line repeated by ~SEQ/~LST repeats its problems: each is said once.
  const said = new Set<string>();
  const diagnostics = read.diagnostics.filter((d) => {
    const key = `${d.severity}\0${d.file}\0${d.line}\0${d.col}\0${d.message}`;
    return !said.has(key) && said.add(key) !== undefined;
  });
  if (!read.input) return { diagnostics: capped(sortDiagnostics(diagnostics)) };
  // A reader that produced an input despite errors (a bad value is left out) still gets the later
  // checks, so one run reports every line in error. A second error on a line is noise: it is most
  // often a value derived from the first (a script timeout defaulting to a bad interval).
  const errorLines = new Set<string>();
  for (const d of diagnostics) if (d.severity === 'error') errorLines.add(`${d.file}:${d.line}`);
  const add = (ds: Diagnostic[]) => {
    for (const d of ds) {
      const at = `${d.file}:${d.line}`;
      if (d.severity === 'error' && errorLines.has(at)) continue;
      if (d.severity === 'error') errorLines.add(at);
      diagnostics.push(d);
    }
  };
  const format = read.format ?? 'keepalived';
  try {
    const built = buildModel(read.input, read.sources, file, format);
    add(built.diagnostics);
    add(validateModel(built.model, read.sources, file, format));
    sortDiagnostics(diagnostics);
    if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics: capped(diagnostics) };
    return { model: built.model, diagnostics };
  } catch (e) {
    // An input a reader kept despite its errors (the parts the schema accepted) may lack what the
    // builder needs; its errors are already reported. A complete input that throws is a bug.
    if (!read.diagnostics.some((d) => d.severity === 'error')) throw e;
    return { diagnostics: capped(sortDiagnostics(diagnostics)) };
  }
}

/** At most this many diagnostics are returned: past that, the rest is noise from the same cause. */
export const MAX_DIAGNOSTICS = 1000;

/** Errors are kept before warnings; each group stays in file order. */
function capped(ds: Diagnostic[]): Diagnostic[] {
  if (ds.length <= MAX_DIAGNOSTICS) return ds;
  const kept = [...ds.filter((d) => d.severity === 'error'), ...ds.filter((d) => d.severity === 'warning')].slice(0, MAX_DIAGNOSTICS);
  const last = kept[kept.length - 1]!;
  return [...sortDiagnostics(kept), { ...last, severity: 'error', message: `${ds.length - MAX_DIAGNOSTICS} more problems not shown` }];
}

/** In place: by file (in order of first appearance), then line and column. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  const order = new Map<string, number>();
  for (const d of ds) if (!order.has(d.file)) order.set(d.file, order.size);
  return ds.sort((a, b) => order.get(a.file)! - order.get(b.file)! || a.line - b.line || a.col - b.col);
}

export async function loadConfig(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return finishConfig(await readConfig(path, opts), path);
}

/** Same as loadConfig for text already in memory (tests, benchmarks). */
export function loadConfigText(path: string, text: string, opts: LoadOptions = {}): LoadResult {
  const read = formatOf(path, opts.format) === 'yaml'
    ? readYaml(path, text)
    : readKeepalived(path, text, { strict: opts.strict ?? false, configId: opts.configId });
  return finishConfig(read, path);
}
