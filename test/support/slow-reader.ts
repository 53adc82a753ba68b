// A child's output read late: nothing is taken from its stdout for `delayMs`, so a large output
// can only wait in the child (a socket pair holds ~200 KiB) until it is read. The listeners are
// there from the start: node resumes and drains the stdio of a child that has exited, and what it
// drains must be kept.
import type { ChildProcess } from 'node:child_process';

export async function readSlowly(child: ChildProcess, delayMs = 1500): Promise<{ code: number | null; out: Buffer; err: string }> {
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d; });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => chunks.push(d));
  child.stdout!.pause();
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.stdout!.resume();
  const code = await exited;
  return { code, out: Buffer.concat(chunks), err };
}
