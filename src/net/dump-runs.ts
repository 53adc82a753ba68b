// One run of netlink dumps for NetlinkSocket.dumpEach, read by the addon either in this thread
// (netlinkDumps) or in a thread of its own (netlinkDumpsStart / Take / End, src/native/dumps.c),
// each answer handed on in order. In the kernel VM a listing's 1,000 GET_DEST dumps cost the
// kernel ~0.14 s; in the thread that runs on the other CPU while this one decodes (bench/README.md,
// IPVS, eighth pass).
import { SysError } from '../lib/errors.js';
import { native, toSysError } from './native.js';

/** Dumps in one run before they get a thread of their own: a few are not worth starting one. */
export const THREAD_MIN = 16;

type Native = ReturnType<typeof native>;
/** One answer handed on (its index in the run): the error that ends the run, if any; what the caller's callback throws goes through. */
type Answer = (k: number) => SysError | undefined;
/**
 * A run's dumps answered and handed on, in order; error: the one an answer held (the run stops
 * there) or the addon's; ran: the addon ran the dumps, so res ends with this run's closing values.
 */
type Run = { got: number; error?: SysError; ran: boolean };

/** A run of dumps read by the addon in this thread, then handed on. An addon error ends the run at 0 answered. */
export function runHere(n: Native, fd: number, reqs: Uint8Array, out: Buffer, res: Int32Array, slot: number, answer: Answer, op: string): Run {
  let got;
  try { got = n.netlinkDumps(fd, reqs, out, res, slot); } catch (e) { return { got: 0, error: toSysError(op, e) as SysError, ran: false }; }
  for (let k = 0; k < got; k++) {
    const error = answer(k);
    if (error) return { got: k, error, ran: true };
  }
  return { got, ran: true };
}

/**
 * A run of dumps read by a thread of the addon's own (dumps.c), each handed on as soon as it is
 * whole: the kernel makes the next dumps on the other CPU while this one decodes the last.
 */
export function runInThread(n: Native, fd: number, reqs: Uint8Array, out: Buffer, res: Int32Array, slot: number, answer: Answer, op: string): Run {
  let job;
  try { job = n.netlinkDumpsStart!(fd, reqs, slot, out.length); } catch (e) { return { got: 0, error: toSysError(op, e) as SysError, ran: false }; }
  let taken = 0, ended = false;
  const end = () => { if (!ended) { ended = true; return n.netlinkDumpsEnd!(job, res); } return false; };
  try {
    for (;;) {
      const want = taken + 1;
      // Take fails only on arguments this code gets right (buffers of the run's size).
      const got = n.netlinkDumpsTake!(job, want, out, res);
      if (got < 0) return { got: taken, error: new SysError(op, 'EBADF', 'the socket was closed during the dumps'), ran: false };
      for (; taken < got; taken++) {
        const error = answer(taken);
        if (error) return { got: taken, error, ran: end() };
      }
      if (got < want) return { got, ran: end() };
    }
  } finally {
    end();
  }
}
