// Placeholder until the run command lands; it refuses to run rather than pretending to.
import type { Command } from '../command.js';

const command: Command = {
  summary: '(run: not yet implemented)',
  usage: 'usage: vipkeeper run',
  async run(_argv, io) { io.err('vipkeeper run: not implemented yet'); return 1; },
};
export default command;
