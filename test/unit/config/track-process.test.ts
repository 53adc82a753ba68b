// vrrp_track_process / track_process: keepalived.conf and YAML read into the same model, with
// keepalived's implications, and bad values refused with their line. (convert: roundtrip.test.ts)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { errors, instance, load, markedLine, warnings } from './helpers.js';

const CONF = `vrrp_track_process haproxy {
  process haproxy
  weight 10 reverse
  quorum 2
  quorum_max 4
  delay 1.5
  fork_delay 0.25
}
vrrp_track_process full {
  process /usr/sbin/haproxy -f "/etc/my cfg"
  param_match partial
  terminate_delay 2
}
vrrp_track_process never {
  process badproc
  quorum_max 0
}
vrrp_track_process bare {
  process /usr/bin/x
  param_match
}
${instance(`  track_process {
    haproxy weight -20
    full
    never noreverse
  }
`)}`;

test('track_process: keepalived.conf keywords and their implications reach the model', () => {
  const r = load(CONF);
  assert.deepEqual(errors(r), []);
  assert.equal(warnings(r).filter((w) => /track_process|vrrp_track_process/.test(w.message)).length, 0, 'no longer "recognised but not implemented"');
  const [hap, full, never, bare] = r.model!.trackProcesses!;
  assert.deepEqual(hap, { name: 'haproxy', process: 'haproxy', params: [], paramMatch: 'none', fullCommand: false, weight: 10, reverse: true, quorum: 2, quorumMax: 4, forkDelayMs: 250, terminateDelayMs: 1500 });
  assert.deepEqual([full!.params, full!.paramMatch, full!.fullCommand, full!.forkDelayMs, full!.terminateDelayMs, full!.weight], [['-f', '/etc/my cfg'], 'partial', true, 0, 2000, 0]);
  assert.deepEqual([never!.quorum, never!.quorumMax], [0, 0], 'quorum_max 0 alone: up while none runs');
  assert.deepEqual([bare!.paramMatch, bare!.fullCommand, bare!.params], ['exact', true, []], 'param_match alone: exact, no parameters');
  assert.deepEqual(r.model!.vrrpInstances[0]!.trackProcesses, [
    { name: 'haproxy', weight: -20, reverse: false }, { name: 'full', reverse: false }, { name: 'never', reverse: false },
  ]);
});

for (const [what, line, msg] of [
  ['an undefined process tracker', '    nosuch # <-', /track_process 'nosuch' is not defined/],
  ['a weight out of range', '    p weight 300 # <-', /weight must be -254-254/],
] as const) {
  test(`track_process: ${what} is refused at its line`, () => {
    const text = `vrrp_track_process p {\n  process x\n}\n${instance(`  track_process {\n${line}\n  }\n`)}`;
    const r = load(text);
    const e = errors(r);
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.match(e[0]!.message, msg);
    assert.equal(e[0]!.line, markedLine(text));
  });
}

for (const [what, body, msg] of [
  ['quorum above quorum_max', '  process x\n  quorum 3\n  quorum_max 2 # <-', /quorum_max 2 is below quorum 3/],
  ['quorum 0', '  process x\n  quorum 0 # <-', /quorum must be 1-65535, got 0/],
  ['a name longer than comm keeps', '  process averyveryverylongname # <-', /longer than the 15 bytes.*full_command/],
  ['a bad param_match', '  process x\n  param_match fuzzy # <-', /param_match: expected initial, partial or exact/],
  ['a missing process', '  weight 2 # <-', /process/],
] as const) {
  test(`vrrp_track_process: ${what} is refused at its line`, () => {
    const text = `vrrp_track_process p {\n${body}\n}\n`;
    const r = load(text);
    const e = errors(r);
    assert.ok(e.length >= 1 && e.some((d) => msg.test(d.message)), JSON.stringify(e));
    if (what !== 'a missing process') assert.equal(e.find((d) => msg.test(d.message))!.line, markedLine(text));
  });
}

test('trackProcesses in YAML: camelCase keys, names or {name, weight, reverse} references', () => {
  const r = loadConfigText('t.yaml', `trackProcesses:
  - name: web
    process: nginx
    quorum: 1
    terminateDelayMs: 500
vrrpInstances:
  - name: VI_1
    interface: eth0
    vrid: 5
    priority: 100
    virtualIps: [10.0.0.5/24]
    trackProcesses: [web]
`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.model!.trackProcesses![0]!.terminateDelayMs, 500);
  const bad = loadConfigText('t.yaml', 'trackProcesses:\n  - name: web\n    proces: nginx\n');
  assert.ok(errors(bad).length > 0);
});
