// `vipkeeper reload [--control-socket PATH]`: asks the running daemon to re-read its configuration
// and waits for the outcome: what was kept, changed, started and stopped, or every config error.
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { controlRequest, ControlError } from '../../control/client.js';
import { DEFAULT_CONTROL_SOCKET } from '../../control/protocol.js';

const usage = `usage: vipkeeper reload [--control-socket PATH]

Makes the running daemon re-read its configuration file and waits until it has been applied.
An invalid file changes nothing: its errors are printed (file:line:col: message) and the running
configuration stays.
  --control-socket PATH  the daemon's control socket (default ${DEFAULT_CONTROL_SOCKET})
Exit codes: 0 reloaded, 1 refused (config errors) or no daemon answers, 2 usage.`;

const RELOAD_TIMEOUT_MS = 60_000;

const list = (names: string[]): string => (names.length ? names.join(', ') : '-');

const command: Command = {
  summary: 'make the running daemon re-read its configuration',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { 'control-socket': { type: 'string' } }, true);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const path = values['control-socket'] ?? DEFAULT_CONTROL_SOCKET;
    if (path === '') throw new UsageError('--control-socket needs a path');
    let reply;
    try { reply = await controlRequest(path, { cmd: 'reload' }, { timeoutMs: RELOAD_TIMEOUT_MS }); } catch (e) {
      if (e instanceof ControlError) { io.err(`vipkeeper reload: ${e.message}`); return 1; }
      throw e;
    }
    if (!reply.ok) {
      io.err('vipkeeper reload: the configuration was not reloaded; the running configuration stays:');
      for (const err of reply.errors) io.err(err);
      return 1;
    }
    if (!('kept' in reply)) { io.err(`vipkeeper reload: the daemon on ${path} sent a reply that is not a reload result`); return 1; }
    io.out([
      'reloaded',
      `  kept:    ${list(reply.kept)}`,
      `  changed: ${list(reply.changed)}`,
      `  started: ${list(reply.started)}`,
      `  stopped: ${list(reply.stopped)}`,
    ].join('\n'));
    return 0;
  },
};
export default command;
