// The YAML reader: schema errors at YAML positions, no type coercion, document shape checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, load, markedLine } from './helpers.js';

const y = (text: string) => load(text, 'c.yaml');

test('yaml: a valid document gives the same model shape as keepalived.conf', () => {
  const r = y(`global: { routerId: r1 }
vrrpScripts:
  - { name: chk, script: [/bin/check, --quick], intervalMs: 500 }
vrrpInstances:
  - name: VI_1
    interface: eth0
    vrid: 10
    virtualIps: [10.0.0.1/24, { address: 10.0.0.2, label: "eth0:x" }]
    trackScripts: [chk, { name: chk, weight: 5 }]
    notify: { master: { argv: /bin/m, user: nobody } }
virtualServers:
  - { address: 10.0.0.1, port: 80, protocol: TCP, realServers: [{ address: 10.0.1.1, checkers: [{ type: TCP_CHECK }] }] }
`);
  assert.deepEqual(errors(r), []);
  const m = r.model!;
  assert.deepEqual(m.vrrpScripts[0]!.script, { argv: ['/bin/check', '--quick'] });
  assert.equal(m.vrrpScripts[0]!.timeoutMs, 500);
  assert.deepEqual(m.vrrpInstances[0]!.virtualIps.map((v) => [v.address, v.prefixLen, v.label]), [['10.0.0.1', 24, undefined], ['10.0.0.2', 32, 'eth0:x']]);
  assert.deepEqual(m.vrrpInstances[0]!.notify.master, { argv: ['/bin/m'], user: 'nobody' });
  assert.equal(m.virtualServers[0]!.realServers[0]!.port, 80, 'real server port defaults to the virtual server port');
});

const cases: Array<{ name: string; text: string; message: RegExp }> = [
  { name: 'unknown key', text: 'vrrpInstances:\n  - name: A\n    interface: eth0\n    vird: 5 # <-\n', message: /^unknown key 'vird' in vrrpInstances\[0\]: did you mean 'vrid'\?$/ },
  { name: 'string where an integer belongs (no coercion)', text: 'vrrpInstances:\n  - name: A\n    interface: eth0\n    vrid: "5" # <-\n', message: /vrrpInstances\[0\]\.vrid: must be integer/ },
  { name: 'yes is a string, not a boolean', text: 'global:\n  vrrpStrict: yes # <-\n', message: /global\.vrrpStrict: must be boolean/ },
  { name: 'missing required key', text: 'vrrpScripts:\n  - name: chk # <-\n    intervalMs: 5\n', message: /missing required key 'script'/ },
  { name: 'bad enum', text: 'virtualServers:\n  - address: 10.0.0.1\n    lbAlgo: fastest # <-\n', message: /virtualServers\[0\]\.lbAlgo: must be one of rr, wrr/ },
  { name: 'bad union', text: 'vrrpInstances:\n  - name: A\n    virtualIps:\n      - 12 # <-\n', message: /virtualIps\[0\]: must be an "address\/prefix" string or/ },
  { name: 'negative duration', text: 'vrrpInstances:\n  - name: A\n    advertIntervalMs: -5 # <-\n', message: /advertIntervalMs: must be >= 0/ },
  { name: 'duplicate key', text: 'global:\n  routerId: a\n  routerId: b # <-\n', message: /YAML: Map keys must be unique/ },
  { name: 'syntax error', text: 'global:\n  routerId: [a, b\nvrrpInstances: 1 # <-\n', message: /YAML:/ },
  { name: 'a list document', text: '- a # <-\n- b\n', message: /the document is a list; a vipkeeper configuration is a mapping/ },
  { name: 'a scalar document', text: '\nhello # <-\n', message: /the document is a single value/ },
];

for (const c of cases) {
  test(`yaml: ${c.name}`, () => {
    const r = y(c.text);
    assert.equal(r.model, undefined);
    const hit = errors(r).find((d) => c.message.test(d.message));
    assert.ok(hit, JSON.stringify(r.diagnostics));
    assert.equal(hit.line, markedLine(c.text), hit.message);
  });
}

test('yaml: an empty document is an error', () => {
  const r = y('# nothing\n');
  assert.match(errors(r)[0]!.message, /the document is empty/);
});

