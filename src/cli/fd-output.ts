// A command's output written straight to its file descriptor (1 or 2) with writeSync. node's
// process.stdout and process.stderr are streams whose first use loads ~25 of node's modules
// (streams, and net for a pipe): 0.05-0.1 s of an `ipvs list` under the kernel VM's emulated CPU
// (bench/README.md, IPVS, eighth pass). A descriptor that another process left non-blocking
// (EAGAIN) hands the rest, and all that follows, to node's stream, which queues it; a reader that
// has gone (EPIPE) gets nothing more, as it would from a shell tool.
import { writeSync } from 'node:fs';

/** The stream part: how node's own stream is reached, once and only when a write would block. */
export interface FdOutputPorts {
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number): number;
  stream(): { write(chunk: Uint8Array | string, cb?: () => void): boolean };
}

const realPorts = (fd: 1 | 2): FdOutputPorts => ({
  writeSync: (f, buf, offset, length) => writeSync(f, buf, offset, length),
  stream: () => (fd === 1 ? process.stdout : process.stderr),
});

export class FdOutput {
  private stream?: ReturnType<FdOutputPorts['stream']>;
  private gone = false;

  constructor(private readonly fd: 1 | 2, private readonly ports: FdOutputPorts = realPorts(fd)) {}

  write(text: string): void {
    if (this.gone) return;
    if (this.stream) { this.stream.write(text); return; }
    const buf = Buffer.from(text, 'utf8');
    let at = 0;
    while (at < buf.length) {
      try {
        at += this.ports.writeSync(this.fd, buf, at, buf.length - at);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EPIPE') { this.gone = true; return; }
        if (code !== 'EAGAIN') throw e;
        this.stream = this.ports.stream();
        this.stream.write(buf.subarray(at));
        return;
      }
    }
  }

  /** Calls `done` once everything written has left this process (at once unless node's stream holds some). */
  flush(done: () => void): void {
    if (this.stream) this.stream.write('', done);
    else done();
  }
}

/**
 * The one FdOutput of fd 1 or 2 in this process. The bin and the ES entry are separate bundles,
 * each with its own copy of this module, so the instance is kept on the global object: the exit
 * must wait for whatever either of them queued.
 */
export function processOutput(fd: 1 | 2): FdOutput {
  const key = Symbol.for(`vipkeeper.fd-output.${fd}`);
  const g = globalThis as Record<symbol, FdOutput | undefined>;
  return (g[key] ??= new FdOutput(fd));
}
