// The daemon's control socket: a Unix stream socket (mode 0600) answering status and reload
// requests from root or the daemon's own user. Nothing a peer sends (garbage, huge lines, a hang-up
// mid-request) can crash the daemon: every socket error is caught and the connection dropped.
import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { VipError } from '../lib/errors.js';
import type { Status } from '../app/status.js';
import type { Logger } from '../ports/logger.js';
import { encodeLine, LineSplitter, parseRequest, type Reply, type ReloadResult, type Request } from './protocol.js';

const MAX_CONNECTIONS = 32;

export interface ControlHandlers {
  status(): Status;
  reload(): Promise<ReloadResult>;
}

export interface ControlServerOptions {
  path: string;
  handlers: ControlHandlers;
  logger: Logger;
  /** The uid of the connecting process (default: SO_PEERCRED through the native addon). */
  peerUid?: (socket: Socket) => number;
  /** May talk besides root (default: the daemon's own uid). */
  ownUid?: number;
  /** A connection idle this long is closed (default 60 s). */
  idleTimeoutMs?: number;
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** What is at `path` now: nothing, a socket someone answers on, a stale socket file, or another file. */
export async function probeSocket(path: string, timeoutMs = 1000): Promise<'absent' | 'live' | 'stale' | 'not-a-socket'> {
  let st;
  try { st = lstatSync(path); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
  if (!st.isSocket()) return 'not-a-socket';
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (r: 'live' | 'stale'): void => { clearTimeout(timer); s.destroy(); resolve(r); };
    // A daemon too busy to accept still owns the socket: only a refused connection means stale.
    const timer = setTimeout(() => done('live'), timeoutMs);
    s.once('connect', () => done('live'));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? 'stale' : 'live'));
  });
}

async function defaultPeerUid(): Promise<(s: Socket) => number> {
  const { peerCredentials } = await import('../net/native.js');
  return (s) => {
    const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) throw new Error('connection has no file descriptor');
    return peerCredentials(fd).uid;
  };
}

/** Listens on `path`; refuses when another daemon answers there, replaces a stale socket file. */
export async function startControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const log = o.logger;
  const ownUid = o.ownUid ?? process.getuid?.() ?? 0;
  const peerUid = o.peerUid ?? await defaultPeerUid();
  const dir = dirname(o.path);
  try { statSync(dir); } catch { mkdirSync(dir, { recursive: true, mode: 0o755 }); }
  const found = await probeSocket(o.path);
  if (found === 'live') throw new VipError('control-busy', `another vipkeeper is running on ${o.path}`);
  if (found === 'not-a-socket') throw new VipError('control-path', `${o.path} exists and is not a socket: not replacing it`);
  if (found === 'stale') { log.info({ socket: o.path }, 'replacing a stale control socket'); unlinkSync(o.path); }

  const conns = new Set<Socket>();
  const server = createServer((s) => serve(s));
  server.on('error', (e) => log.error({ err: e.message, socket: o.path }, 'control socket error'));
  // Operators and scripts need a handful; a runaway client must not cost the daemon its fds.
  server.maxConnections = MAX_CONNECTIONS;

  function serve(s: Socket): void {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    // EPIPE/ECONNRESET from a peer that went away: nothing to do but forget the connection.
    s.on('error', (e) => log.debug({ err: e.message }, 'control connection error'));
    s.setTimeout(o.idleTimeoutMs ?? 60_000, () => s.destroy());
    let uid: number;
    try { uid = peerUid(s); } catch (e) {
      log.error({ err: (e as Error).message }, 'control connection refused: cannot read its credentials');
      return refuse(s, 'permission denied: cannot read the peer credentials');
    }
    if (uid !== 0 && uid !== ownUid) {
      log.warn({ uid }, 'control connection refused');
      return refuse(s, `permission denied: uid ${uid} is neither root nor the daemon's uid ${ownUid}`);
    }
    const lines = new LineSplitter();
    let chain = Promise.resolve();
    s.setEncoding('utf8');
    let overflowed = false;
    s.on('data', (chunk: string) => {
      if (overflowed) return;
      const got = lines.push(chunk);
      if (got === 'overflow') { overflowed = true; return refuse(s, 'request line too long'); }
      // One reply per request, in order, even when a client pipelines several.
      for (const line of got) chain = chain.then(() => answer(line)).then((r) => send(s, r));
    });
  }

  async function answer(line: string): Promise<Reply> {
    const p = parseRequest(line);
    if (!p.ok) return { ok: false, errors: [p.error] };
    try { return await dispatch(p.req); } catch (e) {
      log.error({ err: (e as Error)?.message ?? String(e), cmd: p.req.cmd }, 'control request failed');
      return { ok: false, errors: [`${p.req.cmd} failed: ${(e as Error)?.message ?? String(e)}`] };
    }
  }

  async function dispatch(req: Request): Promise<Reply> {
    switch (req.cmd) {
      case 'status': return { ok: true, status: o.handlers.status() };
      case 'reload': return o.handlers.reload();
    }
  }

  function send(s: Socket, r: Reply): void {
    if (!s.destroyed && s.writable) s.write(encodeLine(r));
  }

  function refuse(s: Socket, why: string): void {
    // Half-close so the peer can still write its request and read the reply (closing at once
    // makes its write fail with EPIPE before it reads); whatever it does, it is gone in a second.
    if (!s.destroyed && s.writable) { s.end(encodeLine({ ok: false, errors: [why] })); setTimeout(() => s.destroy(), 1000).unref(); }
    else s.destroy();
  }

  // bind() happens inside listen(), synchronously: a restrictive umask around it means the socket
  // is never reachable with looser permissions, not even between bind and chmod.
  await new Promise<void>((resolve, reject) => {
    const old = process.umask(0o177);
    try {
      server.once('error', reject);
      server.listen(o.path, () => { server.off('error', reject); resolve(); });
    } finally { process.umask(old); }
  });
  chmodSync(o.path, 0o600);
  const ino = statSync(o.path).ino;
  log.info({ socket: o.path }, 'control socket listening');

  let closed: Promise<void> | undefined;
  return {
    path: o.path,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const s of conns) s.destroy();
        server.close(() => resolve());
      }).then(() => {
        // libuv unlinks the path on close; make sure, but never remove someone else's socket.
        try { if (statSync(o.path).ino === ino) unlinkSync(o.path); } catch { /* gone already */ }
      });
      return closed;
    },
  };
}
