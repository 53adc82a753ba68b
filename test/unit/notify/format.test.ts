import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fifoLine, genericArgs, splitScriptLine } from '../../../src/notify/format.js';

test('generic notify arguments and fifo line match keepalived', () => {
  const e = { kind: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 150 } as const;
  assert.deepEqual(genericArgs(e), ['INSTANCE', 'VI_1', 'MASTER', '150']);
  assert.equal(fifoLine(e), 'INSTANCE "VI_1" MASTER 150\n');
  assert.equal(fifoLine({ kind: 'GROUP', name: 'G', state: 'FAULT', priority: 0 }), 'GROUP "G" FAULT 0\n');
});

for (const [line, argv] of [
  ['/bin/x', ['/bin/x']],
  ['/bin/x a  b', ['/bin/x', 'a', 'b']],
  ['/bin/x "two words" \'single q\'', ['/bin/x', 'two words', 'single q']],
  ['/bin/x "" end', ['/bin/x', '', 'end']],
  ['/bin/x a\\ b "q\\"x"', ['/bin/x', 'a b', 'q"x']],
  ['/bin/x ; rm -rf /', ['/bin/x', ';', 'rm', '-rf', '/']],
] as const) {
  test(`splitScriptLine ${JSON.stringify(line)}`, () => assert.deepEqual(splitScriptLine(line), argv));
}
