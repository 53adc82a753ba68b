// The real systemd notify sender (compose.ts): datagrams on an AF_UNIX socket through the socket
// addon, received here by a socket bound the same way (no systemd needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemdNotify } from '../../../src/app/compose.js';
import { sockaddrUn } from '../../../src/app/director-watchdog.js';
import { K, native } from '../../../src/net/native.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';
import { waitFor } from '../../support/wait.js';

test('READY=1 and WATCHDOG=1 reach the NOTIFY_SOCKET datagram socket; a missing socket is one warning', async (t) => {
  let n: ReturnType<typeof native>;
  try { n = native(); } catch (e) { t.skip(`socket addon not built: ${(e as Error).message}`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vk-notify-'));
  const path = join(dir, 'notify.sock');
  const fd = n.socket(1, K('SOCK_DGRAM'), 0);
  const got: string[] = [];
  try {
    n.bind(fd, sockaddrUn(path));
    n.startReceive(fd, (_err, data) => { if (data) got.push(data.toString()); });
    const sd = systemdNotify(new MemoryLogger(), { NOTIFY_SOCKET: path, WATCHDOG_USEC: '3000000' })!;
    assert.equal(sd.notify.watchdogMs, 3000);
    sd.notify.send('READY=1');
    sd.notify.send('WATCHDOG=1');
    assert.ok(await waitFor(() => got.length === 2, 5000), JSON.stringify(got));
    assert.deepEqual(got, ['READY=1', 'WATCHDOG=1']);
    sd.close();

    const log = new MemoryLogger();
    const gone = systemdNotify(log, { NOTIFY_SOCKET: join(dir, 'nobody.sock') })!;
    gone.notify.send('READY=1');
    gone.notify.send('WATCHDOG=1');
    assert.deepEqual(log.records.map((r) => [r.level, r.msg]), [['warn', 'systemd notify failed']]);
    assert.match(String(log.records[0]!.err), /ENOENT/);
    gone.close();
    assert.equal(systemdNotify(log, {}), undefined);
  } finally {
    n.stopReceive(fd);
    n.close(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
