// In-memory process table for tests: start, fork, exec, rename and kill processes and the watchers
// see the same notifications the proc connector would give; `overrun()` loses them instead.
import type { ProcessChange, ProcessInfo, ProcessMonitor } from './process-port.js';

export class FakeProcesses implements ProcessMonitor {
  private procs = new Map<number, { comm: string; argv: string[] }>();
  private watchers = new Set<{ fn: (c: ProcessChange) => void; argv: boolean }>();
  private nextPid = 100;
  /** While set, changes are applied to the table but not delivered (as during a queue overflow). */
  losing = false;

  get watching(): number { return this.watchers.size; }

  scan(argv: boolean): ProcessInfo[] {
    return [...this.procs].map(([pid, p]) => this.info(pid, p, argv));
  }

  watch(fn: (c: ProcessChange) => void, opts: { argv: boolean }): () => void {
    const w = { fn, argv: opts.argv };
    this.watchers.add(w);
    return () => { this.watchers.delete(w); };
  }

  /** A new process running argv (its comm: the base name of argv[0], cut to 15 bytes). */
  start(argv: string[], comm?: string): number {
    const pid = this.nextPid++;
    this.procs.set(pid, { comm: comm ?? commOf(argv[0]!), argv });
    this.emit(() => ({ kind: 'fork', parent: 1, child: pid }));
    this.emit((withArgv) => ({ kind: 'exec', pid, info: this.info(pid, this.procs.get(pid)!, withArgv) }));
    return pid;
  }

  fork(parent: number): number {
    const p = this.procs.get(parent);
    if (!p) throw new Error(`no process ${parent}`);
    const pid = this.nextPid++;
    this.procs.set(pid, { ...p });
    this.emit(() => ({ kind: 'fork', parent, child: pid }));
    return pid;
  }

  exec(pid: number, argv: string[]): void {
    this.procs.set(pid, { comm: commOf(argv[0]!), argv });
    this.emit((withArgv) => ({ kind: 'exec', pid, info: this.info(pid, this.procs.get(pid)!, withArgv) }));
  }

  rename(pid: number, comm: string): void {
    const p = this.procs.get(pid)!;
    p.comm = comm.slice(0, 15);
    this.emit(() => ({ kind: 'comm', pid, comm: p.comm }));
  }

  kill(pid: number): void {
    if (!this.procs.delete(pid)) throw new Error(`no process ${pid}`);
    this.emit(() => ({ kind: 'exit', pid }));
  }

  /** The receive queue overflowed: watchers are told notifications were lost. */
  overrun(): void { for (const w of [...this.watchers]) w.fn({ kind: 'overrun' }); }

  private emit(make: (argv: boolean) => ProcessChange): void {
    if (this.losing) return;
    for (const w of [...this.watchers]) w.fn(make(w.argv));
  }

  private info(pid: number, p: { comm: string; argv: string[] }, argv: boolean): ProcessInfo {
    return argv ? { pid, comm: p.comm, argv: [...p.argv] } : { pid, comm: p.comm };
  }
}

function commOf(path: string): string { return path.slice(path.lastIndexOf('/') + 1).slice(0, 15); }
