// Test helpers for watching what a daemon does from outside: a shell script that appends its
// arguments to a log (a notify script's witness), and tcpdump's text output read line by line.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from './netns.js';
import { waitFor } from './wait.js';

/** `dir/NAME.sh` appends "$@" to `dir/NAME.log`; `lines()` reads what it got (none before its first run). */
export function recordingScript(dir: string, name: string): { script: string; log: string; lines(): string[] } {
  const log = join(dir, `${name}.log`);
  const script = join(dir, `${name}.sh`);
  writeFileSync(script, `#!/bin/sh\necho "$@" >> ${log}\n`);
  chmodSync(script, 0o755);
  return { script, log, lines: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

/** Runs `tcpdump -n -l -tt ARGS` in `host`, hands every text line to `onLine`; resolves once it listens. */
export async function tcpdumpLines(host: Host, args: string[], onLine: (line: string) => void): Promise<{ stop(): void }> {
  const dump = host.spawn('tcpdump', ['-n', '-l', '-tt', ...args]);
  let err = '', buf = '';
  dump.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  dump.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  if (!(await waitFor(() => /listening on/.test(err), 5000))) throw new Error(`tcpdump did not start: ${err}`);
  return { stop: () => { dump.kill('SIGINT'); } };
}
