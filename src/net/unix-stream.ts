// Unix stream sockets over the addon (src/native/stream.c), for the daemon's control socket: a
// listener and its connections, with what the control protocol needs of node's net (text as it
// arrives, writes that wait out a full socket, the peer's end of stream, an idle timeout) without
// loading net, whose streams and cluster cost the idle daemon ~1.7 MB (bench/README.md, "idle
// daemon", seventh pass). The CLI's client side keeps node's net.
import { Utf8Pieces } from '../lib/utf8-pieces.js';
import { K, native, sys } from './native.js';
import { sockaddrUn } from './sockaddr.js';

/** One read's worth; shared, since each read is decoded before the next. */
const readBuf = Buffer.allocUnsafe(64 * 1024);

/** What is at a Unix socket path: a listener, a refused connect, or connect's error code. */
export function probeUnix(path: string): 'listening' | 'refused' | string {
  const n = native();
  const fd = sys('socket', () => n.socket(K('AF_UNIX'), K('SOCK_STREAM'), 0));
  try {
    n.connect(fd, sockaddrUn(path));
    return 'listening';
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    return code === 'ECONNREFUSED' ? 'refused' : code;
  } finally { n.close(fd); }
}

export class UnixListener {
  private constructor(readonly fd: number) {}

  /** Binds `path` (which must not exist), listens, and hands each new connection's fd to onConnection. */
  static listen(path: string, backlog: number, onConnection: (fd: number) => void): UnixListener {
    const n = native();
    const fd = sys('socket', () => n.socket(K('AF_UNIX'), K('SOCK_STREAM'), 0));
    try {
      sys('bind', () => n.bind(fd, sockaddrUn(path)), { path });
      sys('listen', () => n.listen(fd, backlog), { path });
      n.pollReady(fd, K('UV_READABLE'), () => {
        for (;;) {
          let c: number;
          // EMFILE and the like: the connection stays queued; the next readiness tries again.
          try { c = n.accept(fd); } catch { return; }
          if (c < 0) return;
          onConnection(c);
        }
      });
    } catch (e) { n.close(fd); throw e; }
    return new UnixListener(fd);
  }

  close(): void { native().close(this.fd); }
}

export interface ConnectionEvents {
  /** Text as it arrives, UTF-8 decoded across reads. */
  data(text: string): void;
  /** The peer will send nothing more (it may still read). */
  end(): void;
  /** A read or write failed (the connection is destroyed after this). */
  error(e: Error): void;
  close(): void;
}

/** A connected stream socket: readable until the peer's end, writes queued while the socket is full. */
export class UnixConnection {
  destroyed = false;
  private readonly decoder = new Utf8Pieces();
  private readonly queue: Buffer[] = [];
  private offset = 0;
  private peerEnded = false;
  private ending = false;
  private readonly idle: NodeJS.Timeout;
  private watching = 0;

  /** Takes fd (an accepted connection) over; idleMs without traffic destroys it. */
  constructor(readonly fd: number, private readonly on: ConnectionEvents, idleMs: number) {
    this.idle = setTimeout(() => this.destroy(), idleMs);
    this.idle.unref();
    this.watch();
  }

  write(text: string): void {
    if (this.destroyed || this.ending) return;
    this.queue.push(Buffer.from(text, 'utf8'));
    this.flush();
  }

  /** Writes text, then ends our side once all is out; closes at the peer's end, or after lingerMs at most. */
  end(text?: string, lingerMs = 1000): void {
    if (text !== undefined) this.write(text);
    if (this.destroyed || this.ending) return;
    this.ending = true;
    setTimeout(() => this.destroy(), lingerMs).unref();
    this.flush();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.idle);
    native().close(this.fd);
    this.on.close();
  }

  /** Polls for what is wanted now: reading until the peer's end, writing while the queue holds something. */
  private watch(): void {
    if (this.destroyed) return;
    const want = (this.peerEnded ? 0 : K('UV_READABLE')) | (this.queue.length > 0 ? K('UV_WRITABLE') : 0);
    if (want === this.watching) return;
    this.watching = want;
    // With nothing to wait for (ended, all written) the fd is not polled: a socket at its end of
    // stream stays readable, and polling it would spin.
    if (want === 0) native().stopReceive(this.fd);
    else native().pollReady(this.fd, want, this.ready);
  }

  private readonly ready = (err: Error | null, events: number): void => {
    if (this.destroyed) return;
    if (err) return this.fail(err);
    if (events & K('UV_WRITABLE')) this.flush();
    if (!this.destroyed && events & K('UV_READABLE')) this.read();
  };

  private read(): void {
    for (;;) {
      let n: number;
      try { n = native().read(this.fd, readBuf); } catch (e) { return this.fail(e as Error); }
      if (n < 0) return;
      this.idle.refresh();
      if (n === 0) {
        this.peerEnded = true;
        this.watch();
        this.on.end();
        // Our side already ended: both directions are done.
        if (this.ending && this.queue.length === 0) this.destroy();
        return;
      }
      const text = this.decoder.write(readBuf.subarray(0, n));
      if (text) this.on.data(text);
      if (this.destroyed || this.peerEnded) return;
    }
  }

  private flush(): void {
    while (!this.destroyed && this.queue.length > 0) {
      const head = this.queue[0]!;
      let n: number;
      try { n = native().write(this.fd, head, this.offset); } catch (e) { return this.fail(e as Error); }
      if (n < 0) break;
      this.idle.refresh();
      this.offset += n;
      if (this.offset === head.length) { this.queue.shift(); this.offset = 0; }
    }
    if (this.destroyed) return;
    if (this.ending && this.queue.length === 0) {
      try { native().shutdownWrite(this.fd); } catch { /* the peer is gone: destroyed below or by the linger */ }
      if (this.peerEnded) return this.destroy();
    }
    this.watch();
  }

  private fail(e: Error): void {
    this.on.error(e);
    this.destroy();
  }
}
