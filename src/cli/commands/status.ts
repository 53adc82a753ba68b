// `vipkeeper status [--control-socket PATH] [--json]`: asks the running daemon over its control
// socket what every VRRP instance and real server is doing, and prints it as a table or JSON.
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { controlRequest, ControlError } from '../../control/client.js';
import { DEFAULT_CONTROL_SOCKET } from '../../control/protocol.js';
import { formatStatus } from '../../control/status-table.js';

const usage = `usage: vipkeeper status [--control-socket PATH] [--json]

Shows the running daemon's VRRP instances (state, priorities, master seen, last transition) and
virtual servers (real servers with health, weight, last check and latency).
  --control-socket PATH  the daemon's control socket (default ${DEFAULT_CONTROL_SOCKET})
  --json                 print the status object as JSON
Exit codes: 0 status printed, 1 no daemon answers, 2 usage.`;

const command: Command = {
  summary: 'show the running daemon\'s instances and real servers',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { 'control-socket': { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const path = values['control-socket'] ?? DEFAULT_CONTROL_SOCKET;
    if (path === '') throw new UsageError('--control-socket needs a path');
    let reply;
    try { reply = await controlRequest(path, { cmd: 'status' }, { timeoutMs: 5000 }); } catch (e) {
      if (e instanceof ControlError) { io.err(`vipkeeper status: ${e.message}`); return 1; }
      throw e;
    }
    if (!reply.ok) { for (const err of reply.errors) io.err(`vipkeeper status: ${err}`); return 1; }
    if (!('status' in reply)) { io.err(`vipkeeper status: the daemon on ${path} sent a reply without a status`); return 1; }
    io.out(values.json ? JSON.stringify(reply.status, null, 2) : formatStatus(reply.status));
    return 0;
  },
};
export default command;
