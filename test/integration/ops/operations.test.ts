// startOperations as run.ts will call it: control socket, metrics endpoint and signal handlers
// come up together, a failure part-way leaves nothing behind, close() undoes everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { StatusSource } from '../../../src/app/status.js';
import { startOperations, writeFileAtomic } from '../../../src/app/operations.js';
import { controlRequest } from '../../../src/control/client.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { parseExposition, valueOf } from '../../unit/ops/prom-text.js';
import { sampleDirector, sampleVrrp } from '../../unit/ops/fakes.js';
import { waitFor } from '../../support/wait.js';
import { tempDir } from './support.js';
import { monotonicMs } from '../../../src/lib/monotonic.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function source(): StatusSource {
  return new StatusSource(sampleVrrp(), { director: () => sampleDirector(monotonicMs()) });
}

const okReload = async () => ({ ok: true as const, kept: ['VI_WEB'], changed: [], started: [], stopped: [] });

test('everything comes up, answers, and close() takes it all down', async () => {
  const { dir, cleanup } = tempDir();
  const signals = new EventEmitter();
  const sock = join(dir, 'ctl.sock');
  const port = await freePort();
  const ops = await startOperations({
    status: source(), reload: okReload, logger: silentLogger, signals,
    controlSocket: sock, metricsListen: String(port), dataFile: join(dir, 'data'), statsFile: join(dir, 'stats'),
  });
  try {
    assert.deepEqual(ops.metricsAddress, { host: '127.0.0.1', port });
    assert.deepEqual(await controlRequest(sock, { cmd: 'reload' }), { ok: true, kept: ['VI_WEB'], changed: [], started: [], stopped: [] });
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    const e = parseExposition(await res.text());
    assert.equal(valueOf(e, 'vipkeeper_vrrp_adverts_sent_total', { instance: 'VI_WEB' }), 42);
    assert.ok(e.types.has('process_resident_memory_bytes'));

    assert.equal(signals.listenerCount('SIGUSR1'), 1);
    signals.emit('SIGUSR1');
    assert.ok(await waitFor(() => existsSync(join(dir, 'data')), 3000));
    assert.equal(JSON.parse(readFileSync(join(dir, 'data'), 'utf8')).instances.length, 2);
  } finally {
    await ops.close();
  }
  assert.equal(existsSync(sock), false, 'socket removed');
  assert.equal(signals.listenerCount('SIGUSR1') + signals.listenerCount('SIGUSR2'), 0, 'handlers removed');
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'metrics server closed');
  await ops.close(); // twice is harmless
  cleanup();
});

test('a bad --metrics-listen is refused before anything starts', async () => {
  const { dir, cleanup } = tempDir();
  const sock = join(dir, 'ctl.sock');
  const signals = new EventEmitter();
  await assert.rejects(startOperations({ status: source(), reload: okReload, logger: silentLogger, signals, controlSocket: sock, metricsListen: 'localhost:9100' }),
    /--metrics-listen "localhost:9100": localhost is not an IP address/);
  assert.equal(existsSync(sock), false);
  assert.equal(signals.listenerCount('SIGUSR1'), 0);
  cleanup();
});

test('a metrics port in use fails the start and leaves no control socket behind', async () => {
  const { dir, cleanup } = tempDir();
  const sock = join(dir, 'ctl.sock');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as AddressInfo).port;
  try {
    await assert.rejects(startOperations({ status: source(), reload: okReload, logger: silentLogger, signals: new EventEmitter(), controlSocket: sock, metricsListen: `127.0.0.1:${port}` }),
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} for metrics: EADDRINUSE`));
    assert.equal(existsSync(sock), false);
  } finally {
    busy.close();
    cleanup();
  }
});

test('controlSocket false starts no socket; SIGUSR2 still writes the stats', async () => {
  const { dir, cleanup } = tempDir();
  const signals = new EventEmitter();
  const ops = await startOperations({ status: source(), reload: okReload, logger: silentLogger, signals, controlSocket: false, statsFile: join(dir, 'stats') });
  try {
    assert.equal(ops.metricsAddress, undefined);
    const file = await ops.dump('stats');
    const st = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(st.instances.map((i: { name: string }) => i.name), ['VI_WEB', 'VI_MAIL']);
  } finally {
    await ops.close();
    cleanup();
  }
});

test('the data file replaces a planted symlink instead of writing through it', () => {
  const { dir, cleanup } = tempDir();
  const victim = join(dir, 'victim');
  const file = join(dir, 'vipkeeper.data');
  writeFileSync(victim, 'untouched');
  symlinkSync(victim, file);
  writeFileAtomic(file, '{"x":1}\n');
  assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  assert.equal(lstatSync(file).isSymbolicLink(), false);
  assert.equal(readFileSync(file, 'utf8'), '{"x":1}\n');
  cleanup();
});
