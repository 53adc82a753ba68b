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
  const diagnostics = [...read.diagnostics];
  if (!read.input || diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const built = buildModel(read.input, read.sources, file);
  diagnostics.push(...built.diagnostics);
  if (!built.model || built.diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  diagnostics.push(...validateModel(built.model, read.sources, file));
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { model: built.model, diagnostics };
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
