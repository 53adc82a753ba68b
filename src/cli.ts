#!/usr/bin/env node
// argv -> command; nothing else. Each command lives in src/cli/commands/NAME.ts and is loaded on demand.
import { fileURLToPath } from 'node:url';
import { processIO, type CliIO, type Command } from './cli/command.js';
import { exitAfterOutput, runCommand } from './cli/run-command.js';
import { version } from './cli/version.js';
import { loadBundle } from './cli/load-bundle.js';

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
  return loadBundle(fileURLToPath(new URL(file, import.meta.url))) as Loaded;
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
  // Own names only: `constructor` or `toString` is not a command.
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) { io.err(`vipkeeper: unknown command or option '${name}'\n\n${await usage()}`); return 2; }
  return runCommand(name, (await load()).default, rest, io);
}

// Run as a file itself (the sources through tsx, or `node dist/cli.js`); the package's bin,
// dist/cli.cjs (src/bin.ts), imports it and calls main().
if (process.argv[1] && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1])) {
  main(process.argv.slice(2)).then(exitAfterOutput);
}
