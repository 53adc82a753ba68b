// The error of an apply that stopped part way, with exact counts: which change failed, how many
// were applied, and (when a whole batch's answers were lost) how many may or may not have been.
import { SysError, VipError } from '../lib/errors.js';
import { describeOp, type IpvsOp } from './ops.js';

/** `apply` stopped part way: which operation failed, why, and how many of the others were applied. */
export class IpvsApplyError extends VipError {
  readonly errno: string | undefined;
  /** `unknown`: how many changes from failedIndex on may or may not have been applied (a batch lost). */
  constructor(ops: readonly IpvsOp[], readonly failedIndex: number, readonly applied: number, override readonly cause: unknown, readonly unknown = 0) {
    const total = ops.length;
    const why = cause instanceof Error ? cause.message : String(cause);
    const counts = unknown > 0
      ? `${applied} of ${total} changes applied, ${unknown} (changes ${failedIndex + 1} to ${failedIndex + unknown}) may or may not have been, ${total - applied - unknown} not`
      : `${applied} of ${total} change${total === 1 ? '' : 's'} applied, ${total - applied} not`;
    super('ipvs-apply-failed', `${why}\n  change ${failedIndex + 1} of ${total} failed (${describeOp(ops[failedIndex]!)}); ${counts}: the table is partly updated`,
    { failedIndex, applied, total, failed: ops[failedIndex], ...(unknown > 0 ? { unknown } : {}) });
    this.errno = cause instanceof SysError ? cause.errno : undefined;
  }
}
