// Small HTTP processes inside network namespaces, for end-to-end tests that need real servers in
// their own namespaces (a socket belongs to the namespace of the process that opens it, so these
// run as separate `node` processes under `ip netns exec`, without tsx: they start in ~100 ms).
//
// - NsHttpServer: listens on ADDR:PORT and answers every request with its name. What it does is
//   read from a state file every 20 ms, so a test switches it without IPC: `up` (200, the name),
//   `500` (500, "failing"), `stop` (listening socket closed, connections dropped: a TCP connect
//   is refused). The file is the test's; the server only reads it.
// - httpAnswers: a client making N requests, each on a new connection (so ECMP hashing on ports
//   sees N flows), returning each answer's body, or `ERR:code`.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export type ServerState = 'up' | '500' | 'stop';

export interface NsHttpServer {
  child: ChildProcess;
  /** Lines the server printed (`listening`, `closed`, errors). */
  lines: string[];
  set(state: ServerState): void;
  kill(): Promise<void>;
}

const SERVER = `
  const http = require('node:http');
  const fs = require('node:fs');
  const [file, host, port, name] = process.argv.slice(1);
  const read = () => { try { return fs.readFileSync(file, 'utf8').trim(); } catch { return 'up'; } };
  let server, sockets = new Set(), state = '';
  const open = () => {
    server = http.createServer((req, res) => {
      const failing = read() === '500';
      res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain', connection: 'close' });
      res.end(failing ? 'failing\\n' : name + '\\n');
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    server.on('error', (e) => { console.log('error ' + e.code); server = undefined; });
    server.listen(Number(port), host, () => console.log('listening'));
  };
  const tick = () => {
    const want = read();
    if (want === state) return;
    state = want;
    if (want === 'stop') { if (server) { server.close(); for (const s of sockets) s.destroy(); server = undefined; console.log('closed'); } }
    else if (!server) open();
  };
  tick();
  setInterval(tick, 20);
`;

/** Starts the server in `ns` on host:port, controlled by `stateFile` (written `initial` first). */
export async function startNsHttpServer(ns: string, host: string, port: number, name: string, stateFile: string, initial: ServerState = 'up'): Promise<NsHttpServer> {
  writeFileSync(stateFile, initial);
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, stateFile, host, String(port), name], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const server: NsHttpServer = {
    child, lines,
    set: (state) => writeFileSync(stateFile, state),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (initial !== 'stop') {
    const end = Date.now() + 10_000;
    while (!lines.includes('listening')) {
      if (Date.now() > end || child.exitCode !== null) { await server.kill(); throw new Error(`http server ${name} in ${ns} on ${host}:${port} did not start: ${lines.join(' | ')}`); }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return server;
}

const CLIENT = `
  const http = require('node:http');
  const [url, n, timeoutMs] = process.argv.slice(1);
  const one = () => new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: Number(timeoutMs) }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : 'HTTP:' + res.statusCode));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve('ERR:' + (e.code || e.message)));
  });
  (async () => { const out = []; for (let i = 0; i < Number(n); i++) out.push(await one()); console.log(JSON.stringify(out)); })();
`;

/** `n` GETs of `url` from inside `ns`, one connection each, in sequence; the bodies (or ERR:/HTTP: codes). */
export function httpAnswers(ns: string, url: string, n: number, timeoutMs = 2000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, url, String(n), String(timeoutMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout!.on('data', (d: Buffer) => { out += d; });
    child.stderr!.on('data', (d: Buffer) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), n * (timeoutMs + 500) + 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      try { resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as string[]); } catch { reject(new Error(`http client in ${ns} exited ${code}: ${err || out}`)); }
    });
  });
}
