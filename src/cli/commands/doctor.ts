// `vipkeeper doctor [-f FILE] [--json] [--listen-ms N]`: check this host for what the configuration
// needs, one line per check with its fix. Exit 0 when nothing blocks the config, 1 otherwise.
import { parseCommandArgs, UsageError, type CliIO, type Command } from '../command.js';
import { formatDiagnostic, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/model.js';
import { parseFormat } from './check.js';
import type { DoctorHost } from '../../doctor/host.js';
import { blocking, runDoctor } from '../../doctor/doctor.js';
import { formatFinding, summaryLine } from '../../doctor/report.js';

const usage = `usage: vipkeeper doctor [-f FILE] [--json] [--listen-ms N] [--format yaml|keepalived]

Check this host for what the configuration needs: privileges (CAP_NET_ADMIN, CAP_NET_RAW), IPVS and
the schedulers the virtual servers use, the interfaces (present, up, multicast), ip_forward for NAT,
rp_filter for DR/TUN, nft for vrrp_strict, and other VRRP clusters on the configured VRIDs (it
listens on each interface for three advert intervals, at most 10 s). Without -f, only the host.
  -f, --file FILE     the configuration (YAML or keepalived.conf)
      --json          print {file, ok, findings: [{level, check, message, fix}]} on stdout
      --listen-ms N   listen N ms for other VRRP speakers (0: do not listen)
      --format F      force the reader: yaml or keepalived
Exit status: 0 nothing blocks the configuration (warnings allowed), 1 a check failed or the
configuration is invalid, 2 usage error.`;

function parseListen(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 600_000) throw new UsageError(`--listen-ms must be a whole number of milliseconds 0-600000, got '${v}'`);
  return n;
}

/** The command over any DoctorHost (tests pass a fake). */
export async function runDoctorCommand(argv: string[], io: CliIO, makeHost: () => DoctorHost | Promise<DoctorHost>): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    file: { type: 'string', short: 'f' },
    json: { type: 'boolean' },
    'listen-ms': { type: 'string' },
    format: { type: 'string' },
  }, true);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.file === '') throw new UsageError('-f needs a file name');
  const listenMs = parseListen(values['listen-ms']);
  const format = parseFormat(values.format);
  const file = values.file;

  let cfg: Config | undefined;
  if (file !== undefined) {
    const r = await loadConfig(file, { format });
    if (!r.model) {
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      if (values.json) io.out(JSON.stringify({ file, ok: false, errors, findings: [] }, null, 2));
      else {
        for (const d of errors) io.err(formatDiagnostic(d));
        io.out(`FAIL  config: ${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}, so the host cannot be checked against it -> fix: vipkeeper check -f ${file}`);
      }
      return 1;
    }
    cfg = r.model;
  }

  const host = await makeHost();
  let findings;
  try { findings = await runDoctor(cfg, host, listenMs === undefined ? {} : { listenMs }); } finally { host.close(); }
  const failed = blocking(findings);
  if (values.json) {
    io.out(JSON.stringify({ file: file ?? null, ok: !failed, findings }, null, 2));
  } else {
    for (const f of findings) io.out(formatFinding(f));
    io.out(file === undefined ? summaryLine(findings).replace('this configuration', 'this host') : summaryLine(findings));
  }
  return failed ? 1 : 0;
}

const command: Command = {
  summary: 'check this host for what a configuration needs, with the fix for each problem',
  usage,
  async run(argv, io) {
    return runDoctorCommand(argv, io, async () => (await import('../../doctor/real-host.js')).createRealDoctorHost());
  },
};
export default command;
