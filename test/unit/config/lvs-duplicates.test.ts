// semantic-lvs compares a virtual server's few real servers directly and runs the keyed duplicate
// search only when two may repeat (or the list is long): every repeat must still be reported, at
// the later one's line, and a same address on another port is not a repeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';

/** A virtual server with these real servers (address, port); returns the lines of its duplicate errors. */
function duplicateLines(servers: Array<[string, number]>): number[] {
  const lines = ['virtual_server 10.0.0.1 80 {', '  protocol TCP', '  lb_kind NAT'];
  for (const [a, p] of servers) lines.push(`  real_server ${a} ${p} {`, '  }');
  lines.push('}', '');
  const r = loadConfigText('x.conf', lines.join('\n'));
  return r.diagnostics.filter((d) => /duplicate real_server/.test(d.message)).map((d) => d.line);
}

const at = (k: number) => 4 + 2 * k; // line of the k-th real_server

test('a few real servers: repeats found wherever they are, other ports are not repeats', () => {
  assert.deepEqual(duplicateLines([['10.0.1.1', 80], ['10.0.1.1', 81], ['10.0.1.2', 80]]), []);
  assert.deepEqual(duplicateLines([['10.0.1.1', 80], ['10.0.1.2', 80], ['10.0.1.3', 80], ['10.0.1.1', 80]]), [at(3)]);
  assert.deepEqual(duplicateLines([['10.0.1.1', 80], ['10.0.1.2', 80], ['10.0.1.2', 80], ['10.0.1.2', 80]]), [at(2), at(3)]);
  assert.deepEqual(duplicateLines([['10.0.1.1', 80], ['10.0.1.2', 80], ['10.0.1.2', 80]]), [at(2)]);
  assert.deepEqual(duplicateLines([['10.0.1.1', 80], ['10.0.1.1', 80]]), [at(1)]);
});

test('many real servers (past the direct comparison): repeats still found', () => {
  const many: Array<[string, number]> = Array.from({ length: 40 }, (_, k) => [`10.0.2.${k + 1}`, 80]);
  assert.deepEqual(duplicateLines(many), []);
  many.push(['10.0.2.1', 80]);
  assert.deepEqual(duplicateLines(many), [at(40)]);
});
