// The real ProcessMonitor: /proc for scans, the netlink proc connector for changes. One connector
// socket is shared by every tracker; it is opened with the first watcher and closed with the last.
import type { Logger } from '../ports/logger.js';
import { ProcConnector } from './process-connector.js';
import type { ProcessChange, ProcessMonitor, RawChange } from './process-port.js';
import { readProcess, scanProcesses } from './process-procfs.js';

export class ProcfsProcessMonitor implements ProcessMonitor {
  private watchers = new Set<{ fn: (c: ProcessChange) => void; argv: boolean }>();
  private conn: ProcConnector | undefined;

  constructor(private logger: Logger, private open: (onEvent: (c: RawChange) => void) => ProcConnector = (cb) => ProcConnector.open(cb, logger)) {}

  scan(argv: boolean): ReturnType<typeof scanProcesses> { return scanProcesses(argv); }

  watch(fn: (c: ProcessChange) => void, opts: { argv: boolean }): () => void {
    // A failure to open is thrown to the tracker's start (the daemon reports it), not swallowed.
    this.conn ??= this.open((c) => this.deliver(c));
    const w = { fn, argv: opts.argv };
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
      if (this.watchers.size === 0) { this.conn?.close(); this.conn = undefined; }
    };
  }

  close(): void { this.watchers.clear(); this.conn?.close(); this.conn = undefined; }

  private deliver(c: RawChange): void {
    let plain: ProcessChange | undefined, full: ProcessChange | undefined;
    for (const w of [...this.watchers]) {
      let out: ProcessChange;
      if (c.kind !== 'exec') out = c;
      // Read once per exec for all watchers (with argv only if one of them needs it).
      else if (w.argv) out = full ??= { kind: 'exec', pid: c.pid, info: readProcess(c.pid, true) };
      else out = plain ??= { kind: 'exec', pid: c.pid, info: readProcess(c.pid, false) };
      try { w.fn(out); } catch (e) { this.logger.error({ err: (e as Error).message }, 'process tracker failed on a process event'); }
    }
  }
}
