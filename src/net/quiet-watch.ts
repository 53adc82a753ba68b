// A backup's Master_Down deadline kept by the addon's timer thread (src/native/repeat.c) while the
// kernel filter drops the master's copies and stamps the last one in a BPF map: node's event loop
// is woken only when the deadline comes near with no copy in time, once, and the watch ends.
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

  stop(): void {
    if (this.id === undefined) return;
    native().quietStop(this.id);
    this.id = undefined;
  }
}
