// The netlink proc connector socket (NETLINK_CONNECTOR, group CN_IDX_PROC): subscribes with
// PROC_CN_MCAST_LISTEN, turns the kernel's process events into changes of processes (thread
// events are dropped, as keepalived does), counts what it drops by reason, and reports a receive
// queue overflow (ENOBUFS) as an overrun so the trackers read /proc again.
import { HOST_LE, decodeMessages } from '../codec/netlink/message.js';
import {
  CN_IDX_PROC, NETLINK_CONNECTOR, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN, decodeProcMessage, encodeMcastOp,
} from '../codec/proc-connector.js';
import { K, native, sys, toSysError } from '../net/native.js';
import { sockaddrNl } from '../net/sockaddr.js';
import type { Logger } from '../ports/logger.js';
import type { RawChange } from './process-port.js';

const KERNEL = sockaddrNl(0, 0);

export class ProcConnector {
  readonly dropped = { foreignSender: 0, malformed: 0, short: 0, notProc: 0, badLength: 0 };
  private closed = false;

  private constructor(private fd: number, private onChange: (c: RawChange) => void, private logger: Logger) {}

  /** Opens, binds and subscribes; needs CAP_NET_ADMIN. Errors name the step and the errno. */
  static open(onChange: (c: RawChange) => void, logger: Logger, rcvbuf = 1 << 20): ProcConnector {
    const n = native();
    const fd = sys('open proc connector socket (NETLINK_CONNECTOR)', () => n.socket(K('AF_NETLINK'), K('SOCK_DGRAM'), NETLINK_CONNECTOR));
    try {
      try { n.setsockopt(fd, K('SOL_SOCKET'), K('SO_RCVBUFFORCE'), rcvbuf); } catch {
        sys('set proc connector receive buffer', () => n.setsockopt(fd, K('SOL_SOCKET'), K('SO_RCVBUF'), rcvbuf));
      }
      sys('bind proc connector socket to CN_IDX_PROC', () => n.bind(fd, sockaddrNl(0, CN_IDX_PROC)));
      const c = new ProcConnector(fd, onChange, logger);
      n.startReceive(fd, (err, data, src) => c.receive(err, data, src));
      n.ref(fd, false); // the trackers' owner decides how long the process lives
      // The kernel's connector socket exists only in the initial network namespace: from any
      // other (ip netns exec) the subscription is refused with ECONNREFUSED.
      sys('subscribe to process events (PROC_CN_MCAST_LISTEN; only possible from the initial network namespace)', () => n.sendto(fd, encodeMcastOp(PROC_CN_MCAST_LISTEN), KERNEL));
      return c;
    } catch (e) {
      n.close(fd);
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const n = native();
    // The kernel counts listeners and stops building events when none is left.
    try { n.sendto(this.fd, encodeMcastOp(PROC_CN_MCAST_IGNORE), KERNEL); } catch { /* closing anyway */ }
    try { n.close(this.fd); } catch { /* already gone */ }
  }

  private receive(err: (Error & { code?: string }) | null, data?: Buffer, src?: Buffer): void {
    try {
      if (err) {
        if (err.code === 'ENOBUFS') this.onChange({ kind: 'overrun' });
        else this.logger.warn({ err: toSysError('proc connector receive', err).message }, 'proc connector receive failed');
        return;
      }
      this.datagram(data!, src!);
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'proc connector: event handling failed');
    }
  }

  private datagram(data: Buffer, src: Buffer): void {
    const pid = src.length >= 12 ? (HOST_LE ? src.readUInt32LE(4) : src.readUInt32BE(4)) : -1;
    if (pid !== 0) { this.dropped.foreignSender++; return; } // only the kernel sends process events
    let msgs;
    try { msgs = decodeMessages(data); } catch { this.dropped.malformed++; return; }
    for (const m of msgs) {
      const d = decodeProcMessage(m.payload);
      if (d === 'short') { this.dropped.short++; continue; }
      if (d === 'not-proc') { this.dropped.notProc++; continue; }
      if (d === 'bad-length') { this.dropped.badLength++; continue; }
      const e = d.event;
      switch (e.kind) {
        case 'ack':
          if (e.err !== 0) this.logger.error({ errno: e.err }, 'the kernel refused the process events subscription');
          break;
        case 'fork': if (e.childPid === e.childTgid) this.onChange({ kind: 'fork', parent: e.parentTgid, child: e.childTgid }); break;
        case 'exec': if (e.pid === e.tgid) this.onChange({ kind: 'exec', pid: e.tgid }); break;
        case 'comm': if (e.pid === e.tgid) this.onChange({ kind: 'comm', pid: e.tgid, comm: e.comm }); break;
        case 'exit': if (e.pid === e.tgid) this.onChange({ kind: 'exit', pid: e.tgid }); break;
        default: break;
      }
    }
  }
}
