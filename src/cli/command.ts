// The contract between src/cli.ts and one subcommand: argv after the command name in, an exit code out.
// Output goes through `io` so tests can run commands in-process and read what they print.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { processOutput } from './fd-output.js';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const stdout = processOutput(1), stderr = processOutput(2);

/** The process's own output, a line at a time (a missing newline added). */
export const processIO: CliIO = {
  out: (t) => stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** Calls `done` once all that processIO has written has left the process. */
export function flushProcessIO(done: () => void): void {
  stdout.flush(() => stderr.flush(done));
}

export interface Command {
  /** One line for `vipkeeper --help`. */
  summary: string;
  /** Full usage text, printed for `vipkeeper CMD --help` and on a usage error. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Marks a usage error by a registry symbol, which every copy of this module shares. */
const USAGE = Symbol.for('vipkeeper.usage-error');

/**
 * Usage errors exit 2 (unknown option, missing argument); the message is printed before the usage.
 * `instanceof` goes by the mark, not the class: a command bundled on its own (dist/run.cjs,
 * dist/ipvs.cjs) throws its bundle's copy of this class to dist/cli.js, which has another.
 */
export class UsageError extends Error {
  readonly [USAGE] = true;
  static override [Symbol.hasInstance](x: unknown): boolean { return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[USAGE] === true; }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, turning its errors into UsageError. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