test('yaml: one run reports every schema problem and the semantic errors of what the schema accepted', () => {
  const r = y('vrrpInstances:\n  - name: A\n    vrid: x\n    priority: y\n    bogus: 1\n  - name: B\n    interface: eth0\n    vrid: 300\n    virtualIps: [10.0.0.1/24]\n');
  assert.deepEqual(errors(r).map((d) => [d.line, d.message]), [
    [2, "vrrpInstances[0]: 'interface' is required"],
    [3, 'vrrpInstances[0].vrid: must be integer, got string "x"'],
    [4, 'vrrpInstances[0].priority: must be integer, got string "y"'],
    [5, "unknown key 'bogus' in vrrpInstances[0]"],
    [8, 'vrrpInstances[1].vrid must be 1-255, got 300'],
  ]);
});

test('yaml: x- keys at the top level hold anchors and are otherwise ignored', () => {
  const r = y(`x-vip: &vip 10.0.0.1/24
vrrpInstances:
  - { name: A, interface: eth0, vrid: 3, virtualIps: [*vip] }
`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.model!.vrrpInstances[0]!.virtualIps[0]!.address, '10.0.0.1');
});

test('yaml: alias bombs are refused', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
  const r = y(lines.join('\n'));
  assert.equal(r.model, undefined);
  assert.ok(errors(r).length >= 1);
});

test('yaml: a mapping or a list as a key is one error at that key, even when printing it would throw (fuzz: a scalar merged into it)', () => {
  // yaml's own printing of this key throws "Merge sources must be maps or map aliases".
  const merged = ['x-common: &c', '  interface: eth0', 'vrrpInstances:', '  ? <<: *c  # <-', '    name: VI_1', '  : 1', ''].join('\n');
  const r = y(merged);
  assert.equal(r.model, undefined);
  const d = r.diagnostics.find((x) => /a key here is a mapping; keys are plain names/.test(x.message));
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.deepEqual([d.file, d.line], ['c.yaml', markedLine(merged)]);
  const list = y(['vrrpInstances:', '  - ? [a, b]  # <-', '    : 1', ''].join('\n'));
  assert.ok(list.diagnostics.some((x) => x.line === 2 && /vrrpInstances\[0\]: a key here is a list; keys are plain names/.test(x.message)), JSON.stringify(list.diagnostics));
});

test('yaml: docs/config.schema.json is the schema the reader uses (regenerate it when this fails)', async () => {
  const { readFileSync } = await import('node:fs');
  const { CONFIG_SCHEMA } = await import('../../../src/config/schema.js');
  const onDisk = JSON.parse(readFileSync(new URL('../../../docs/config.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(CONFIG_SCHEMA)),
    'regenerate: node --import tsx -e "const {writeFileSync}=await import(\'node:fs\'); const {CONFIG_SCHEMA}=await import(\'./src/config/schema.ts\'); writeFileSync(\'docs/config.schema.json\', JSON.stringify(CONFIG_SCHEMA, null, 2) + String.fromCharCode(10))"');
});

test('yaml: merge keys share settings; own keys win; a bad merged value is reported at the anchor', () => {
  const text = `x-inst: &inst
  interface: eth0
  priority: 300
vrrpInstances:
  - <<: *inst
    name: A
    vrid: 3
    virtualIps: [10.0.0.1/24]
  - <<: [*inst]
    name: B
    vrid: 4
    priority: 120
    virtualIps: [10.0.0.2/24]
`;
  const r = y(text);
  assert.deepEqual(errors(r).map((d) => [d.line, d.col, d.message]), [[3, 3, 'vrrpInstances[0].priority must be 1-255, got 300']]);
  const ok = y(text.replace('priority: 300', 'priority: 90'));
  assert.deepEqual(errors(ok), []);
  assert.deepEqual(ok.model!.vrrpInstances.map((v) => [v.name, v.interface, v.priority]), [['A', 'eth0', 90], ['B', 'eth0', 120]]);
});

test('yaml: a wrong type says what was written (a quoted number, yes/no, a scalar for a list)', () => {
  const r = y('vrrpInstances:\n  - name: A\n    interface: eth0\n    vrid: "51"\n    preempt: yes\n    virtualIps: 10.0.0.1/24\n    garp: [1]\n');
  assert.deepEqual(errors(r).map((d) => [d.line, d.message]), [
    [4, 'vrrpInstances[0].vrid: must be integer, got string "51"'],
    [5, 'vrrpInstances[0].preempt: must be boolean, got string "yes"'],
    [6, 'vrrpInstances[0].virtualIps: must be array, got string "10.0.0.1/24"'],
    [7, 'vrrpInstances[0].garp: must be object, got a list'],
  ]);
});

test('yaml: several documents in one file is one error in operator terms', () => {
  const r = y('global: {}\n---\nglobal: {}\n');
  assert.deepEqual(errors(r).map((d) => [d.line, d.message]), [[2, "YAML: the file holds more than one YAML document ('---'); a configuration is one document"]]);
});
