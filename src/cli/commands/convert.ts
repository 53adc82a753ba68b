// Placeholder until the convert command lands; it refuses to run rather than pretending to.
import type { Command } from '../command.js';

const command: Command = {
  summary: '(convert: not yet implemented)',
  usage: 'usage: vipkeeper convert',
  async run(_argv, io) { io.err('vipkeeper convert: not implemented yet'); return 1; },
};
export default command;
