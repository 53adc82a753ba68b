// Reads the process table from /proc: the name and state from /proc/PID/stat (zombies are not
// running, as keepalived and unlike pgrep), the command line from /proc/PID/cmdline only when a
// tracker needs it (reading it touches the process's memory, possibly swapped out).
import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessInfo } from './process-port.js';

/** `PID (COMM) STATE ...`; comm may itself hold ')' or spaces, so the last ')' ends it. */
export function parseStat(text: string): { comm: string; state: string } | undefined {
  const open = text.indexOf('('), close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  return { comm: text.slice(open + 1, close), state: text.slice(close + 2, close + 3) };
}

/** NUL-separated argv; a kernel thread has none. */
export function parseCmdline(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const s = buf.toString('latin1');
  return (s.endsWith('\0') ? s.slice(0, -1) : s).split('\0');
}

export function readProcess(pid: number, argv: boolean, root = '/proc'): ProcessInfo | undefined {
  try {
    const st = parseStat(readFileSync(`${root}/${pid}/stat`, 'latin1'));
    if (!st || st.state === 'Z') return undefined;
    if (!argv) return { pid, comm: st.comm };
    return { pid, comm: st.comm, argv: parseCmdline(readFileSync(`${root}/${pid}/cmdline`)) };
  } catch {
    return undefined; // gone meanwhile, or not readable: not counted
  }
}

export function scanProcesses(argv: boolean, root = '/proc'): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  let names: string[];
  try { names = readdirSync(root); } catch { return out; }
  for (const n of names) {
    if (!/^[1-9]\d*$/.test(n)) continue;
    const p = readProcess(Number(n), argv, root);
    if (p) out.push(p);
  }
  return out;
}
