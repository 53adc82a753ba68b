// Placeholder until the ipvs command lands; it refuses to run rather than pretending to.
import type { Command } from '../command.js';

const command: Command = {
  summary: '(ipvs: not yet implemented)',
  usage: 'usage: vipkeeper ipvs',
  async run(_argv, io) { io.err('vipkeeper ipvs: not implemented yet'); return 1; },
};
export default command;
