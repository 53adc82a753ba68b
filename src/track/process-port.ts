// The process table as a process tracker sees it: a scan of the running processes, a read of one,
// and change notifications (fork/exec/comm/exit of processes, not threads). Real: /proc plus the
// netlink proc connector (process-monitor.ts); in memory: process-fake.ts.
export interface ProcessInfo {
  pid: number;
  /** /proc/PID/comm: the kernel's process name, at most 15 bytes (read as latin1). */
  comm: string;
  /** /proc/PID/cmdline split at NULs; only read when asked for (it touches the process's memory). */
  argv?: string[];
}

export type ProcessChange =
  | { kind: 'fork'; parent: number; child: number }
  /** After exec: the process as it now is (undefined when it was gone before it could be read). */
  | { kind: 'exec'; pid: number; info: ProcessInfo | undefined }
  | { kind: 'comm'; pid: number; comm: string }
  | { kind: 'exit'; pid: number }
  /** Notifications were lost (the receive queue overflowed): the table must be read again. */
  | { kind: 'overrun' };

export interface ProcessMonitor {
  /** Every running process (zombies excluded), with argv when `argv` is set. */
  scan(argv: boolean): ProcessInfo[];
  /** Starts delivering changes (exec infos carry argv when `argv` is set); returns the unsubscribe. */
  watch(fn: (c: ProcessChange) => void, opts: { argv: boolean }): () => void;
}

/** What the proc connector reports: an exec without the new program's details (read from /proc once). */
export type RawChange = Exclude<ProcessChange, { kind: 'exec' }> | { kind: 'exec'; pid: number };
