// Boots the image under qemu (software emulation by default), passes the command through fw_cfg,
// streams the serial console and returns the command's exit status. The VM is killed at the timeout.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLines, SerialParser, type SerialEvent } from './serial.js';

export interface BootOptions {
  qemu: string;
  vmlinuz: string;
  initrd: string;
  /** Command run in the guest, argv[0] looked up on the guest's PATH. */
  argv: string[];
  env?: Record<string, string>;
  /** Guest directory to run in; the project is at /project. */
  cwd?: string;
  /** Kills the VM after this long (boot included). */
  timeoutMs: number;
  memMb?: number;
  cpus?: number;
  /** qemu -accel value; 'tcg' (default) needs no /dev/kvm. */
  accel?: string;
  /** Directory for the per-run command file. */
  workDir: string;
  /** Connect this process's stdin to the guest console (for a shell). */
  interactive?: boolean;
  /** Every console line as it arrives (markers excluded). */
  onLine?: (line: string) => void;
}

export interface BootResult {
  /** The command's exit status; undefined when the VM ended without reporting one. */
  status: number | undefined;
  /** Console output (CR removed, marker lines excluded). */
  output: string;
  timedOut: boolean;
  /** From starting qemu to /init about to start node, and to the end of the command. */
  bootMs: number | undefined;
  totalMs: number;
  /** qemu's own stderr (its errors, not the guest's). */
  qemuStderr: string;
}

/** qemu's option syntax doubles a comma inside a value. */
function optValue(s: string): string {
  return s.replace(/,/g, ',,');
}

export function qemuArgs(o: BootOptions, runFile: string, nonce: string): string[] {
  const accel = o.accel ?? 'tcg';
  return [
    '-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max',
    '-m', String(o.memMb ?? 2048), '-smp', String(o.cpus ?? 2),
    '-nodefaults', '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot',
    '-kernel', o.vmlinuz, '-initrd', o.initrd,
    '-append', 'console=ttyS0 panic=-1 quiet',
    '-fw_cfg', `name=opt/vipkeeper/run,file=${optValue(runFile)}`,
    '-fw_cfg', `name=opt/vipkeeper/nonce,string=${nonce}`,
  ];
}

export function bootVm(o: BootOptions): Promise<BootResult> {
  const nonce = randomBytes(8).toString('hex');
  const runFile = join(o.workDir, `run-${process.pid}-${nonce}.json`);
  writeFileSync(runFile, JSON.stringify({ argv: o.argv, env: o.env ?? {}, cwd: o.cwd ?? '/project' }));
  const started = Date.now();
  const parser = new SerialParser(nonce);
  const out: string[] = [];
  let status: number | undefined;
  let bootMs: number | undefined;
  let qemuStderr = '';
  let timedOut = false;

  const child = spawn(o.qemu, qemuArgs(o, runFile, nonce), { stdio: [o.interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeoutMs);
  // A host process that dies early (runner timeout, ^C) must not leave the VM running.
  const reap = () => child.kill('SIGKILL');
  process.on('exit', reap);
  const lines = new ConsoleLines();
  const handle = (events: SerialEvent[]) => {
    for (const e of events) {
      if (e.kind === 'ready') bootMs ??= Date.now() - started;
      for (const l of lines.accept(e)) { out.push(l); o.onLine?.(l); }
      status = lines.status;
    }
  };
  child.stdout.setEncoding('utf8').on('data', (c: string) => handle(parser.push(c)));
  child.stderr.setEncoding('utf8').on('data', (c: string) => { qemuStderr += c; });

  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      process.off('exit', reap);
      handle(parser.flush());
      rmSync(runFile, { force: true });
      resolve({ status, output: out.join('\n'), timedOut, bootMs, totalMs: Date.now() - started, qemuStderr });
    };
    child.on('error', (e) => { qemuStderr += `cannot start ${o.qemu}: ${e.message}\n`; finish(); });
    child.on('close', finish);
  });
}
