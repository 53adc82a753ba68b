// Shared by the control-socket tests: a temp directory, an in-memory CLI io, a control server over
// the fake daemon, and raw socket exchanges that do what a misbehaving peer would.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../../src/cli/command.js';
import { StatusSource } from '../../../src/app/status.js';
import { startControlServer, type ControlServer, type ControlServerOptions } from '../../../src/control/server.js';
import type { ReloadResult } from '../../../src/control/protocol.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { sampleDirector, sampleVrrp } from '../../unit/ops/fakes.js';
import { monotonicMs } from '../../../src/lib/monotonic.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vipkeeper-ops-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function memoryIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => { stdout.push(t); }, err: (t) => { stderr.push(t); } };
}

export async function startFakeDaemon(path: string, over: Partial<ControlServerOptions> & { reload?: () => Promise<ReloadResult> } = {}): Promise<{ server: ControlServer; status: StatusSource; reloads: () => number }> {
  const status = new StatusSource(sampleVrrp(), { director: () => sampleDirector(monotonicMs()) });
  let n = 0;
  const reload = over.reload ?? (async (): Promise<ReloadResult> => ({ ok: true, kept: [], changed: [], started: [], stopped: [] }));
  const server = await startControlServer({
    path, logger: silentLogger,
    handlers: { status: () => status.snapshot(), reload: () => { n++; return reload(); } },
    ...over,
  });
  return { server, status, reloads: () => n };
}

/** Sends raw bytes, then reads until the server closes or `lines` reply lines arrived. */
export function exchange(path: string, send: string, lines = 1, timeoutMs = 3000): Promise<{ lines: string[]; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let buf = '';
    const got = (): string[] => buf.split('\n').filter((l) => l !== '');
    const timer = setTimeout(() => { s.destroy(); resolve({ lines: got(), closedByServer: false }); }, timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(send));
    s.on('data', (c: string) => {
      buf += c;
      if (buf.endsWith('\n') && got().length >= lines) { clearTimeout(timer); s.destroy(); resolve({ lines: got(), closedByServer: false }); }
    });
    s.on('end', () => { clearTimeout(timer); resolve({ lines: got(), closedByServer: true }); });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
