// The addon's SO_PEERCRED primitive on Node's own Unix sockets (no privileges needed): it names the
// connecting process, and bad descriptors are errno-named errors, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { native, peerCredentials } from '../../../src/net/native.js';
import { SysError } from '../../../src/lib/errors.js';
import { tempDir } from '../../integration/ops/support.js';

test('peerCredentials names the process at the other end of a Unix socket', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'p.sock');
  const accepted = new Promise<Socket>((resolve) => {
    const srv = createServer((s) => { resolve(s); srv.close(); });
    srv.listen(path, () => { connect(path); });
  });
  const s = await accepted;
  try {
    const fd = (s as unknown as { _handle: { fd: number } })._handle.fd;
    assert.ok(fd > 2);
    assert.deepEqual(peerCredentials(fd), { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  } finally {
    s.destroy();
    cleanup();
  }
});

test('a descriptor that is not a connected socket is an errno-named error', () => {
  const fd = openSync('/dev/null', 'r');
  try {
    assert.throws(() => peerCredentials(fd), (e: Error) => e instanceof SysError && e.errno === 'ENOTSOCK' && /getsockopt\(SO_PEERCRED\)/.test(e.message));
  } finally {
    closeSync(fd);
  }
  // Far above any open descriptor (a just-closed number could be reused by the runner).
  assert.throws(() => peerCredentials(1_000_000), (e: Error) => e instanceof SysError && e.errno === 'EBADF');
  assert.throws(() => native().getsockoptPeerCred('x' as unknown as number), TypeError);
});
