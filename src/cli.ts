#!/usr/bin/env node
// argv -> command; nothing else. Each command lives in src/cli/commands/NAME.ts and is loaded on demand.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { processIO, UsageError, type CliIO, type Command } from './cli/command.js';
import { inPackage } from './lib/package-root.js';

/**
 * Set by the build (scripts/bundle-cli.ts): command name -> its own CommonJS bundle beside this
 * file (the daemon's, `ipvs`'s). Absent in the sources, which import the modules. JSON text: an
 * object define would be a shared chunk of its own that every command's start loads.
 */
declare const VK_COMMAND_BUNDLES: string | undefined;

type Loaded = { default: Command };

/** A command from its bundle when the build made one, else its ES module. */
const bundled = (name: string, load: () => Promise<Loaded>) => async (): Promise<Loaded> => {
  const file = typeof VK_COMMAND_BUNDLES === 'string' ? (JSON.parse(VK_COMMAND_BUNDLES) as Record<string, string>)[name] : undefined;
  if (file === undefined) return load();
  return { default: createRequire(import.meta.url)(fileURLToPath(new URL(file, import.meta.url))) as Command };
};

const commands: Record<string, () => Promise<Loaded>> = {
  check: () => import('./cli/commands/check.js'),
  convert: () => import('./cli/commands/convert.js'),
  run: bundled('run', () => import('./cli/commands/run.js')),
  ipvs: bundled('ipvs', () => import('./cli/commands/ipvs.js')),
  status: () => import('./cli/commands/status.js'),
  reload: () => import('./cli/commands/reload.js'),
  doctor: () => import('./cli/commands/doctor.js'),
  realserver: () => import('./cli/commands/realserver.js'),
  genhash: () => import('./cli/commands/genhash.js'),
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(inPackage('package.json'), 'utf8'));
  return String(pkg.version);
}

async function usage(): Promise<string> {
  const lines = ['usage: vipkeeper <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const summary = await load().then((m) => m.default.summary, () => '(not available in this build)');
    lines.push(`  ${name.padEnd(12)}${summary}`);
  }
  lines.push('', 'options:', '  -h, --help     show this help', '  -V, --version  print the version', '', 'Run `vipkeeper <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(await usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '-V' || name === '--version') { io.out(version()); return 0; }
  const load = commands[name];
  if (!load) { io.err(`vipkeeper: unknown command or option '${name}'\n\n${await usage()}`); return 2; }
  const cmd = (await load()).default;
  if (rest.includes('--help') || rest.includes('-h')) { io.out(cmd.usage); return 0; }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) { io.err(`vipkeeper ${name}: ${e.message}\n\n${cmd.usage}`); return 2; }
    // Never a stack trace for the operator; VIPKEEPER_DEBUG=1 shows it.
    io.err(`vipkeeper ${name}: ${(e as Error).message ?? String(e)}`);
    if (process.env.VIPKEEPER_DEBUG) io.err(String((e as Error).stack));
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1])) {
  // A command that has returned is done: exit as soon as what it wrote has left, rather than let
  // the event loop wait for the collector to finish the marking a large config started (10-20 ms).
  // A pipe or socket takes what its buffer holds and node queues the rest, so the exit waits for
  // an empty write behind it on each stream (callbacks run in write order).
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
