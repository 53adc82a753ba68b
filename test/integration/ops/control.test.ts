// The control socket end to end on a socket in a temp directory: status and reload through the
// client and the CLI commands (exit codes), file mode, a second daemon refused, stale sockets
// replaced, and peers that misbehave (garbage, hang-ups, huge lines) never hurting the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../src/cli/command.js';
import statusCmd from '../../../src/cli/commands/status.js';
import reloadCmd from '../../../src/cli/commands/reload.js';
import { controlRequest, ControlError } from '../../../src/control/client.js';
import { startControlServer } from '../../../src/control/server.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { exchange, memoryIO, startFakeDaemon, tempDir } from './support.js';

test('status round trip through the client and `vipkeeper status`', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'run', 'vipkeeper.sock');
  const d = await startFakeDaemon(path);
  try {
    assert.equal(statSync(join(dir, 'run')).mode & 0o777, 0o755, 'the directory is created 0755');
    assert.equal(lstatSync(path).isSocket(), true);
    assert.equal(lstatSync(path).mode & 0o777, 0o600, 'the socket is 0600');

    const reply = await controlRequest(path, { cmd: 'status' });
    assert.ok(reply.ok && 'status' in reply);
    assert.deepEqual(reply.status.instances.map((i) => i.name), ['VI_WEB', 'VI_MAIL']);

    const io = memoryIO();
    assert.equal(await statusCmd.run(['--control-socket', path], io), 0);
    const table = io.stdout.join('\n');
    assert.match(table, /VI_WEB\s+eth0\s+51\s+BACKUP\s+150\s+140/);
    assert.match(table, /192\.168\.1\.2:80\s+DOWN\s+0\s+0\.4 ms\s+HTTP_GET failed: HTTP 503/);
    assert.deepEqual(io.stderr, []);

    const json = memoryIO();
    assert.equal(await statusCmd.run(['--control-socket', path, '--json'], json), 0);
    const parsed = JSON.parse(json.stdout.join('\n'));
    const expected = d.status.snapshot();
    assert.deepEqual(parsed.instances, expected.instances);
    assert.equal(parsed.virtualServers[0].realServers[1].checks[1].reason, 'HTTP 503 on /health');
  } finally {
    await d.server.close();
    cleanup();
  }
  assert.equal(existsSync(path), false, 'the socket is removed at close');
});

test('`vipkeeper reload`: exit 0 with what changed, exit 1 with every config error', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'c.sock');
  let next: () => Promise<import('../../../src/control/protocol.js').ReloadResult> = async () => ({ ok: true, kept: ['VI_WEB'], changed: ['VI_MAIL'], started: ['VI_NEW'], stopped: [] });
  const d = await startFakeDaemon(path, { reload: () => next() });
  try {
    const ok = memoryIO();
    assert.equal(await reloadCmd.run(['--control-socket', path], ok), 0);
    assert.deepEqual(ok.stdout.join('\n').split('\n'), ['reloaded', '  kept:    VI_WEB', '  changed: VI_MAIL', '  started: VI_NEW', '  stopped: -']);

    const errors = ['/etc/vipkeeper.conf:12:5: priority 300 is out of range 1-255', '/etc/vipkeeper.conf:20:1: unknown keyword "vrrp_instanse"'];
    next = async () => ({ ok: false, errors });
    const bad = memoryIO();
    assert.equal(await reloadCmd.run(['--control-socket', path], bad), 1);
    assert.deepEqual(bad.stdout, []);
    assert.match(bad.stderr[0]!, /not reloaded; the running configuration stays/);
    assert.deepEqual(bad.stderr.slice(1), errors);

    // A reload callback that throws is a reply with the reason, not a dead server.
    next = async () => { throw new Error('cannot read /etc/vipkeeper.conf: EACCES'); };
    const thrown = memoryIO();
    assert.equal(await reloadCmd.run(['--control-socket', path], thrown), 1);
    assert.match(thrown.stderr.join('\n'), /reload failed: cannot read \/etc\/vipkeeper\.conf: EACCES/);
    assert.equal(d.reloads(), 3);
  } finally {
    await d.server.close();
    cleanup();
  }
});

test('no daemon: status and reload exit 1 and say why in words', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const missing = join(dir, 'none.sock');
    for (const cmd of [statusCmd, reloadCmd]) {
      const io = memoryIO();
      assert.equal(await cmd.run(['--control-socket', missing], io), 1);
      assert.match(io.stderr.join('\n'), new RegExp(`no vipkeeper daemon answers on ${missing}: ENOENT \\(no such file\\)`));
    }
    // A socket file left by a killed daemon: connection refused.
    const stale = join(dir, 'stale.sock');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    assert.equal(lstatSync(stale).isSocket(), true);
    const io = memoryIO();
    assert.equal(await statusCmd.run(['--control-socket', stale], io), 1);
    assert.match(io.stderr.join('\n'), /no vipkeeper daemon answers on .*stale\.sock: ECONNREFUSED \(connection refused/);
  } finally {
    cleanup();
  }
});

test('usage errors are UsageError (exit 2 through main)', async () => {
  await assert.rejects(statusCmd.run(['--bogus'], memoryIO()), UsageError);
  await assert.rejects(statusCmd.run(['extra'], memoryIO()), UsageError);
  await assert.rejects(statusCmd.run(['--control-socket'], memoryIO()), UsageError);
  await assert.rejects(reloadCmd.run(['--json'], memoryIO()), UsageError);
  await assert.rejects(reloadCmd.run(['--control-socket', ''], memoryIO()), UsageError);
});

