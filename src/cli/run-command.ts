// One command run the way every entry runs it (dist/cli.js, and the package's bin dist/cli.cjs for
// the commands it takes itself): --help prints the usage, a usage error exits 2 with the usage
// again, any other error is one line (VIPKEEPER_DEBUG=1 adds the stack).
import { flushProcessIO, UsageError, type CliIO, type Command } from './command.js';
import { readableStack } from '../lib/readable-stack.js';

export async function runCommand(name: string, cmd: Command, rest: string[], io: CliIO): Promise<number> {
  if (rest.includes('--help') || rest.includes('-h')) { io.out(cmd.usage); return 0; }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) { io.err(`vipkeeper ${name}: ${e.message}\n\n${cmd.usage}`); return 2; }
    // Never a stack trace for the operator; VIPKEEPER_DEBUG=1 shows it.
    io.err(`vipkeeper ${name}: ${(e as Error).message ?? String(e)}`);
    if (process.env.VIPKEEPER_DEBUG) io.err(String(readableStack((e as Error).stack)));
    return 1;
  }
}

/**
 * A command that has returned is done: exit as soon as what it wrote has left, rather than let
 * the event loop wait for the collector to finish the marking a large config started (10-20 ms).
 * processIO writes synchronously unless a descriptor would block; then node's stream queues the
 * rest, and the exit waits for an empty write behind it (callbacks run in write order).
 */
export function exitAfterOutput(code: number): void {
  process.exitCode = code;
  flushProcessIO(() => process.exit(code));
}
