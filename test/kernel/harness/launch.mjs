// Guest side: runs the command the host put in fw_cfg ({argv, env, cwd} JSON) with the console as
// its stdio and exits with its status (128+signal when killed), which /init reports to the host.
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

let spec;
try {
  spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch (e) {
  console.error(`vm launch: cannot read the command from ${process.argv[2]}: ${e.message}`);
  process.exit(125);
}
const child = spawn(spec.argv[0], spec.argv.slice(1), {
  cwd: spec.cwd ?? '/project',
  env: { ...process.env, ...spec.env },
  stdio: 'inherit',
});
child.on('error', (e) => {
  console.error(`vm launch: cannot run ${spec.argv[0]}: ${e.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
