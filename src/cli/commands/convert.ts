// `vipkeeper convert FILE`: keepalived.conf -> vipkeeper YAML on stdout. The output holds what the
// file says (no defaults filled in); loading it gives the same model as loading FILE.
import { stringify } from 'yaml';
import { parseCommandArgs, type Command } from '../command.js';
import { finishConfig, formatDiagnostic, readConfig } from '../../config/load.js';
import type { ConfigInput } from '../../config/input.js';
import { DEFAULTS } from '../../config/defaults.js';
import { fileArg, parseConfigId, parseFormat } from './check.js';

const usage = `usage: vipkeeper convert FILE [--strict] [--format yaml|keepalived] [--config-id ID]

Convert a keepalived.conf to vipkeeper's YAML format, printed on stdout. @ID lines are resolved
for the config-id (-i, --config-id; default: the host name up to its first dot), so the YAML is
the configuration of that one host; ~SEQ/~LST and parameters are written out expanded.
Warnings and errors go to stderr; an invalid file prints nothing on stdout and exits 1.`;

/**
 * keepalived.conf's default protocol (UDP) written out: YAML has no default for a service chosen
 * by address or group, and the converted file must load as the same model.
 */
function explicitProtocols(input: ConfigInput): ConfigInput {
  if (!input.virtualServers?.some((vs) => vs.protocol === undefined && vs.fwmark === undefined)) return input;
  return {
    ...input,
    virtualServers: input.virtualServers.map((vs) => (vs.protocol === undefined && vs.fwmark === undefined ? { ...vs, protocol: DEFAULTS.virtualServer.protocol } : vs)),
  };
}

/** The YAML text of a raw input, with a header naming its origin. */
export function toYaml(input: ConfigInput, origin: string): string {
  return `# converted from ${origin} by vipkeeper convert\n${stringify(explicitProtocols(input), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

const command: Command = {
  summary: 'convert a keepalived.conf to vipkeeper YAML (stdout)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      strict: { type: 'boolean' },
      format: { type: 'string' },
      file: { type: 'string', short: 'f' },
      'config-id': { type: 'string', short: 'i' },
    }, true);
    const file = fileArg(values.file, positionals);
    const configId = parseConfigId(values['config-id']);
    // The reader follows the file name like check does; a YAML file is re-emitted as plain YAML.
    const read = await readConfig(file, { format: parseFormat(values.format), strict: values.strict ?? false, ...(configId === undefined ? {} : { configId }) });
    const done = finishConfig(read, file);
    for (const d of done.diagnostics) io.err(formatDiagnostic(d));
    if (!done.model || !read.input) { io.err(`${file}: not converted (fix the errors above)`); return 1; }
    io.out(toYaml(read.input, configId === undefined ? file : `${file} (config-id ${configId})`));
    return 0;
  },
};
export default command;
