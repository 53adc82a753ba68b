// The shared pinger behind every PING_CHECK: one raw ICMP socket per family (and per source
// binding, when a checker has bindto / bind_if), opened on first use. Every echo carries this
// pinger's random identifier, its own sequence number and a random nonce; a reply counts only
// when all three and the source match, so replies to other processes' pings (a raw socket sees
// every ICMP message) are ignored. Each outstanding echo has its own timer.
import { randomBytes, randomInt } from 'node:crypto';
import { monotonicMs } from '../lib/monotonic.js';
import { ICMP6, decodeIcmp, encodeEcho, unreachableText } from '../codec/icmp.js';
import { bytesEqual } from '../lib/bytes.js';
import { SysError } from '../lib/errors.js';
import { addrEqual, formatIP, parseIP } from '../lib/ip.js';
import { setIcmp6Filter } from '../net/icmp6-filter.js';
import { RawSocket, type Datagram } from '../net/raw-socket.js';
import { formatDuration } from './checker.js';

export type PingResult =
  | { ok: true; rttMs: number }
  | { ok: false; code: 'timeout' | 'unreachable' | 'error'; reason: string };

export interface PingOptions {
  timeoutMs: number;
  /** Source address (bindto). */
  bindTo?: string;
  /** Outgoing interface (bind_if, SO_BINDTODEVICE). */
  bindIf?: string;
}

/** What PING_CHECK probes use; tests substitute a fake. */
export interface Pinger {
  /** One echo; always resolves, within opts.timeoutMs. */
  ping(target: string, opts: PingOptions): Promise<PingResult>;
  /** Closes the sockets; outstanding pings resolve as errors. */
  close(): void;
}

/** The part of a raw socket the pinger uses. */
export interface EchoSocket {
  send(payload: Uint8Array, dest: Uint8Array): void;
  close(): void;
}

export type EchoSocketOpener = (
  family: 4 | 6, bind: { bindTo?: string; bindIf?: string },
  onMessage: (d: Datagram) => void, onError: (e: Error) => void,
) => EchoSocket;

/** The real socket: raw ICMP / ICMPv6, filtered to echo replies and unreachables for IPv6. */
export const openRawEchoSocket: EchoSocketOpener = (family, bind, onMessage, onError) => {
  const s = RawSocket.open({ family, protocol: family === 4 ? 1 : 58 });
  try {
    // IPv4 raw sockets have no portable filter here (ICMP_FILTER is not in the addon): user space filters.
    if (family === 6) setIcmp6Filter(s, [ICMP6.ECHO_REPLY, ICMP6.DEST_UNREACH]);
    if (bind.bindIf) s.bindToDevice(bind.bindIf);
    if (bind.bindTo) s.bind(bind.bindTo);
    s.onMessage(onMessage, onError);
    s.ref(false); // outstanding echoes keep the process alive through their timers, not the socket
  } catch (e) { s.close(); throw e; }
  return s;
};

const NONCE = 16;
// Send failures that mean "no route" rather than a local fault (ip route add unreachable/prohibit ...).
const UNREACHABLE_ERRNO: Record<string, string> = {
  ENETUNREACH: 'network is unreachable', EHOSTUNREACH: 'no route to host', ENETDOWN: 'network is down',
  EACCES: 'prohibited by a route or broadcast address', EPERM: 'dropped by the local firewall',
};

interface Pending {
  family: 4 | 6;
  dst: Uint8Array;
  nonce: Uint8Array;
  started: number;
  timer: NodeJS.Timeout;
  settle: (r: PingResult) => void;
}

export class IcmpPinger implements Pinger {
  /** The ICMP identifier of every echo this pinger sends. */
  readonly id: number;
  private seq: number;
  private readonly pending = new Map<number, Pending>();
  private readonly sockets = new Map<string, EchoSocket>();
  private closed = false;

  constructor(private readonly open: EchoSocketOpener = openRawEchoSocket, opts: { id?: number } = {}) {
    this.id = opts.id ?? randomInt(0, 0x10000);
    this.seq = randomInt(0, 0x10000);
  }

