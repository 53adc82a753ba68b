// src/lib/is-terminal.ts against what the devices are: a pseudo-terminal's master (/dev/ptmx, a
// terminal to isatty(3)) and slave, /dev/null (a character device, not a terminal), a pipe, a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { isTerminal, terminalMajor } from '../../../src/lib/is-terminal.js';

test('terminal majors: virtual consoles and serial (4), /dev/tty and the console (5), pseudo-terminals (136-143)', () => {
  assert.deepEqual([1, 3, 4, 5, 6, 135, 136, 143, 144, 188].map(terminalMajor), [false, false, true, true, false, false, true, true, false, false]);
});

test('isTerminal: a pseudo-terminal yes; /dev/null, a pipe, a file and a closed fd no', () => {
  const ptmx = openSync('/dev/ptmx', 'r+');
  const nul = openSync('/dev/null', 'r');
  const file = openSync(new URL(import.meta.url), 'r');
  try {
    assert.equal(isTerminal(ptmx), true);
    assert.equal(isTerminal(nul), false);
    assert.equal(isTerminal(file), false);
  } finally { for (const fd of [ptmx, nul, file]) closeSync(fd); }
  assert.equal(isTerminal(ptmx), false, 'closed');
  // Our stdout is a pipe here: what the logger sees under a service manager or a test runner.
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/lib/is-terminal.ts').then((m) => process.stdout.write(String(m.isTerminal(1))))"], { encoding: 'utf8' });
  assert.equal(r.stdout, 'false', r.stderr);
});

test('isTerminal agrees with node\'s isatty on a pseudo-terminal\'s slave (script(1) gives the child one)', (t) => {
  const probe = "import('./src/lib/is-terminal.ts').then((m) => console.log(JSON.stringify([m.isTerminal(1), require('node:tty').isatty(1)])))";
  const r = spawnSync('script', ['-qec', `${process.execPath} --import tsx -e "${probe}"`, '/dev/null'], { encoding: 'utf8' });
  if (r.error) { t.skip('needs script(1) (util-linux)'); return; }
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!.replace(/\r$/, '')), [true, true], r.stdout + r.stderr);
});
