// `vipkeeper ipvs list|plan|apply`: the kernel's IPVS table as ipvsadm shows it, and the changes a
// configuration's virtual servers would make to it (plan) or make (apply), through generic netlink.
import { join } from 'node:path';
import { moduleDir } from '../../lib/module-dir.js';
import { requireFrom } from '../../lib/require-from.js';
import { parseCommandArgs, UsageError, type CliIO, type Command } from '../command.js';
import type { ConfigFormat } from '../../config/load.js';
import type { IpvsClient } from '../../ipvs/client.js';
import { openIpvs } from '../../ipvs/genl-socket.js';
import { formatList, formatRules, sortDests, sortServices } from '../../ipvs/format.js';
import { formatRows, formatRowsTo } from '../../ipvs/format-rows.js';
import type { IpvsOp } from '../../ipvs/ops.js';
import type { DesiredService } from '../../ipvs/model.js';

const usage = `usage: vipkeeper ipvs list [--stats | --rate | --thresholds | --persistent-conn] [--exact] [--json | --rules]
       vipkeeper ipvs plan -f FILE [--format yaml|keepalived]
       vipkeeper ipvs apply -f FILE [--format yaml|keepalived]

  list    the IPVS table in the layout of \`ipvsadm -Ln\` (numeric), with the same options;
          --rules prints it as \`ipvsadm -Sn\` does, --json as data
  plan    what applying FILE's virtual servers would change, one line per operation
          (+ add, ~ edit, - delete); nothing is changed
  apply   make the table match FILE's virtual servers once, every real server taken as alive;
          services that FILE does not declare are left alone
Exit status: list/apply 0 done, 1 error, 2 usage error; plan 0 nothing to change, 2 changes pending,
1 error (a usage error included).`;

export type OpenIpvs = () => Promise<IpvsClient>;

/**
 * The real kernel, straight from src/ipvs/genl-socket.ts, not through the composition root: that
 * one loads every adapter (VRRP, rtnetlink, probes, logging), which costs `ipvs list` seconds of
 * start-up in the kernel VM and which listing does not need. Imported statically: every
 * subcommand needs it, and the bundle then loads two modules fewer (bench/README.md, IPVS).
 */
async function defaultOpen(): Promise<IpvsClient> {
  return openIpvs();
}

/** Set by the build for dist/ipvs.cjs only: planning's own CommonJS file beside it (scripts/bundle-cli.ts). */
declare const VK_IPVS_PLANNING: string | undefined;

/**
 * The config reader and the planner (src/ipvs/planning.ts) are loaded only by plan/apply: `list`
 * neither parses YAML or keepalived.conf nor plans changes. In dist/ipvs.cjs they are a second
 * file, so a listing does not parse their ~200 KB either (bench/README.md, IPVS, fifth pass).
 */
const planning = async (): Promise<typeof import('../../ipvs/planning.js')> => (typeof VK_IPVS_PLANNING === 'string'
  ? requireFrom(() => import.meta.url)(join(moduleDir(() => import.meta.url), VK_IPVS_PLANNING))
  : import('../../ipvs/planning.js'));

function parseFormat(v: string | undefined): ConfigFormat | undefined {
  if (v === undefined) return undefined;
  if (v !== 'yaml' && v !== 'keepalived') throw new UsageError(`--format must be yaml or keepalived, got '${v}'`);
  return v;
}

/** JSON with 64-bit counters as numbers while exact, as strings beyond 2^53. */
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString()) : x), 2);
}

