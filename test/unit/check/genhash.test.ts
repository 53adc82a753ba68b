// `vipkeeper genhash` against real servers on loopback: the MD5 it prints is the MD5 of the body
// (computed here independently), fetch errors exit 1 in words, usage errors exit 2.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli.js';
import { parseTarget } from '../../../src/cli/commands/genhash.js';
import { HttpTarget } from '../../support/http-target.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');

async function run(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await main(['genhash', ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const servers: HttpTarget[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });
async function server(tls = false): Promise<HttpTarget> {
  const s = await HttpTarget.start({ tls });
  servers.push(s);
  return s;
}

test('prints MD5SUM of the served body and the status, exit 0; the request is HTTP_GET\'s (HTTP/1.0)', async () => {
  const body = 'Welcome to the real server\n';
  const s = (await server()).route('/index.html', { kind: 'reply', body });
  const r = await run(`${s.url}/index.html`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`^MD5SUM = ${md5(body)}$`, 'm'));
  assert.match(r.out, /^HTTP status 200 OK, 27 bytes of body$/m);
  assert.equal(s.requests[0]!.host, `127.0.0.1:${s.port}`);
  assert.equal(s.requests[0]!.httpVersion, '1.0');
  assert.equal(s.requests[0]!.headers['user-agent'], 'KeepAliveClient');
});

test('a chunked body hashes to the MD5 of its payload; a 404 is still hashed (exit 0)', async () => {
  const body = Buffer.from('chunk one / chunk two / chunk three');
  const s = (await server()).route('/c', { kind: 'reply', body, chunked: true }).route('/missing', { kind: 'reply', status: 404, body: 'nope' });
  assert.match((await run(`${s.url}/c`)).out, new RegExp(`MD5SUM = ${md5(body)}`));
  const r = await run(`${s.url}/missing`);
  assert.equal(r.code, 0);
  assert.match(r.out, /HTTP status 404/);
  assert.match(r.out, new RegExp(`MD5SUM = ${md5('nope')}`));
});

test('--virtualhost is the Host header; --ssl speaks TLS to an http:// URL, with SNI = virtualhost', async () => {
  const s = await server(true);
  const r = await run(`http://127.0.0.1:${s.port}/`, '--ssl', '--virtualhost', 'www.example.com');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`MD5SUM = ${md5('ok\n')}`));
  assert.equal(s.requests[0]!.host, 'www.example.com');
  assert.equal(s.requests[0]!.servername, 'www.example.com');
  assert.equal((await run(`${s.url}/`)).code, 0, 'https:// needs no --ssl');
  assert.equal(s.requests[1]!.servername, false, 'no SNI for an IP URL without --virtualhost');
});

test('connection refused exits 1 with the reason in words', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const r = await run(`http://127.0.0.1:${port}/`);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, new RegExp(`^vipkeeper genhash: http://127\\.0\\.0\\.1:${port}/: connection refused by 127\\.0\\.0\\.1:${port}$`));
});

test('--timeout bounds a server that never answers (exit 1)', async () => {
  const s = (await server()).route('/hang', { kind: 'hang' });
  const t0 = Date.now();
  const r = await run(`${s.url}/hang`, '--timeout', '1');
  assert.equal(r.code, 1);
  assert.match(r.err, /response timeout after 1 s on \/hang/);
  assert.ok(Date.now() - t0 < 4000);
});

test('usage errors exit 2 with the usage', async () => {
  for (const argv of [[], ['not a url'], ['ftp://127.0.0.1/'], ['http://127.0.0.1/', '--timeout', 'soon'], ['http://127.0.0.1/', '--timeout', '0'],
    ['http://127.0.0.1/', 'http://127.0.0.2/'], ['http://127.0.0.1/', '--bogus']]) {
    const r = await run(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, /usage: vipkeeper genhash URL/);
  }
});

test('parseTarget: origin, path with query, Host and SNI', () => {
  assert.deepEqual(parseTarget('http://10.0.0.1/a?b=1', undefined, false), { origin: 'http://10.0.0.1:80', path: '/a?b=1', host: '10.0.0.1:80' });
  assert.deepEqual(parseTarget('https://[2001:db8::1]:8443/', undefined, false), { origin: 'https://[2001:db8::1]:8443', path: '/', host: '[2001:db8::1]:8443' });
  assert.deepEqual(parseTarget('http://10.0.0.1:81/', 'w.example', true), { origin: 'https://10.0.0.1:81', path: '/', host: 'w.example', sni: 'w.example' });
});

test('the installed command line: `vipkeeper genhash` through src/cli.ts as a process', async () => {
  const body = 'from a child process';
  const s = (await server()).route('/p', { kind: 'reply', body });
  // The server lives in this process, so the child runs without blocking it (spawn, not spawnSync).
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'genhash', `${s.url}/p`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearTimeout(timer);
  assert.equal(code, 0);
  assert.match(out, new RegExp(`MD5SUM = ${md5(body)}`));
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30000 });
  assert.match(help.stdout, /genhash\s+print the MD5 digest/);
});
