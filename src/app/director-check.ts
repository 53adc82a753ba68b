// One checker of one real server as the director runs it: its runtime record (CheckRt), its
// timing and its scheduler task (TaskSpec) in one object, whose run is a prototype method. At
// 11,000 checkers a task record, a run closure and its context, a timing record and a per-real-
// server array of states were ~2.5 MB of heap that lives as long as the daemon (bench/README.md,
// "checkers at scale").
import type { Checker } from '../config/model.js';
import type { CheckOutcome, Probe } from '../check/checker.js';
import { initialCheckState, type CheckState } from '../check/policy.js';
import type { TaskSpec } from '../check/scheduler.js';
import { maxRunMs, type CheckRt, type FailureCount, type RsRt } from './director-state.js';
import { checkTiming, type CheckTiming } from './director-timing.js';

/** Where a settled probe's outcome goes: the next run's delay, or undefined to stop. */
export interface CheckResultSink {
  checkResult(r: RsRt, c: DirectorCheck, out: CheckOutcome): number | undefined;
}

export class DirectorCheck implements CheckRt, CheckTiming, TaskSpec {
  state: CheckState;
  closed = false;
  failures: Map<string, FailureCount> | undefined = undefined;
  readonly delayLoopMs: number;
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  readonly warmupMs: number;
  readonly maxRunMs: number;

  constructor(readonly id: string, readonly check: Checker, readonly probe: Probe, private readonly rs: RsRt, private readonly sink: CheckResultSink) {
    const t = checkTiming(check);
    this.delayLoopMs = t.delayLoopMs;
    this.retry = t.retry;
    this.delayBeforeRetryMs = t.delayBeforeRetryMs;
    this.warmupMs = t.warmupMs;
    this.maxRunMs = maxRunMs(check);
    this.state = initialCheckState({ alpha: check.alpha, retry: t.retry });
  }

  /** Its own fields are its timing: no record beside it. */
  get timing(): CheckTiming { return this; }
  /** The state's, so that a real server's checkers are read by the policy as they are. */
  get up(): boolean { return this.state.up; }
  get weight(): number | undefined { return this.state.weight; }

  async run(): Promise<number | undefined> {
    const out = await this.probe.run();
    return this.sink.checkResult(this.rs, this, out);
  }
}
