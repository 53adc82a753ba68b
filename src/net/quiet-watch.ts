// A backup's Master_Down deadline kept by the addon's timer thread (src/native/repeat.c) while the
// kernel filter drops the master's copies and stamps the last one in a BPF map: node's event loop
// is woken only when the deadline comes near with no copy in time, once, and the watch ends.
// Without a map it is a one-shot timer to the nanosecond (the clock's precise timers).
import { native } from './native.js';

export class QuietWatch {
  private id: number | undefined;
  private constructor() {}

  /** onDue runs earlyMs before a deadline inMs from now that no stamp (at `key` of map `mapFd`) plus quietMs moved. */
  static start(mapFd: number, key: number, inMs: number, quietMs: number, earlyMs: number, onDue: () => void): QuietWatch {
    const w = new QuietWatch();
    w.id = native().quietStart(mapFd, key, Math.max(0, inMs) * 1e6, quietMs * 1e6, Math.max(0, earlyMs) * 1e6, () => { w.stop(); onDue(); });
    return w;
  }

  /**
   * onDue runs once, inMs from now, to the addon timer thread's precision (a timerfd: tens of
   * microseconds), with no map to move the deadline. The thread's wake-up does not keep node's
   * event loop alive.
   */
  static once(inMs: number, onDue: () => void): QuietWatch {
    return QuietWatch.start(-1, 0, inMs, 0.1, 0, onDue);
  }

  stop(): void {
    if (this.id === undefined) return;
    native().quietStop(this.id);
    this.id = undefined;
  }
}
