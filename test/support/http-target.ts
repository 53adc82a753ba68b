// A controllable HTTP / HTTPS real server for checker tests, on 127.0.0.1 (or ::1) at a random
// port. The test decides per path (or by default) what it does: answer a status and body, hang,
// close the socket early, slow-drip, send an endless body, redirect. Every request is recorded
// with the Host header, the client address and port and, for HTTPS, the SNI name it came with.
import { createServer as createHttp, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Behaviour =
  | { kind: 'reply'; status?: number; body?: string | Buffer; headers?: Record<string, string>; chunked?: boolean }
  /** Read the request, never answer. */
  | { kind: 'hang' }
  /** Destroy the connection as soon as the request arrives (no status line). */
  | { kind: 'close' }
  /** Headers with Content-Length N, then `sent` bytes, then close. */
  | { kind: 'short'; length: number; sent: number }
  /** 200, then one byte every `everyMs` forever (or `total` bytes). */
  | { kind: 'drip'; everyMs: number; total?: number }
  /** 200, chunked, no end: as fast as the client reads. */
  | { kind: 'endless' }
  | { kind: 'redirect'; status?: number; location: string };

export interface SeenRequest {
  path: string;
  method: string;
  host: string | undefined;
  headers: IncomingMessage['headers'];
  httpVersion: string;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** TLS SNI the client sent (HTTPS only; false when it sent none). */
  servername: string | false | undefined;
}

export interface TargetOptions { tls?: boolean; host?: '127.0.0.1' | '::1' }

let cachedCert: { key: Buffer; cert: Buffer } | undefined;

/** A throwaway self-signed certificate, made once per test process with openssl. */
export function selfSignedCert(): { key: Buffer; cert: Buffer } {
  if (cachedCert) return cachedCert;
  const dir = mkdtempSync(join(tmpdir(), 'vk-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=vipkeeper-test'],
    { stdio: 'ignore', timeout: 20000, killSignal: 'SIGKILL' });
    cachedCert = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    return cachedCert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class HttpTarget {
  readonly requests: SeenRequest[] = [];
  /** Connections accepted (a client that reuses connections makes fewer than requests). */
  connections = 0;
  /** Body bytes written by 'endless' and 'drip' behaviours. */
  streamed = 0;
  private routes = new Map<string, Behaviour>();
  private fallback: Behaviour = { kind: 'reply', status: 200, body: 'ok\n' };
  private sockets = new Set<Socket>();
  private timers = new Set<NodeJS.Timeout>();

  private constructor(private server: Server, readonly tls: boolean, readonly host: string, public port = 0) {}

  static async start(opts: TargetOptions = {}): Promise<HttpTarget> {
    const tls = opts.tls ?? false;
    const server: Server = tls ? createHttps({ ...selfSignedCert() }) : createHttp();
    const t = new HttpTarget(server, tls, opts.host ?? '127.0.0.1');
    server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => {
      t.connections++;
      t.sockets.add(s);
      s.on('close', () => t.sockets.delete(s));
    });
    // A plain TCP socket is tracked too for HTTPS, so a client stuck in the handshake is destroyed on close().
    if (tls) server.on('connection', (s: Socket) => { t.sockets.add(s); s.on('close', () => t.sockets.delete(s)); });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => t.handle(req, res));
    server.on('clientError', (_e, s: Socket) => s.destroy());
    server.on('tlsClientError', () => { /* a client that hung up mid-handshake */ });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, t.host, () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') t.port = addr.port;
    return t;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** What every path without its own behaviour does. */
  setDefault(b: Behaviour): this { this.fallback = b; return this; }
  /** What requests for `path` (exact, query included) do. */
  route(path: string, b: Behaviour): this { this.routes.set(path, b); return this; }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const sock = req.socket as Socket & Partial<TLSSocket>;
    this.requests.push({
      path: req.url ?? '',
      method: req.method ?? '',
      host: req.headers.host,
      headers: req.headers,
      httpVersion: req.httpVersion,
      remoteAddress: sock.remoteAddress,
      remotePort: sock.remotePort,
      servername: this.tls ? (sock.servername ?? false) : undefined,
    });
    const b = this.routes.get(req.url ?? '') ?? this.fallback;
    switch (b.kind) {
      case 'reply': {
        const body = b.body === undefined ? Buffer.alloc(0) : Buffer.from(b.body);
        res.statusCode = b.status ?? 200;
        for (const [k, v] of Object.entries(b.headers ?? {})) res.setHeader(k, v);
        if (b.chunked) {
          // Several writes without Content-Length: node sends Transfer-Encoding: chunked.
          const step = Math.max(1, Math.ceil(body.length / 3));
          for (let i = 0; i < body.length; i += step) res.write(body.subarray(i, i + step));
          res.end();
        } else {
          res.setHeader('content-length', body.length);
          res.end(body);
        }
        return;
      }
      case 'hang': return;
      case 'close': sock.destroy(); return;
      case 'short':
        res.writeHead(200, { 'content-length': b.length });
        res.write(Buffer.alloc(b.sent, 0x61), () => setTimeout(() => sock.destroy(), 20));
        return;
      case 'drip': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let sent = 0;
        const t = setInterval(() => {
          if (res.destroyed || (b.total !== undefined && sent >= b.total)) { clearInterval(t); this.timers.delete(t); if (!res.destroyed) res.end(); return; }
          res.write('x'); sent++; this.streamed++;
        }, b.everyMs);
        this.timers.add(t);
        res.on('close', () => { clearInterval(t); this.timers.delete(t); });
        return;
      }
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 0x7a);
        const pump = () => {
          while (!res.destroyed) {
            this.streamed += chunk.length;
            if (!res.write(chunk)) { res.once('drain', pump); return; }
          }
        };
        pump();
        return;
      }
      case 'redirect':
        res.writeHead(b.status ?? 301, { location: b.location, 'content-length': 0 });
        res.end();
        return;
    }
  }
}
