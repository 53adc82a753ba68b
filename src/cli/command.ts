// The contract between src/cli.ts and one subcommand: argv after the command name in, an exit code out.
// Output goes through `io` so tests can run commands in-process and read what they print.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { processOutput } from './fd-output.js';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /**
   * Optional: text written as it is, a piece of a long output at a time (no newline added): the
   * pieces leave while the rest is made, and no one string of it all is built (`ipvs list`).
   */
  write?(text: string): void;
}

const stdout = processOutput(1), stderr = processOutput(2);

/** The process's own output, a line at a time (a missing newline added). */
export const processIO: CliIO = {
  out: (t) => stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  write: (t) => stdout.write(t),
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
  const config = { args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals } as const;
  const plain = plainArgs(argv, config.options, allowPositionals) as ReturnType<typeof parseArgs<typeof config>> | undefined;
  if (plain) return plain;
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * parseArgs' own result for a command line of positionals and known boolean options spelled whole
 * (`--name`, `-n`), without calling it: its first call runs ~10 ms of node's cold code under the
 * kernel VM's emulated CPU, a listing's whole start is ~0.1 s (bench/README.md, IPVS, tenth
 * pass). Anything else (values, `=`, grouped or unknown flags, `-`, `--`): undefined.
 */
export function plainArgs(argv: readonly string[], options: Options, allowPositionals: boolean): { values: Record<string, unknown>; positionals: string[] } | undefined {
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const positionals: string[] = [];
  for (const a of argv) {
    if (a[0] !== '-') {
      if (!allowPositionals) return undefined;
      positionals.push(a);
      continue;
    }
    const name = a[1] === '-' ? a.slice(2) : a.length === 2 ? Object.keys(options).find((k) => options[k]!.short === a[1]) : undefined;
    const o = name && Object.hasOwn(options, name) ? options[name]! : undefined;
    if (!o || o.type !== 'boolean' || o.multiple) return undefined;
    values[name!] = true;
  }
  for (const [k, o] of Object.entries(options)) if (o.default !== undefined && !(k in values)) values[k] = o.default;
  return { values, positionals };
}
