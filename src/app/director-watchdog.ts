// systemd's service protocol: READY=1 once started, and WATCHDOG=1 every WATCHDOG_USEC/2 but only
// while the event loop and the check scheduler are on time, so systemd restarts a daemon whose
// checks stalled instead of one that merely looks alive. NOTIFY_SOCKET is an AF_UNIX datagram
// socket; Node has none, so the real sender (compose.ts) uses the project's socket addon
// (socket(AF_UNIX, SOCK_DGRAM) + sendto a sockaddr_un) rather than spawning systemd-notify per tick.
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

/** Sends one notification line ("READY=1", "WATCHDOG=1"); never throws. */
export type NotifySend = (message: string) => void;

export interface SystemdNotify {
  send: NotifySend;
  /** WATCHDOG_USEC in ms, when systemd asked for keep-alives. */
  watchdogMs?: number;
}

/** The systemd settings in the environment: NOTIFY_SOCKET, and WATCHDOG_USEC (for us when WATCHDOG_PID is unset or ours). */
export function notifySettings(env: Record<string, string | undefined>, pid: number): { socket: string; watchdogMs?: number } | undefined {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return undefined;
  const usec = Number(env.WATCHDOG_USEC);
  const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === pid;
  return { socket, ...(forUs && Number.isFinite(usec) && usec > 0 ? { watchdogMs: usec / 1000 } : {}) };
}

/** struct sockaddr_un for a path, or an abstract name written "@name" (no trailing NUL, exact length). */
export function sockaddrUn(path: string): Buffer {
  const abstract = path.startsWith('@');
  const name = Buffer.from(abstract ? path.slice(1) : path, 'utf8');
  if (name.length > 107) throw new Error(`NOTIFY_SOCKET path too long: ${path}`);
  const b = Buffer.alloc(2 + (abstract ? 1 : 0) + name.length + (abstract ? 0 : 1));
  b.set(new Uint8Array(new Uint16Array([1]).buffer), 0); // AF_UNIX, sa_family_t in host order
  name.copy(b, abstract ? 3 : 2);
  return b;
}

export class Watchdog {
  private timer: TimerHandle | undefined;
  private due = 0;
  private skipped = false;

  constructor(
    private readonly clock: Clock, private readonly periodMs: number, private readonly send: NotifySend,
    private readonly onTime: () => boolean, private readonly log: Logger,
  ) {}

  start(): void { this.arm(); }

  stop(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.due = this.clock.now() + this.periodMs;
    this.timer = this.clock.setTimer(this.periodMs, () => {
      // Our own timer's lateness is the event loop's lag.
      const loopLag = this.clock.now() - this.due;
      const ok = loopLag < this.periodMs && this.onTime();
      if (ok) this.send('WATCHDOG=1');
      if (!ok && !this.skipped) this.log.warn({ loopLagMs: Math.round(loopLag) }, 'watchdog keep-alive withheld: event loop or checks behind schedule');
      this.skipped = !ok;
      this.arm();
    });
  }
}
