// The CLI's output written straight to fd 1 / 2 (src/cli/fd-output.ts): whole and in order across
// short writes and EINTR, handed to node's stream from the first EAGAIN on (and waited for), and
// dropped without an error once the reader has gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FdOutput, processOutput, type FdOutputPorts } from '../../../src/cli/fd-output.js';
import { readSlowly } from '../../support/slow-reader.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const errno = (code: string) => Object.assign(new Error(code), { code });

/** Ports whose writeSync follows a script: a number is how many bytes it takes, a string an errno thrown. */
function scripted(script: (number | string)[]) {
  const fd: string[] = [], stream: string[] = [];
  let streams = 0;
  const pending: (() => void)[] = [];
  const ports: FdOutputPorts = {
    writeSync: (_fd, buf, offset, length) => {
      const step = script.shift() ?? length;
      if (typeof step === 'string') throw errno(step);
      const n = Math.min(step, length);
      fd.push(Buffer.from(buf.subarray(offset, offset + n)).toString());
      return n;
    },
    stream: () => {
      streams++;
      return { write: (chunk, cb) => { stream.push(Buffer.from(chunk).toString()); if (cb) pending.push(cb); return true; } };
    },
  };
  return { ports, fd, stream, streams: () => streams, drain: () => pending.splice(0).forEach((cb) => cb()) };
}

test('short writes and EINTR: everything reaches the descriptor in order, nothing goes to the stream', () => {
  const s = scripted([3, 'EINTR', 1, 2]);
  const out = new FdOutput(1, s.ports);
  out.write('hello, world\n');
  out.write('second\n');
  assert.equal(s.fd.join(''), 'hello, world\nsecond\n');
  assert.deepEqual(s.fd.slice(0, 3), ['hel', 'l', 'o,']);
  assert.equal(s.streams(), 0);
  let flushed = false;
  out.flush(() => { flushed = true; });
  assert.ok(flushed, 'nothing queued: flushed at once');
});

test('EAGAIN: the rest of that write and every later one go to node\'s stream, and flush waits for it', () => {
  const s = scripted([4, 'EAGAIN']);
  const out = new FdOutput(1, s.ports);
  out.write('abcdefgh');
  out.write('ij\u00e9');
  assert.deepEqual(s.fd, ['abcd']);
  assert.deepEqual(s.stream, ['efgh', 'ij\u00e9']);
  assert.equal(s.streams(), 1, 'the stream is reached once');
  let flushed = false;
  out.flush(() => { flushed = true; });
  assert.equal(flushed, false, 'waits for the stream');
  s.drain();
  assert.ok(flushed);
});

test('EPIPE: the reader has gone, later output is dropped and nothing throws; other errors do', () => {
  const s = scripted(['EPIPE']);
  const out = new FdOutput(2, s.ports);
  out.write('lost\n');
  out.write('also lost\n');
  assert.deepEqual(s.fd, []);
  assert.equal(s.streams(), 0);
  assert.throws(() => new FdOutput(1, scripted(['EBADF']).ports).write('x'), /EBADF/);
});

test('one FdOutput per descriptor in the process, whichever bundle asks', () => {
  assert.equal(processOutput(1), processOutput(1));
  assert.notEqual(processOutput(1), processOutput(2));
  assert.equal((globalThis as Record<symbol, unknown>)[Symbol.for('vipkeeper.fd-output.1')], processOutput(1));
});

test('a real non-blocking pipe that fills: the output arrives whole, in order, before the exit', { timeout: 60_000 }, async () => {
  // node's own stream sets the pipe non-blocking; nothing reads for a while, so the
  // synchronous write meets EAGAIN once the pipe's buffer is full.
  const script = `
    process.stdout;
    const { processIO } = await import(${JSON.stringify(new URL('src/cli/command.ts', `file://${ROOT}`).href)});
    const { exitAfterOutput } = await import(${JSON.stringify(new URL('src/cli/run-command.ts', `file://${ROOT}`).href)});
    for (let i = 0; i < 4000; i++) processIO.out('line ' + i + ' ' + 'x'.repeat(200));
    exitAfterOutput(0);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const { code, out, err } = await readSlowly(child);
  assert.equal(code, 0, err);
  const lines = out.toString().split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 4000);
  lines.forEach((l, i) => assert.equal(l, `line ${i} ${'x'.repeat(200)}`));
});

test('a reader that goes away early: no error and exit 0 (as `| head -1` sees it)', { timeout: 60_000 }, () => {
  const script = `
    const { processIO } = await import(${JSON.stringify(new URL('src/cli/command.ts', `file://${ROOT}`).href)});
    const { exitAfterOutput } = await import(${JSON.stringify(new URL('src/cli/run-command.ts', `file://${ROOT}`).href)});
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 4000; i++) processIO.out('line ' + i + ' ' + 'x'.repeat(200));
    exitAfterOutput(0);`;
  const r = spawnSync('bash', ['-c', `set -o pipefail; "$0" --import tsx --input-type=module -e "$1" | head -c 10`, process.execPath, script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'line 0 xxx');
  assert.equal(r.stderr, '');
});
