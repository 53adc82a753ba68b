// A script runner whose programs are JavaScript functions: tests decide each exit code and
// how long each run takes (resolved by hand or by the fake clock).
import type { ScriptResult, ScriptRunner, ScriptSpec } from '../script-runner.js';

export interface FakeRun { spec: ScriptSpec; finish(r: Partial<ScriptResult>): void; done: boolean }

export class FakeScripts implements ScriptRunner {
  readonly runs: FakeRun[] = [];
  /** When set, runs finish at once with this program's answer; otherwise they wait for finish(). */
  program: ((spec: ScriptSpec) => Partial<ScriptResult>) | undefined;
  constructor(readonly journal: string[] = []) {}

  run(spec: ScriptSpec): Promise<ScriptResult> {
    this.journal.push(`run ${spec.argv.join(' ')}`);
    return new Promise((resolve) => {
      const r: FakeRun = {
        spec, done: false,
        finish: (res) => {
          if (r.done) return;
          r.done = true;
          resolve({ code: 0, signal: null, timedOut: false, ...res });
        },
      };
      this.runs.push(r);
      if (this.program) r.finish(this.program(spec));
    });
  }

  /** Runs started and not finished. */
  get running(): FakeRun[] { return this.runs.filter((r) => !r.done); }
}
