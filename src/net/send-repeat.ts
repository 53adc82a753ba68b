// A running repeat of the addon (src/native/repeat.c): its counts, its stop, and the lease that
// lets it send. The sender thread sends only while the event loop renews the lease, so a daemon
// whose loop hangs goes quiet as a hung keepalived does, and its backup takes over; a pause
// shorter than the lease (a long garbage collection) does not interrupt the advertisements.
import { native } from './native.js';

const RENEW_MS = 100;
const LEASE_MS = 500;

let holders = 0;
let renewer: NodeJS.Timeout | undefined;
const renew = (): void => native().repeatLease(LEASE_MS * 1e6);

function holdLease(): void {
  if (holders++ > 0) return;
  renew();
  renewer = setInterval(renew, RENEW_MS);
  renewer.unref(); // the repeats themselves do not keep the process alive
}

function releaseLease(): void {
  if (--holders > 0) return;
  clearInterval(renewer);
  renewer = undefined;
}

/** After stop (or the socket's close) the counts stay at their last value. */
export class SendRepeat {
  private last: [number, number] = [0, 0];
  private running = true;
  private constructor(private readonly id: number) {}

  /** Starts the addon's repeat (times in ms); throws what repeatStart throws. */
  static start(fd: number, payloads: Uint8Array[], sockaddrs: Uint8Array[], firstInMs: number, intervalMs: number,
    onError: (err: Error & { code?: string }, errors: number) => void): SendRepeat {
    holdLease();
    try {
      return new SendRepeat(native().repeatStart(fd, payloads, sockaddrs, Math.max(0, firstInMs) * 1e6, intervalMs * 1e6, onError));
    } catch (e) { releaseLease(); throw e; }
  }

  counts(): { sent: number; errors: number } {
    if (this.running) {
      const c = native().repeatCounts(this.id);
      if (c) this.last = c; else this.ended();
    }
    return { sent: this.last[0], errors: this.last[1] };
  }

  stop(): { sent: number; errors: number } {
    if (this.running) {
      const c = native().repeatStop(this.id);
      if (c) this.last = c;
      this.ended();
    }
    return { sent: this.last[0], errors: this.last[1] };
  }

  private ended(): void { this.running = false; releaseLease(); }
}
