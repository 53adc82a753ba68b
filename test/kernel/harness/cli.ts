// `node test/kernel/harness/run.mjs [options] [-- command args...]`: runs a command in the test VM
// (default: the inside kernel tests) with its output on stdout, and exits with its status.
import { parseArgs } from 'node:util';
import { HarnessError, prepareVm, runInVm } from './index.js';

const USAGE = `usage: node test/kernel/harness/run.mjs [options] [-- command args...]
  Boots Debian's cloud kernel under qemu with the project at /project and runs the command there
  (default: node --import tsx --test --test-concurrency=1 test/kernel/inside/*.test.ts).
  -t, --timeout SEC   kill the VM after SEC seconds (default 900)
  -e, --env K=V       set a variable in the guest (repeatable; VIPKEEPER_* are passed on anyway)
  -C, --cwd DIR       guest working directory (default /project)
  -q, --quiet         no build progress or timings on stderr
  -i, --interactive   the guest console reads this terminal (e.g. -i -- setsid cttyhack sh)
  --build-only        install, fetch the kernel and build the image, boot nothing
  -h, --help          this text
  Exit status: the command's; 124 when the timeout killed the VM; 125 when the harness failed.`;

export async function main(args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash < 0 ? args : args.slice(0, dash);
  const argv = dash < 0 ? [] : args.slice(dash + 1);
  let values;
  try {
    ({ values } = parseArgs({
      args: own, strict: true, allowPositionals: false,
      options: {
        timeout: { type: 'string', short: 't' }, env: { type: 'string', short: 'e', multiple: true },
        cwd: { type: 'string', short: 'C' }, quiet: { type: 'boolean', short: 'q' },
        interactive: { type: 'boolean', short: 'i' }, 'build-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  const env: Record<string, string> = {};
  for (const kv of values.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) { process.stderr.write(`--env wants K=V, got ${kv}\n${USAGE}\n`); return 2; }
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) { process.stderr.write(`--timeout wants seconds\n${USAGE}\n`); return 2; }
  const say = (s: string) => { if (!values.quiet) process.stderr.write(`${s}\n`); };
  try {
    if (values['build-only']) {
      const p = prepareVm(say);
      say(`vm harness: ${p.image.initrd} ready in ${(p.buildMs / 1000).toFixed(1)} s (kernel ${p.kernel.release})`);
      return 0;
    }
    const r = await runInVm({
      argv, env, cwd: values.cwd, timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      onLine: (l) => process.stdout.write(`${l}\n`), log: say, interactive: values.interactive,
    });
    const sec = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(1));
    say(`vm harness: image ${sec(r.buildMs)} s (base ${r.baseBuilt ? 'built' : 'cached'}, project ${r.projectBuilt ? 'built' : 'cached'}), boot to node ${sec(r.bootMs)} s, whole VM ${sec(r.totalMs)} s, status ${r.status ?? 'none'}`);
    if (r.timedOut) { process.stderr.write('vm harness: timeout, VM killed\n'); return 124; }
    if (r.status === undefined) { process.stderr.write(`vm harness: no exit status from the VM. qemu: ${r.qemuStderr.trim()}\n`); return 125; }
    return r.status;
  } catch (e) {
    if (e instanceof HarnessError) { process.stderr.write(`${e.message}\n`); return 125; }
    throw e;
  }
}
