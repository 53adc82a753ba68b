// `vipkeeper check -f FILE [--strict] [--json] [--format yaml|keepalived]`: load and validate a
// configuration. Exit 0 when valid (warnings printed), 1 with every error as file:line:col.
import { parseCommandArgs, UsageError, type CliIO, type Command } from '../command.js';
import { formatDiagnostic, loadConfig, type ConfigFormat, type LoadResult } from '../../config/load.js';

const usage = `usage: vipkeeper check -f FILE [--strict] [--json] [--format yaml|keepalived] [--config-id ID]

Validate a configuration (YAML if FILE ends in .yaml/.yml, keepalived.conf syntax otherwise).
  -f, --file FILE     the configuration to check (or give FILE as the only argument)
      --strict        unknown and not implemented keywords are errors, not warnings
      --json          print a machine-readable result on stdout
      --format F      force the reader: yaml or keepalived
  -i, --config-id ID  keepalived's -i: the id @ID lines are kept for (default: the host name up to its first dot)
Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error.`;

export function parseFormat(v: string | undefined): ConfigFormat | undefined {
  if (v === undefined) return undefined;
  if (v !== 'yaml' && v !== 'keepalived') throw new UsageError(`--format must be yaml or keepalived, got '${v}'`);
  return v;
}

/** keepalived's config-id is one word: `@ID` lines compare the word after '@' with it. */
export function parseConfigId(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[^\s@^]+$/.test(v)) throw new UsageError(`--config-id must be one word without '@' or '^', got '${v}'`);
  return v;
}

export function fileArg(file: string | undefined, positionals: string[]): string {
  if (positionals.length > (file === undefined ? 1 : 0)) throw new UsageError(`unexpected argument '${positionals[file === undefined ? 1 : 0]}'`);
  const f = file ?? positionals[0];
  if (f === undefined || f === '') throw new UsageError('a configuration file is required (-f FILE)');
  return f;
}

function summary(r: LoadResult): Record<string, number> {
  const m = r.model;
  if (!m) return {};
  return {
    vrrpInstances: m.vrrpInstances.length, vrrpScripts: m.vrrpScripts.length, syncGroups: m.syncGroups.length,
    virtualServers: m.virtualServers.length, realServers: m.virtualServers.reduce((n, v) => n + v.realServers.length, 0),
  };
}

function report(io: CliIO, file: string, r: LoadResult, json: boolean): number {
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
  const valid = r.model !== undefined && errors.length === 0;
  if (json) {
    io.out(JSON.stringify({ file, valid, errors, warnings, summary: summary(r) }, null, 2));
    return valid ? 0 : 1;
  }
  for (const d of [...errors, ...warnings]) io.err(formatDiagnostic(d));
  if (valid) {
    const s = summary(r);
    io.out(`${file}: OK (${s.vrrpInstances} vrrp instances, ${s.virtualServers} virtual servers, ${s.realServers} real servers, ${warnings.length} warnings)`);
  } else {
    io.err(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
  }
  return valid ? 0 : 1;
}

const command: Command = {
  summary: 'validate a configuration file (YAML or keepalived.conf)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      file: { type: 'string', short: 'f' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      'config-id': { type: 'string', short: 'i' },
    }, true);
    const file = fileArg(values.file, positionals);
    const format = parseFormat(values.format);
    const configId = parseConfigId(values['config-id']);
    const r = await loadConfig(file, { format, strict: values.strict ?? false, ...(configId === undefined ? {} : { configId }) });
    return report(io, file, r, values.json ?? false);
  },
};
export default command;
