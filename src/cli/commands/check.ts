// Placeholder until the check command lands; it refuses to run rather than pretending to.
import type { Command } from '../command.js';

const command: Command = {
  summary: '(check: not yet implemented)',
  usage: 'usage: vipkeeper check',
  async run(_argv, io) { io.err('vipkeeper check: not implemented yet'); return 1; },
};
export default command;
