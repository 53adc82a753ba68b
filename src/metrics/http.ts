// The read-only HTTP endpoint of --metrics-listen: GET /metrics (Prometheus text) and GET /status
// (the status JSON). Nothing else is served and nothing on HTTP can change the daemon.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../ports/logger.js';
import type { ListenAddress } from './listen-address.js';

export interface MetricsHttpSources {
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): unknown;
}

export interface MetricsHttpServer {
  readonly address: ListenAddress;
  close(): Promise<void>;
}

const ROUTES = new Set(['/metrics', '/status']);

function reply(res: ServerResponse, code: number, type: string, body: string, extra: Record<string, string> = {}, head = false): void {
  res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(head ? undefined : body);
}

async function route(req: IncomingMessage, res: ServerResponse, src: MetricsHttpSources): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (!ROUTES.has(path)) return reply(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /status\n');
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) return reply(res, 405, 'text/plain; charset=utf-8', 'method not allowed: this endpoint is read-only\n', { allow: 'GET, HEAD' });
  if (path === '/metrics') {
    const m = await src.metrics();
    return reply(res, 200, m.contentType, m.body, {}, head);
  }
  return reply(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(src.status(), null, 2)}\n`, {}, head);
}

/** Port 0 picks a free port (tests); `address` tells which. */
export async function startMetricsServer(at: ListenAddress, src: MetricsHttpSources, log: Logger): Promise<MetricsHttpServer> {
  const server = createServer((req, res) => {
    // A request body is never read: drain it so keep-alive clients are not stuck.
    req.resume();
    route(req, res, src).catch((e: unknown) => {
      log.error({ err: (e as Error)?.message ?? String(e), url: req.url }, 'metrics request failed');
      if (!res.headersSent) reply(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => { server.off('error', reject); resolve(); });
  });
  server.on('error', (e) => log.error({ err: e.message }, 'metrics server error'));
  const a = server.address() as AddressInfo;
  log.info({ host: a.address, port: a.port }, 'metrics listening');
  return {
    address: { host: a.address, port: a.port },
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
