// The daemon's control socket: a Unix stream socket (mode 0600) answering status and reload
// requests from root or the daemon's own user. Nothing a peer sends (garbage, huge lines, a hang-up
// mid-request) can crash the daemon: every socket error is caught and the connection dropped.
// The socket is the addon's (src/net/unix-stream.ts), not node's net: see there why.
import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { VipError } from '../lib/errors.js';
import { peerCredentials } from '../net/native.js';
import { probeUnix, UnixConnection, UnixListener } from '../net/unix-stream.js';
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
  /** The uid of the process connected on fd (default: SO_PEERCRED). */
  peerUid?: (fd: number) => number;
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
export function probeSocket(path: string): 'absent' | 'live' | 'stale' | 'not-a-socket' {
  let st;
  try { st = lstatSync(path); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
  if (!st.isSocket()) return 'not-a-socket';
  // A daemon too busy to accept still owns the socket: only a refused connection means stale.
  const r = probeUnix(path);
  return r === 'refused' || r === 'ENOENT' ? 'stale' : 'live';
}

const defaultPeerUid = (fd: number): number => peerCredentials(fd).uid;

/** Listens on `path`; refuses when another daemon answers there, replaces a stale socket file. */
export async function startControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const log = o.logger;
  const ownUid = o.ownUid ?? process.getuid?.() ?? 0;
  const peerUid = o.peerUid ?? defaultPeerUid;
  const dir = dirname(o.path);
  try { statSync(dir); } catch { mkdirSync(dir, { recursive: true, mode: 0o755 }); }
  const found = probeSocket(o.path);
  if (found === 'live') throw new VipError('control-busy', `another vipkeeper is running on ${o.path}`);
  if (found === 'not-a-socket') throw new VipError('control-path', `${o.path} exists and is not a socket: not replacing it`);
  if (found === 'stale') { log.info({ socket: o.path }, 'replacing a stale control socket'); unlinkSync(o.path); }

  const conns = new Set<UnixConnection>();

  function serve(fd: number): void {
    const lines = new LineSplitter();
    let chain = Promise.resolve();
    let overflowed = false, allowed = false;
    const s: UnixConnection = new UnixConnection(fd, {
      data(chunk) {
        if (overflowed || !allowed) return;
        const got = lines.push(chunk);
        if (got === 'overflow') { overflowed = true; return refuse(s, 'request line too long'); }
        // One reply per request, in order, even when a client pipelines several.
        for (const line of got) chain = chain.then(() => answer(line)).then((r) => send(s, r));
      },
      // The client has said all it will: answer what it asked, then hang up.
      end() { chain = chain.then(() => s.end()); },
      // EPIPE/ECONNRESET from a peer that went away: nothing to do but forget the connection.
      error(e) { log.debug({ err: e.message }, 'control connection error'); },
      close() { conns.delete(s); },
    }, o.idleTimeoutMs ?? 60_000);
    conns.add(s);
    // Operators and scripts need a handful; a runaway client must not cost the daemon its fds.
    if (conns.size > MAX_CONNECTIONS) return s.destroy();
    let uid: number;
    try { uid = peerUid(fd); } catch (e) {
      log.error({ err: (e as Error).message }, 'control connection refused: cannot read its credentials');
      return refuse(s, 'permission denied: cannot read the peer credentials');
    }
    if (uid !== 0 && uid !== ownUid) {
      log.warn({ uid }, 'control connection refused');
      return refuse(s, `permission denied: uid ${uid} is neither root nor the daemon's uid ${ownUid}`);
    }
    allowed = true;
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

  function send(s: UnixConnection, r: Reply): void { s.write(encodeLine(r)); }

  // Half-close so the peer can still write its request and read the reply (closing at once makes
  // its write fail with EPIPE before it reads); whatever it does, it is gone in a second.
  function refuse(s: UnixConnection, why: string): void { s.end(encodeLine({ ok: false, errors: [why] })); }

  // bind() under a restrictive umask: the socket is never reachable with looser permissions, not
  // even between bind and chmod.
  let listener: UnixListener;
  const old = process.umask(0o177);
  try { listener = UnixListener.listen(o.path, 511, serve); } finally { process.umask(old); }
  chmodSync(o.path, 0o600);
  const ino = statSync(o.path).ino;
  log.info({ socket: o.path }, 'control socket listening');

  let closed: Promise<void> | undefined;
  return {
    path: o.path,
    close() {
      closed ??= Promise.resolve().then(() => {
        for (const s of conns) s.destroy();
        listener.close();
        // Never remove someone else's socket (a newer daemon's, bound after ours went stale).
        try { if (statSync(o.path).ino === ino) unlinkSync(o.path); } catch { /* gone already */ }
      });
      return closed;
    },
  };
}