test('a second daemon refuses a live socket; a stale one is replaced; a non-socket is left alone', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'c.sock');
  const first = await startFakeDaemon(path);
  try {
    await assert.rejects(startFakeDaemon(path), (e: Error) => e.message === `another vipkeeper is running on ${path}`);
    // The refusal did not disturb the first one.
    assert.ok((await controlRequest(path, { cmd: 'status' })).ok);
  } finally {
    await first.server.close();
  }
  const stale = join(dir, 'stale.sock');
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.equal(lstatSync(stale).isSocket(), true);
  const second = await startFakeDaemon(stale);
  try {
    assert.ok((await controlRequest(stale, { cmd: 'status' })).ok);
  } finally {
    await second.server.close();
  }
  const file = join(dir, 'file.sock');
  writeFileSync(file, 'precious');
  await assert.rejects(startFakeDaemon(file), /exists and is not a socket/);
  assert.equal(readFileSync(file, 'utf8'), 'precious');
  cleanup();
});

test('misbehaving peers: garbage, pipelining, huge lines and hang-ups never hurt the server', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'c.sock');
  let release: () => void = () => {};
  let reloadStarted: () => void = () => {};
  const started = new Promise<void>((r) => { reloadStarted = r; });
  const d = await startFakeDaemon(path, {
    reload: () => new Promise((resolve) => { reloadStarted(); release = () => resolve({ ok: true, kept: [], changed: [], started: [], stopped: [] }); }),
  });
  try {
    // Garbage gets an error reply and the connection stays usable; replies come in order.
    const g = await exchange(path, 'hello\n{"cmd":"nope"}\n{"cmd":"status"}\n', 3);
    assert.equal(g.lines.length, 3);
    assert.match(JSON.parse(g.lines[0]!).errors[0], /not JSON/);
    assert.match(JSON.parse(g.lines[1]!).errors[0], /unknown command "nope"/);
    assert.equal(JSON.parse(g.lines[2]!).ok, true);

    // Half a request, then the peer goes away.
    await new Promise<void>((resolve) => { const s = connect(path, () => { s.write('{"cmd":"sta'); s.destroy(); resolve(); }); });
    // A reload request whose peer hangs up before the (slow) answer is written.
    await new Promise<void>((resolve) => { const s = connect(path, () => s.write('{"cmd":"reload"}\n')); void started.then(() => { s.destroy(); resolve(); }); });
    release();
    // A line past the limit: an error reply and the connection closed.
    const huge = await exchange(path, `{"cmd":"status","pad":"${'x'.repeat(70_000)}"}\n`, 2);
    assert.match(JSON.parse(huge.lines[0]!).errors[0], /too long/);
    assert.equal(huge.lines.length, 1);
    assert.equal(huge.closedByServer, true);

    await new Promise((r) => setTimeout(r, 50));
    const after = await controlRequest(path, { cmd: 'status' });
    assert.equal(after.ok, true, 'still answering');
    assert.equal(d.reloads(), 1);
  } finally {
    await d.server.close();
    cleanup();
  }
});

test('a refused peer (not root, not the daemon user) gets a refusal reply; a failing handler gets an error', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'c.sock');
  const d = await startFakeDaemon(path, { peerUid: () => 4242, ownUid: 1000 });
  const path2 = join(dir, 'd.sock');
  const broken = await startControlServer({
    path: path2, logger: silentLogger,
    handlers: { status: () => { throw new Error('director snapshot failed'); }, reload: async () => ({ ok: false, errors: [] }) },
  });
  try {
    // Ask for more lines than come: the exchange ends when the server hangs up.
    const r = await exchange(path, '{"cmd":"status"}\n', 2);
    assert.equal(r.closedByServer, true);
    assert.deepEqual(JSON.parse(r.lines[0]!), { ok: false, errors: ["permission denied: uid 4242 is neither root nor the daemon's uid 1000"] });
    const io = memoryIO();
    assert.equal(await statusCmd.run(['--control-socket', path], io), 1);
    assert.match(io.stderr.join('\n'), /permission denied: uid 4242/);

    const b = await controlRequest(path2, { cmd: 'status' });
    assert.deepEqual(b, { ok: false, errors: ['status failed: director snapshot failed'] });
  } finally {
    await d.server.close();
    await broken.close();
    cleanup();
  }
});

test('the client reports a daemon that never answers', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'mute.sock');
  const { createServer } = await import('node:net');
  const mute = createServer(() => {});
  await new Promise<void>((r) => mute.listen(path, r));
  try {
    await assert.rejects(controlRequest(path, { cmd: 'status' }, { timeoutMs: 200 }), (e: Error) => e instanceof ControlError && /did not answer within 0\.2 s/.test(e.message));
  } finally {
    mute.close();
    cleanup();
  }
});

test('connections beyond the limit are closed at once; the daemon answers again when they go', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'c.sock');
  const d = await startFakeDaemon(path);
  const idle: import('node:net').Socket[] = [];
  try {
    for (let i = 0; i < 32; i++) idle.push(await new Promise((resolve) => { const s = connect(path, () => resolve(s)); }));
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(controlRequest(path, { cmd: 'status' }, { timeoutMs: 2000 }), /closed the connection without answering/);
    for (const s of idle.splice(0)) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await controlRequest(path, { cmd: 'status' })).ok, true);
  } finally {
    for (const s of idle) s.destroy();
    await d.server.close();
    cleanup();
  }
});
