// The control socket's wire format: request parsing never throws, lines are split across chunks
// and bounded, reload plans are put in the operator's words, replies are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLine, LineSplitter, parseReply, parseRequest, reloadResult } from '../../../src/control/protocol.js';

test('status and reload requests parse; anything else is an error message, not an exception', () => {
  assert.deepEqual(parseRequest('{"cmd":"status"}'), { ok: true, req: { cmd: 'status' } });
  assert.deepEqual(parseRequest(' {"cmd":"reload","extra":1} '), { ok: true, req: { cmd: 'reload' } });
  const bad: [string, RegExp][] = [
    ['', /not JSON/], ['{"cmd":', /not JSON/], ['[1,2]', /JSON object/], ['null', /JSON object/], ['"status"', /JSON object/],
    ['{}', /no "cmd"/], ['{"cmd":5}', /no "cmd"/], ['{"cmd":"stop"}', /unknown command "stop": expected one of status, reload/],
    ['{"cmd":"__proto__"}', /unknown command/],
  ];
  for (const [line, re] of bad) {
    const r = parseRequest(line);
    assert.equal(r.ok, false, line);
    if (!r.ok) assert.match(r.error, re, line);
  }
  const long = parseRequest(JSON.stringify({ cmd: 'x'.repeat(10_000) }));
  assert.ok(!long.ok && long.error.length < 200, 'an unknown command is not echoed in full');
});

test('LineSplitter joins chunks, drops blank lines and CRs, and bounds a line', () => {
  const s = new LineSplitter(16);
  assert.deepEqual(s.push('{"cmd":'), []);
  assert.equal(s.pending, 7);
  assert.deepEqual(s.push('"a"}\r\n\n{"cmd":"b"}\n{"c'), ['{"cmd":"a"}', '{"cmd":"b"}']);
  assert.deepEqual(s.push('"}\n'), ['{"c"}']);
  assert.equal(s.pending, 0);
  assert.equal(new LineSplitter(16).push('x'.repeat(17)), 'overflow', 'an unterminated line past the limit');
  assert.equal(new LineSplitter(16).push(`${'x'.repeat(17)}\n`), 'overflow', 'a terminated one too');
});

test('reloadResult names kept, changed, started and stopped instances', () => {
  assert.deepEqual(reloadResult({ keep: ['A'], stop: ['B', 'C'], start: ['B', 'D'] }), {
    ok: true, kept: ['A'], changed: ['B'], started: ['D'], stopped: ['C'],
  });
  assert.deepEqual(reloadResult({ keep: [], stop: [], start: [] }), { ok: true, kept: [], changed: [], started: [], stopped: [] });
  // Plans with in-place updates: updated and restarted instances are both "changed".
  assert.deepEqual(reloadResult({ keep: ['A'], update: ['U'], restart: ['R'], stop: ['R', 'C'], start: ['R', 'D'] }), {
    ok: true, kept: ['A'], changed: ['U', 'R'], started: ['D'], stopped: ['C'],
  });
});

test('replies are checked before use', () => {
  assert.deepEqual(parseReply(encodeLine({ ok: false, errors: ['a.conf:1:2: bad'] }).trim()), { ok: false, errors: ['a.conf:1:2: bad'] });
  assert.deepEqual(parseReply('{"ok":true,"kept":[],"changed":[],"started":[],"stopped":[]}'), { ok: true, kept: [], changed: [], started: [], stopped: [] });
  assert.equal(parseReply('not json'), undefined);
  assert.equal(parseReply('{"status":{}}'), undefined, 'no ok field');
  assert.equal(parseReply('{"ok":false,"errors":"x"}'), undefined, 'errors must be a list');
  assert.equal(encodeLine({ cmd: 'status' }), '{"cmd":"status"}\n');
});
