// AF_PACKET socket for whole Ethernet frames (gratuitous ARP, unsolicited NA): the caller builds
// the frame, this sends it out of one interface. Receiving is optional (tests, diagnostics).
import { SysError } from '../lib/errors.js';
import { K, native, sys, toSysError } from './native.js';
import { decodeSockaddr, sockaddrLl } from './sockaddr.js';

export const ETH_P_ALL = 0x0003, ETH_P_IP = 0x0800, ETH_P_ARP = 0x0806, ETH_P_IPV6 = 0x86dd;

export interface Frame { data: Buffer; ifindex?: number; protocol?: number }

const htons = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);

export class PacketSocket {
  private isClosed = false;
  private constructor(readonly fd: number, readonly protocol: number) {}

  /**
   * Opens a SOCK_RAW packet socket. `protocol` 0 receives nothing (send-only); ETH_P_ARP etc.
   * receive that ethertype once onFrame() is called. Needs CAP_NET_RAW.
   */
  static open(protocol = 0): PacketSocket {
    const fd = sys('open packet socket', () => native().socket(K('AF_PACKET'), K('SOCK_RAW'), htons(protocol)));
    return new PacketSocket(fd, protocol);
  }

  get closed(): boolean { return this.isClosed; }

  /** Receives only from this interface. */
  bindInterface(ifindex: number): void {
    if (this.isClosed) throw new SysError('bind', 'EBADF');
    sys(`bind packet socket to ifindex ${ifindex}`, () => native().bind(this.fd, sockaddrLl(ifindex, this.protocol)));
  }

  /** Sends a complete Ethernet frame (destination MAC first) out of `ifindex`. */
  send(frame: Uint8Array, ifindex: number): void {
    if (this.isClosed) throw new SysError('send frame', 'EBADF');
    const ethertype = frame.length >= 14 ? (frame[12]! << 8) | frame[13]! : 0;
    const sa = sockaddrLl(ifindex, ethertype, frame.subarray(0, 6));
    sys(`send frame on ifindex ${ifindex}`, () => native().sendto(this.fd, frame, sa), { ifindex });
  }

  onFrame(cb: (f: Frame) => void, onError: (e: Error) => void = () => {}): void {
    if (this.isClosed) throw new SysError('receive', 'EBADF');
    native().startReceive(this.fd, (err, data, src) => {
      try {
        if (err) return onError(toSysError('receive frame', err));
        const sa = decodeSockaddr(src!);
        const f: Frame = { data: data! };
        if (sa.ifindex !== undefined) f.ifindex = sa.ifindex;
        if (sa.protocol !== undefined) f.protocol = sa.protocol;
        cb(f);
      } catch (e) {
        try { onError(e instanceof Error ? e : new Error(String(e))); } catch { /* never into C */ }
      }
    });
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try { native().close(this.fd); } catch { /* already gone */ }
  }
}