  /** Echoes waiting for an answer. */
  get outstanding(): number { return this.pending.size; }

  ping(target: string, opts: PingOptions): Promise<PingResult> {
    return new Promise<PingResult>((resolve) => {
      if (this.closed) return resolve({ ok: false, code: 'error', reason: 'pinger closed' });
      let dst: Uint8Array, family: 4 | 6;
      try { ({ addr: dst, family } = parseIP(target)); } catch {
        return resolve({ ok: false, code: 'error', reason: `not an IP address: ${JSON.stringify(target)}` });
      }
      let sock: EchoSocket;
      try { sock = this.socketFor(family, opts); } catch (e) {
        return resolve({ ok: false, code: 'error', reason: `cannot open ICMP${family === 6 ? 'v6' : ''} socket: ${message(e)}` });
      }
      const seq = this.nextSeq();
      if (seq === undefined) return resolve({ ok: false, code: 'error', reason: 'too many echoes outstanding' });
      const nonce = randomBytes(NONCE);
      const p: Pending = {
        family, dst, nonce, started: monotonicMs(),
        timer: setTimeout(() => this.settle(seq, { ok: false, code: 'timeout', reason: `no echo reply within ${formatDuration(opts.timeoutMs)}` }), Math.max(0, opts.timeoutMs)),
        settle: resolve,
      };
      this.pending.set(seq, p);
      try {
        sock.send(encodeEcho(family, { reply: false, id: this.id, seq, data: nonce }), dst);
      } catch (e) {
        const code = e instanceof SysError ? e.errno : '';
        this.settle(seq, UNREACHABLE_ERRNO[code]
          ? { ok: false, code: 'unreachable', reason: `send to ${target} failed: ${code} (${UNREACHABLE_ERRNO[code]})` }
          : { ok: false, code: 'error', reason: `send to ${target} failed: ${message(e)}` });
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const seq of [...this.pending.keys()]) this.settle(seq, { ok: false, code: 'error', reason: 'pinger closed' });
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }

  private socketFor(family: 4 | 6, opts: PingOptions): EchoSocket {
    const key = `${family}|${opts.bindTo ?? ''}|${opts.bindIf ?? ''}`;
    let s = this.sockets.get(key);
    if (!s) {
      s = this.open(family, { bindTo: opts.bindTo, bindIf: opts.bindIf }, (d) => this.receive(family, d), () => { /* ENOBUFS etc.: the echo times out */ });
      this.sockets.set(key, s);
    }
    return s;
  }

  private nextSeq(): number | undefined {
    for (let i = 0; i < 0x10000; i++) {
      const seq = this.seq;
      this.seq = (this.seq + 1) & 0xffff;
      if (!this.pending.has(seq)) return seq;
    }
    return undefined;
  }

  private settle(seq: number, r: PingResult): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    clearTimeout(p.timer);
    p.settle(r);
  }

  /** One received ICMP message: an echo reply or an unreachable about one of our echoes, else nothing. */
  receive(family: 4 | 6, d: Datagram): void {
    const m = decodeIcmp(family, d.data, family === 6 && d.dst ? { src: d.src, dst: d.dst } : undefined);
    if (!m.ok) return;
    const v = m.value;
    if (v.kind === 'echo') {
      if (!v.reply || v.id !== this.id) return;
      const p = this.pending.get(v.seq);
      if (!p || p.family !== family || !addrEqual(p.dst, d.src) || !bytesEqual(v.data, p.nonce)) return;
      this.settle(v.seq, { ok: true, rttMs: monotonicMs() - p.started });
    } else if (v.kind === 'unreachable') {
      if (!v.echo || v.echo.id !== this.id) return;
      const p = this.pending.get(v.echo.seq);
      if (!p || p.family !== family || !addrEqual(p.dst, v.dst)) return;
      this.settle(v.echo.seq, { ok: false, code: 'unreachable', reason: `${unreachableText(family, v.code)} (ICMP${family === 6 ? 'v6' : ''} from ${formatIP(d.src)})` });
    }
  }
}

function message(e: unknown): string { return e instanceof Error ? e.message : String(e); }

