// The fast YAML path (src/config/yaml-fast.ts) against the `yaml` library's reading: whenever the
// fast path accepts a document, the data, every key's and item's line:col, and every diagnostic
// after the schema and semantic checks must be what the slow path gives; anything else it must
// refuse (the slow path then reports it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Document, isCollection, parse, visit } from 'yaml';
import { readFastYaml } from '../../../src/config/yaml-fast.js';
import { readYaml, readYamlSlow } from '../../../src/config/yaml.js';
import { finishConfig } from '../../../src/config/load.js';
import { Positions } from '../../../src/config/positions.js';
import type { SourcePos } from '../../../src/config/input.js';
import { readKeepalived } from '../../../src/config/keepalived/translate.js';
import { toYaml } from '../../../src/cli/commands/convert.js';
import { generateKeepalivedConf } from '../../../bench/config-fixture.js';

const FILE = 'c.yaml';
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every position the fast path reports, as the slow path's source map holds them. */
function fastPositions(text: string): Map<string, SourcePos> {
  const m = new Map<string, SourcePos>();
  readFastYaml(text, (path, line, col) => m.set(path, { file: FILE, line, col }));
  return m;
}

function slowPositions(text: string): Map<string, SourcePos> {
  const s = readYamlSlow(FILE, text).sources as Positions;
  return new Map(s.ownPaths().map((p) => [p, s.get(p)!]));
}

/** Same result both ways; returns whether the fast path took the document. */
function same(text: string): boolean {
  const fast = readFastYaml(text);
  const viaFast = finishConfig(readYaml(FILE, text), FILE);
  const viaSlow = finishConfig(readYamlSlow(FILE, text), FILE);
  assert.deepEqual(viaFast.diagnostics, viaSlow.diagnostics, text);
  assert.deepEqual(viaFast.model, viaSlow.model, text);
  if (!fast) return false;
  const slow = readYamlSlow(FILE, text);
  assert.deepEqual(slow.diagnostics.filter((d) => d.message.startsWith('YAML')), [], `the fast path took a document yaml refuses:\n${text}`);
  assert.deepEqual(fast.data, parse(text, { schema: 'core', merge: true }), text);
  assert.deepEqual(fastPositions(text), slowPositions(text), text);
  return true;
}

test('yaml fast path: generated and converted files are read by it, with the slow path\'s data and positions', () => {
  const conf = generateKeepalivedConf(20, 3);
  const converted = [toYaml(readKeepalived('g.conf', conf, { strict: false }).input!, 'g.conf')];
  for (const f of readdirSync(join(root, 'conf')).filter((n) => n.endsWith('.conf'))) {
    const read = readKeepalived(f, readFileSync(join(root, 'conf', f), 'utf8'), { strict: false, configId: 'x' });
    if (read.input) converted.push(toYaml(read.input, f));
  }
  for (const text of converted) assert.ok(same(text), `the fast path refused a converted file:\n${text.slice(0, 400)}`);
});

test('yaml fast path: time grows with the file, not its square (10,000 real servers within seconds)', () => {
  const text = toYaml(readKeepalived('g.conf', generateKeepalivedConf(1000, 10), { strict: false }).input!, 'g.conf');
  const t0 = process.hrtime.bigint();
  const read = readFastYaml(text, () => {});
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(read, 'the fast path read the generated file');
  // ~50 ms on a loaded 2-core machine; a scan to the end of the text per line takes minutes.
  assert.ok(ms < 5000, `read in ${ms.toFixed(0)} ms`);
});

test('yaml fast path: the example files give the same results either way', () => {
  const files = ['conf/lvs-dr-http-master.yaml', 'conf/lvs-dr-http-backup.yaml', 'conf/scale-out/director-a.yaml'];
  for (const f of files) same(readFileSync(join(root, f), 'utf8'));
});

/** Documents in the fast subset that hold schema errors, semantic errors and warnings. */
const BAD_IN_SUBSET = [
  'vrrpInstances:\n  - name: A\n    interface: eth0\n    vrid: 300\n    prioirty: 5\n',
  'vrrpInstances:\n- name: A\n  interface: eth0\n  vrid: "51"\n  virtualIps: [10.0.0.1/24, 10.0.0.300]\n',
  'global:\n  routerId: r\n  unknown: 1\nvirtualServers:\n  - address: 10.0.0.1\n    port: 80\n    realServers:\n      - address: 10.0.1.1\n        checkers:\n          - type: TCP_CHECK\n            connectTimeoutMs: -5\n',
  "virtualServers:\n  - { address: 10.0.0.1, port: 80, protocol: TCP, realServers: [{ address: 'x', weight: 70000, checkers: [{ type: HTTP_GET }] }] }\n",
  'vrrpScripts:\n  - name: s\n    script: /bin/true\n    intervalMs: 1000\n    timeoutMs: 0\nvrrpInstances:\n  - name: A\n    interface: eth0\n    vrid: 1\n    trackScripts: [s, nope]\n',
  'virtualServers:\n  - address: 10.0.0.1\n    port: 80\n    protocol: TCP\n    delayLoopMs: 0\n    realServers:\n      - address: 10.0.1.1\n        checkers:\n          - type: TCP_CHECK\n      - address: 10.0.1.1\n',
  '---\nvrrpInstances: []\nvirtualServers: {}\n',
  'vrrpInstances: 5\n',
  "# comment\nglobal:   # trailing\n  routerId: 'it''s'   # c\n  vrrpVersion: 4\n",
];

