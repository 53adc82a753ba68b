// `vipkeeper realserver setup|teardown --vip ADDR[,ADDR...] --mode dr|tun [--state-file P]`: the
// real-server side of LVS-DR/TUN. Teardown puts back exactly what setup found.
import { parseCommandArgs, UsageError, type CliIO, type Command } from '../command.js';
import type { RealServerHost } from '../../realserver/host.js';
import { setup, teardown } from '../../realserver/apply.js';
import { vipCidr, type Mode } from '../../realserver/plan.js';

const usage = `usage: vipkeeper realserver setup|teardown --vip ADDR[,ADDR...] --mode dr|tun [--state-file P]

Prepare (or restore) a real server behind an LVS director in DR or TUN mode.
  setup      arp_ignore=1 and arp_announce=2 on all and the VIP device (DR: lo; TUN: tunl0,
             after modprobe ipip, link up, rp_filter=0 on all and tunl0), and the VIPs as /32
             (/128) on that device. Running it again keeps the values found the first time.
  teardown   remove the VIPs setup added; once none is left, put back every sysctl as setup found it.
      --vip ADDR[,ADDR...]  the virtual addresses the director forwards to this server
      --mode dr|tun         the director's lb_kind
      --state-file P        where setup records what it changed (default /var/lib/vipkeeper/realserver.json)
Exit status: 0 done, 1 failed (nothing half-done is left behind), 2 usage error.`;

function parseVips(v: string | undefined): string[] {
  if (v === undefined || v.trim() === '') throw new UsageError('--vip ADDR[,ADDR...] is required');
  const out: string[] = [];
  for (const a of v.split(',').map((x) => x.trim()).filter(Boolean)) {
    let c: string;
    try { c = vipCidr(a); } catch (e) { throw new UsageError(`--vip: ${(e as Error).message.replace(/^VIP [^:]*: /, `'${a}': `)}`); }
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

function parseMode(v: string | undefined): Mode {
  if (v === 'dr' || v === 'tun') return v;
  throw new UsageError(v === undefined ? '--mode dr|tun is required' : `--mode must be dr or tun, got '${v}'`);
}

/** The command over any host (tests pass a fake); `makeHost` gets the state file path. */
export async function runRealServerCommand(argv: string[], io: CliIO, makeHost: (stateFile?: string) => RealServerHost | Promise<RealServerHost>): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    vip: { type: 'string' },
    mode: { type: 'string' },
    'state-file': { type: 'string' },
  }, true);
  const [action, ...extra] = positionals;
  if (action !== 'setup' && action !== 'teardown') throw new UsageError(action === undefined ? 'setup or teardown is required' : `unknown action '${action}' (setup or teardown)`);
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const vips = parseVips(values.vip);
  const mode = parseMode(values.mode);
  if (values['state-file'] === '') throw new UsageError('--state-file needs a path');
  const host = await makeHost(values['state-file']);
  try {
    const r = await (action === 'setup' ? setup : teardown)(host, mode, vips);
    for (const l of r.lines) io.out(l);
    if (!r.ok) { io.err(`vipkeeper realserver ${action}: ${r.error}`); return 1; }
    io.out(`realserver ${action} (${mode.toUpperCase()}, ${vips.join(', ')}): done`);
    return 0;
  } finally {
    host.close();
  }
}

const command: Command = {
  summary: 'set up (or tear down) a DR/TUN real server: arp_ignore/arp_announce and the VIPs on lo or tunl0',
  usage,
  async run(argv, io) {
    return runRealServerCommand(argv, io, async (stateFile) => (await import('../../realserver/real-host.js')).createRealServerHost(stateFile));
  },
};
export default command;
