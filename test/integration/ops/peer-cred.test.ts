// The control socket's access rules against real processes of another user (nobody, through
// setpriv): mode 0600 already stops them at connect; with the mode opened up, the peer-credential
// check (SO_PEERCRED through the addon) still refuses them, and lets the daemon's own user in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { startFakeDaemon, tempDir } from './support.js';

const NOBODY = 65534;

/** A client in plain JS (no tsx, nothing from the checkout) run as nobody: prints the reply or the error code. */
function asNobody(path: string): Promise<string> {
  const client = `
    const s = require('net').connect(process.argv[1]);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write('{"cmd":"status"}\\n'));
    s.on('data', (c) => { buf += c; if (buf.includes('\\n')) { console.log(buf.split('\\n')[0]); s.destroy(); } });
    s.on('error', (e) => console.log('ERROR ' + e.code));`;
  return new Promise((resolve, reject) => {
    const p = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', client, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => { out += c; });
    p.stderr.on('data', (c) => { err += c; });
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('error', reject);
    p.on('close', (code) => { clearTimeout(timer); if (code === 0) resolve(out.trim()); else reject(new Error(`client exited ${code}: ${err}`)); });
  });
}

test('a non-root client is refused: EACCES at 0600, a refusal reply when the mode is opened', async (t) => {
  if (!needRoot(t, 'setpriv')) return;
  const { dir, cleanup } = tempDir();
  chmodSync(dir, 0o755); // nobody may reach the socket; only the socket's own mode stands in the way
  const path = join(dir, 'c.sock');
  const d = await startFakeDaemon(path);
  try {
    assert.equal(await asNobody(path), 'ERROR EACCES');
    chmodSync(path, 0o666);
    const reply = JSON.parse(await asNobody(path));
    assert.deepEqual(reply, { ok: false, errors: [`permission denied: uid ${NOBODY} is neither root nor the daemon's uid 0`] });
  } finally {
    await d.server.close();
    cleanup();
  }
});

test("the daemon's own user is let in by the peer-credential check", async (t) => {
  if (!needRoot(t, 'setpriv')) return;
  const { dir, cleanup } = tempDir();
  chmodSync(dir, 0o755);
  const path = join(dir, 'c.sock');
  const d = await startFakeDaemon(path, { ownUid: NOBODY });
  try {
    chmodSync(path, 0o666);
    const reply = JSON.parse(await asNobody(path));
    assert.equal(reply.ok, true);
    assert.deepEqual(reply.status.instances.map((i: { name: string }) => i.name), ['VI_WEB', 'VI_MAIL']);
  } finally {
    await d.server.close();
    cleanup();
  }
});
