// SIGUSR1 writes the status JSON to the data file and SIGUSR2 the counters to the stats file, in
// a child process running startOperations; SIGTERM there closes the control socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../support/wait.js';
import { tempDir } from './support.js';

const CHILD = fileURLToPath(new URL('./ops-child.ts', import.meta.url));

test('SIGUSR1 writes the data file, SIGUSR2 the stats file; SIGTERM removes the socket', async () => {
  const { dir, cleanup } = tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { err += c; });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    assert.ok(await waitFor(() => out.includes('ready') || child.exitCode !== null, 15_000) && out.includes('ready'), `child not ready: ${err}`);
    const data = join(dir, 'vipkeeper.data');
    const stats = join(dir, 'vipkeeper.stats');
    assert.equal(existsSync(data), false);
    child.kill('SIGUSR1');
    assert.ok(await waitFor(() => existsSync(data), 5000), 'data file written');
    const s = JSON.parse(readFileSync(data, 'utf8'));
    assert.equal(s.pid, child.pid);
    assert.deepEqual(s.instances.map((i: { name: string; state: string }) => [i.name, i.state]), [['VI_WEB', 'MASTER'], ['VI_MAIL', 'BACKUP']]);
    assert.equal(s.instances[0].lastTransition.reason, 'master-down');
    assert.equal(s.virtualServers.length, 2);
    assert.equal(existsSync(stats), false, 'SIGUSR1 writes only the data file');

    child.kill('SIGUSR2');
    assert.ok(await waitFor(() => existsSync(stats), 5000), 'stats file written');
    const st = JSON.parse(readFileSync(stats, 'utf8'));
    const web = st.instances.find((i: { name: string }) => i.name === 'VI_WEB');
    assert.equal(web.counters.sent, 42);
    assert.equal(web.counters.dropped['bad-ttl'], 3);
    assert.deepEqual(web.transitions, [{ from: 'BACKUP', to: 'MASTER', count: 1 }]);
    assert.deepEqual(st.events.vipkeeper_garp_sent_total, [{ labels: { instance: 'VI_WEB' }, value: 5 }]);
    assert.deepEqual(st.director.checkFailures, [{ vs: '10.0.0.10:80/tcp', rs: '192.168.1.2:80', type: 'HTTP_GET', code: 'status', count: 2 }]);
    assert.equal(child.exitCode, null, 'the signals did not end the process');

    assert.equal(existsSync(join(dir, 'ctl.sock')), true);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.equal(existsSync(join(dir, 'ctl.sock')), false, 'close() removed the control socket');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanup();
  }
});
