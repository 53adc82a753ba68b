#!/usr/bin/env -S node --v8-pool-size=1
// --v8-pool-size=1: one V8 background thread (optimizing compiles, GC helpers), not node's fixed 4,
// which on a 2-CPU director crowd out the main thread and the dump thread of an `ipvs list`; a fixed
// 1, not 0 (CPUs - 1), so a 64-CPU director's SCHED_RR daemon does not get 63 (bench/README.md,
// IPVS, twelfth pass). env -S splits the line: coreutils >= 8.30 (docs/operations.md).
// The package's bin, built as dist/cli.cjs (scripts/bundle-cli.ts): a CommonJS file, so that node
// starts it without its ES module loader, which costs an `ipvs list` 0.1 s of its start in the
// kernel VM and the daemon ~0.9 MiB of RSS (bench/README.md, "idle daemon" and IPVS, sixth pass).
// The commands built as CommonJS files of their own (`run`, `ipvs`, `check`) and --version are taken here;
// everything else goes to dist/cli.js, the ES entry, whose main() knows every command.
import { join } from 'node:path';
import { processIO, type Command } from './cli/command.js';
import { exitAfterOutput, runCommand } from './cli/run-command.js';
import { version } from './cli/version.js';
import { loadBundle } from './cli/load-bundle.js';
import { moduleDir } from './lib/module-dir.js';

/** Command name -> its CommonJS file beside this one; set by the build, as for dist/cli.js. */
declare const VK_COMMAND_BUNDLES: string;

const argv = process.argv.slice(2);
const [name, ...rest] = argv;
const bundles = JSON.parse(VK_COMMAND_BUNDLES) as Record<string, string>;

if (name === '-V' || name === '--version') {
  processIO.out(version());
  exitAfterOutput(0);
} else if (name !== undefined && Object.hasOwn(bundles, name)) {
  const cmd = (loadBundle(join(moduleDir(() => import.meta.url), bundles[name]!)) as { default: Command }).default;
  void runCommand(name, cmd, rest, processIO).then(exitAfterOutput);
} else {
  // Not a literal, so the bundler leaves it an import of the ES entry beside this file.
  const entry = new URL('./cli.js', import.meta.url).href;
  void (import(entry) as Promise<{ main: (argv: string[]) => Promise<number> }>).then((m) => m.main(argv)).then(exitAfterOutput);
}