async function list(argv: string[], io: CliIO, open: OpenIpvs): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    stats: { type: 'boolean' }, rate: { type: 'boolean' }, thresholds: { type: 'boolean' }, 'persistent-conn': { type: 'boolean' },
    exact: { type: 'boolean' }, json: { type: 'boolean' }, rules: { type: 'boolean' }, numeric: { type: 'boolean', short: 'n' },
  }, true);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const views = ['stats', 'rate', 'thresholds', 'persistent-conn'].filter((k) => values[k as keyof typeof values]);
  if (views.length > 1) throw new UsageError(`--${views[0]} and --${views[1]} cannot be combined`);
  if (values.json && values.rules) throw new UsageError('--json and --rules cannot be combined');
  const c = await open();
  try {
    if (!values.json && !values.rules && views.length === 0) {
      // The plain view, the usual one: real servers read straight into rows (formatRows), no object each.
      const [info, table] = [await c.info(), await c.listRows()];
      const write = io.write?.bind(io);
      if (!write) io.out(formatRows(info, table));
      else formatRowsTo(info, table, write);
      return 0;
    }
    const [info, services] = [await c.info(), await c.list()];
    if (values.json) {
      // Same order as the text listing: services and their real servers as ipvsadm sorts them.
      const sorted = sortServices(services).map((s) => ({ ...s, dests: sortDests(s.dests) }));
      io.out(toJson({ version: info.version, connTabSize: info.connTabSize, services: sorted }));
    } else if (values.rules) io.out(formatRules(services));
    else io.out(formatList(info, services, { stats: values.stats, rate: values.rate, thresholds: values.thresholds, persistentConn: values['persistent-conn'], exact: values.exact }));
    return 0;
  } finally {
    c.close();
  }
}

/** Loads FILE and turns its virtual servers into desired state; undefined (after printing) when invalid. */
async function desiredOf(file: string, format: ConfigFormat | undefined, io: CliIO): Promise<DesiredService[] | undefined> {
  const { loadConfig, formatDiagnostic, desiredFromConfig } = await planning();
  const r = await loadConfig(file, { format });
  for (const d of r.diagnostics) io.err(formatDiagnostic(d));
  if (!r.model) { io.err(`vipkeeper ipvs: ${file} is not valid; nothing done`); return undefined; }
  return desiredFromConfig(r.model);
}

function fileOf(argv: string[]): { file: string; format: ConfigFormat | undefined } {
  const { values, positionals } = parseCommandArgs(argv, { file: { type: 'string', short: 'f' }, format: { type: 'string' } }, true);
  if (positionals.length > (values.file === undefined ? 1 : 0)) throw new UsageError(`unexpected argument '${positionals.at(-1)}'`);
  const file = values.file ?? positionals[0];
  if (!file) throw new UsageError('a configuration file is required (-f FILE)');
  return { file, format: parseFormat(values.format) };
}

function summarize(ops: readonly IpvsOp[]): string {
  const svc = ops.filter((o) => o.op.endsWith('service')).length;
  return `${ops.length} change${ops.length === 1 ? '' : 's'} (${svc} to services, ${ops.length - svc} to real servers)`;
}

async function planOrApply(mode: 'plan' | 'apply', argv: string[], io: CliIO, open: OpenIpvs): Promise<number> {
  let args: ReturnType<typeof fileOf>;
  try {
    args = fileOf(argv);
  } catch (e) {
    // Usage errors exit 2 elsewhere, but plan's 2 means "changes pending": a drift check must not
    // read a typo as drift, so plan reports them as errors (1).
    if (mode !== 'plan' || !(e instanceof UsageError)) throw e;
    io.err(`vipkeeper ipvs: ${e.message}\n\n${usage}`);
    return 1;
  }
  const { file, format } = args;
  const desired = await desiredOf(file, format, io);
  if (!desired) return 1;
  const { describeOp, reconcile } = await planning();
  const c = await open();
  try {
    const ops = reconcile(desired, await c.list());
    if (ops.length === 0) { io.out(`the IPVS table already matches ${file}: nothing to change`); return 0; }
    for (const op of ops) io.out(describeOp(op));
    if (mode === 'plan') { io.out(`${summarize(ops)} pending; \`vipkeeper ipvs apply -f ${file}\` makes them`); return 2; }
    await c.apply(ops, { window: 32 });
    io.out(`applied ${summarize(ops)}`);
    return 0;
  } finally {
    c.close();
  }
}

/** The command with an injectable way to reach the kernel (tests pass a fake one). */
export function makeIpvsCommand(open: OpenIpvs = defaultOpen): Command {
  return {
    summary: 'show the IPVS table like ipvsadm -Ln; plan or apply a configuration\'s virtual servers',
    usage,
    async run(argv, io) {
      const [sub, ...rest] = argv;
      if (sub === 'list') return list(rest, io, open);
      if (sub === 'plan' || sub === 'apply') return planOrApply(sub, rest, io, open);
      throw new UsageError(sub === undefined ? 'a subcommand is required: list, plan or apply' : `unknown subcommand '${sub}'`);
    },
  };
}

export default makeIpvsCommand();
