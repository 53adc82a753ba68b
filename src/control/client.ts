// Talks to a running daemon over its control socket: one request, one reply line, then hang up.
// Every way this can fail becomes a ControlError whose message an operator can act on.
import { connect } from 'node:net';
import { VipError } from '../lib/errors.js';
import { encodeLine, LineSplitter, parseReply, type Reply, type Request } from './protocol.js';

export class ControlError extends VipError {}

const connectWords: Record<string, string> = {
  ENOENT: 'no such file',
  ECONNREFUSED: 'connection refused (a stale socket: the daemon is not running)',
  EACCES: 'permission denied (run as root or as the daemon\'s user)',
  ENOTSOCK: 'not a socket',
  ENOTDIR: 'a path component is not a directory',
};

/** "no vipkeeper daemon answers on /run/vipkeeper/vipkeeper.sock: ENOENT (no such file)" */
export function unavailableMessage(path: string, code: string | undefined, message?: string): string {
  const words = code ? connectWords[code] : undefined;
  return `no vipkeeper daemon answers on ${path}: ${code ? (words ? `${code} (${words})` : code) : message ?? 'unknown error'}`;
}

export interface RequestOptions {
  /** How long to wait for the reply (a reload waits for instances to stop and start). */
  timeoutMs?: number;
}

export function controlRequest(path: string, req: Request, opts: RequestOptions = {}): Promise<Reply> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let connected = false;
    let settled = false;
    const finish = (err: Error | undefined, reply?: Reply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err); else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new ControlError('control-timeout',
      connected ? `the vipkeeper daemon on ${path} did not answer within ${timeoutMs / 1000} s` : unavailableMessage(path, 'ETIMEDOUT'))), timeoutMs);
    const lines = new LineSplitter(64 * 1024 * 1024);
    s.setEncoding('utf8');
    s.on('connect', () => { connected = true; s.write(encodeLine(req)); });
    s.on('data', (chunk: string) => {
      const got = lines.push(chunk);
      if (got === 'overflow') return finish(new ControlError('control-reply', `the daemon on ${path} sent an over-long reply`));
      if (got.length === 0) return;
      const reply = parseReply(got[0]!);
      if (!reply) return finish(new ControlError('control-reply', `the daemon on ${path} sent a reply that is not a vipkeeper reply`));
      finish(undefined, reply);
    });
    const hungUp = (): ControlError => new ControlError('control-closed', `the daemon on ${path} closed the connection without answering`);
    s.on('error', (e: NodeJS.ErrnoException) => finish(!connected
      ? new ControlError('control-unavailable', unavailableMessage(path, e.code, e.message))
      // Our request could not even be written: the daemon had closed the connection already.
      : e.code === 'EPIPE' || e.code === 'ECONNRESET' ? hungUp()
        : new ControlError('control-closed', `the connection to the daemon on ${path} failed: ${e.code ?? e.message}`)));
    s.on('close', () => finish(hungUp()));
  });
}