test('yaml fast path: errors and warnings in documents it reads are identical to the slow path\'s, at the same line:col', () => {
  for (const text of BAD_IN_SUBSET) {
    assert.ok(same(text), `expected the fast path to read:\n${text}`);
    assert.ok(finishConfig(readYaml(FILE, text), FILE).diagnostics.length > 0, text);
  }
});

/** Documents outside the subset: each is left to the slow path, which reports what it finds. */
const OUTSIDE = [
  'x-a: &a\n  interface: eth0\nvrrpInstances:\n  - <<: *a\n    name: A\n',
  'global:\n\trouterId: r\n',
  'global:\r\n  routerId: r\r\n',
  'global:\n  routerId: r\n  routerId: s\n',
  'global:\n  routerId: >\n    folded\n',
  'global:\n  routerId: multi\n    line\n',
  'global:\n  routerId: "esc\\"aped"\n',
  'global:\n  routerId: !!str 5\n',
  'global:\n  lvsTimeouts: { tcpS: 123456789012345678901 }\n',
  'global:\n  routerId: 0x1F\n',
  'global: {routerId: r\n',
  '---\nglobal: {}\n---\nglobal: {}\n',
  '%YAML 1.2\n---\nglobal: {}\n',
  '- a\n- b\n',
  '',
  'global:\n  routerId: a: b\n',
  '  global: {}\n',
  'vrrpInstances:\n  - - a\n',
  '? global\n: {}\n',
  `x-a: ${'['.repeat(80)}${']'.repeat(80)}\n`,
];

test('yaml fast path: what it does not read goes to the slow path, with the same diagnostics', () => {
  for (const text of OUTSIDE) {
    assert.equal(readFastYaml(text), undefined, `expected the fast path to refuse:\n${text}`);
    same(text);
  }
});

test('yaml fast path: the nesting limit refuses what the slow path refuses, at the same line:col', () => {
  const deep = `x-a:\n${Array.from({ length: 70 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`;
  const shallow = `x-a:\n${Array.from({ length: 60 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`;
  // yaml-depth.ts over-counts a bracket after a comma: the fast path must refuse that too.
  const brackets = `x-a: a, ${'['.repeat(70)}\n`;
  for (const text of [deep, shallow, brackets]) {
    const viaFast = finishConfig(readYaml(FILE, text), FILE).diagnostics;
    assert.deepEqual(viaFast, finishConfig(readYamlSlow(FILE, text), FILE).diagnostics);
    assert.equal(viaFast.some((d) => /nests more than 64/.test(d.message)), text !== shallow);
  }
});

test('yaml fast path: random documents and random edits of them never differ from the slow path', () => {
  const scalar = fc.oneof(
    fc.constantFrom('a', 'eth0', '10.0.0.1/24', 'true', 'no', 'null', '~', '-1', '+5', '0.50', '.5', '1e3', '0x10', '0o7', '#x', 'a #b', 'a:b', 'a: b',
      "it's", '"q"', '- x', '[x]', '{x}', '&a', '*a', '!t', '|', '>', '%', '@', '`', ' lead', 'trail ', '', '__proto__', '<<', 'é', '\\'),
    fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 6 }));
  const key = fc.oneof(fc.constantFrom('global', 'routerId', 'vrrpInstances', 'name', 'vrid', 'x-a', 'a b', 'k:', '1', 'true', '__proto__'), fc.string({ maxLength: 4 }));
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 3 })),
  })).node;
  const doc = fc.record({
    data: fc.dictionary(key, value, { minKeys: 1, maxKeys: 4 }),
    flows: fc.array(fc.boolean(), { maxLength: 12 }), indentSeq: fc.boolean(), indent: fc.integer({ min: 1, max: 4 }),
    edit: fc.option(fc.tuple(fc.nat(), fc.constantFrom(' ', '\n', ':', '-', '#', '"', "'", '[', ']', '{', '}', ',', 'x', '  ', ': ', '- '), fc.boolean())),
  });
  fc.assert(fc.property(doc, ({ data, flows, indentSeq, indent, edit }) => {
    // Some nested collections written in flow style ([a, b], {k: v}), the others as blocks.
    const d = new Document(data);
    let k = 0;
    visit(d, (_key, node, path) => { if (isCollection(node) && path.length > 1) node.flow = flows[k++ % Math.max(1, flows.length)] ?? false; });
    let text = d.toString({ indentSeq, indent });
    if (edit) {
      const [at, s, replace] = edit;
      const i = at % (text.length + 1);
      text = text.slice(0, i) + s + text.slice(replace ? i + 1 : i);
    }
    same(text);
  }), { numRuns: 1500, seed: 12 });
});
