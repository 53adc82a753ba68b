// The `announcements` section: YAML input -> model with defaults, the schema fragment (it must
// compile under the project's strict ajv settings), and each semantic error at its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { Ajv } from 'ajv';
import { ANNOUNCEMENTS_SCHEMA, buildAnnouncements, canonicalVsName, checkAnnouncements, type AnnouncementsInput } from '../../../src/config/announcements.js';
import { Reporter } from '../../../src/config/normalize.js';
import type { SourceMap } from '../../../src/config/input.js';
import { loadConfigText } from '../../../src/config/load.js';

/** The rest of a config: two virtual servers (one IPv6) and a VRRP instance. */
const BASE = `
vrrpInstances:
  - name: VI_1
    interface: eth0
    vrid: 51
    virtualIps: [10.20.0.1/32]
virtualServers:
  - address: 10.20.0.1
    port: 80
    protocol: TCP
    realServers: [{ address: 10.30.0.1, port: 80 }]
  - address: 2001:db8::1
    port: 443
    protocol: TCP
    realServers: [{ address: 2001:db8:1::1, port: 443 }]
`;
const base = loadConfigText('base.yaml', BASE);
assert.deepEqual(base.diagnostics.filter((d) => d.severity === 'error'), []);
const model = base.model!;

/** Parses `announcements:` YAML as the YAML reader would: input plus a JSON-pointer source map. */
function read(text: string) {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const map: SourceMap = new Map();
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) for (const p of node.items) {
      if (!isPair(p) || !isScalar(p.key)) continue;
      const child = `${path}/${String(p.key.value)}`;
      const at = (p.key as { range?: [number] }).range?.[0];
      if (at !== undefined) map.set(child, { file: 'a.yaml', ...lc.linePos(at) });
      walk(p.value, child);
    } else if (isSeq(node)) node.items.forEach((it, i) => {
      const at = (it as { range?: [number] }).range?.[0];
      if (at !== undefined) map.set(`${path}/${i}`, { file: 'a.yaml', ...lc.linePos(at) });
      walk(it, `${path}/${i}`);
    });
  };
  walk(doc.contents, '');
  const input = (doc.toJS() as { announcements?: AnnouncementsInput }).announcements;
  const r = new Reporter(map, 'a.yaml');
  const built = buildAnnouncements(r, input);
  checkAnnouncements(r, built, model);
  const lineOf = (marker: string) => text.split('\n').findIndex((l) => l.includes(marker)) + 1;
  return { input, built, diagnostics: r.diagnostics, lineOf };
}

test('a full section: defaults filled, prefixes canonical, each condition and holdDownS in ms', () => {
  const { built, diagnostics } = read(`
announcements:
  routes:
    - { prefix: 10.20.0.1/32, virtualServer: "10.20.0.1:80/tcp", holdDownS: 5, metric: 10 }
    - { prefix: "2001:DB8::1/128", virtualServer: "[2001:DB8::1]:443/TCP" }
    - { prefix: 10.20.0.0/24, vrrpInstance: VI_1, holdDownS: 0.5 }
    - { prefix: 10.21.0.0/16, always: true }
`);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(built, {
    table: 100,
    routes: [
      { prefix: '10.20.0.1/32', family: 4, condition: { kind: 'virtualServer', virtualServer: '10.20.0.1:80/TCP' }, holdDownMs: 5000, metric: 10 },
      { prefix: '2001:db8::1/128', family: 6, condition: { kind: 'virtualServer', virtualServer: '[2001:db8::1]:443/TCP' }, holdDownMs: 0, metric: 0 },
      { prefix: '10.20.0.0/24', family: 4, condition: { kind: 'vrrpInstance', vrrpInstance: 'VI_1' }, holdDownMs: 500, metric: 0 },
      { prefix: '10.21.0.0/16', family: 4, condition: { kind: 'always' }, holdDownMs: 0, metric: 0 },
    ],
  });
  assert.equal(buildAnnouncements(new Reporter(new Map(), 'x'), undefined), undefined, 'absent section: nothing to run');
});

test('each semantic error, one line each, at the offending key', () => {
  const text = `
announcements:
  table: 254  # <-table
  routes:
    - prefix: 10.20.0.1/32  # <-two
      virtualServer: "10.20.0.1:80/TCP"
      always: true
    - prefix: 10.20.0.2/32  # <-none
    - prefix: 10.20.0.3/32
      virtualServer: "10.20.0.3:80/TCP"  # <-unknown-vs
    - prefix: 10.20.0.4/32
      vrrpInstance: VI_9  # <-unknown-vi
    - prefix: 10.20.0.5/24  # <-hostbits
      always: true
    - prefix: 10.20.0.300/32  # <-bad
      always: true
    - prefix: 10.20.0.6/33  # <-len
      always: true
    - prefix: 10.20.0.7/32
      always: false  # <-false
    - prefix: 10.20.0.8/32
      always: true
      holdDownS: -1  # <-hold
    - prefix: 10.20.0.9/32
      always: true
      metric: 1.5  # <-metric
    - prefix: 10.20.0.10/32
      always: true
    - prefix: 10.20.0.10/32  # <-dup
      vrrpInstance: VI_1
    - prefix: 0.0.0.0/0  # <-default
      always: true
`;
  const { diagnostics, lineOf } = read(text);
  const at = (marker: string) => diagnostics.filter((d) => d.line === lineOf(`# <-${marker}`)).map((d) => d.message);
  const expect: Record<string, RegExp> = {
    table: /table 254 is the kernel's 'main' table/,
    two: /2 conditions \(virtualServer, always\); give exactly one/,
    none: /needs a condition: one of virtualServer, vrrpInstance or always/,
    'unknown-vs': /no virtual server '10\.20\.0\.3:80\/TCP'; known: 10\.20\.0\.1:80\/TCP, \[2001:db8::1\]:443\/TCP/,
    'unknown-vi': /no vrrp instance 'VI_9'/,
    hostbits: /has host bits set; the network is 10\.20\.0\.0\/24/,
    bad: /'10\.20\.0\.300\/32': not a valid address/,
    len: /prefix length must be 0-32/,
    false: /always must be true/,
    hold: /holdDownS must be 0-86400 seconds, got -1/,
    metric: /metric must be an integer/,
    dup: /10\.20\.0\.10\/32 is announced twice \(also routes\[10\]\)/,
    default: /a default route is never announced/,
  };
  for (const [marker, re] of Object.entries(expect)) {
    const msgs = at(marker);
    assert.equal(msgs.length, 1, `${marker}: ${JSON.stringify(msgs)} (all: ${JSON.stringify(diagnostics.map((d) => `${d.line}: ${d.message}`))})`);
    assert.match(msgs[0]!, re, marker);
  }
  assert.equal(diagnostics.length, Object.keys(expect).length);
  assert.ok(diagnostics.every((d) => d.severity === 'error' && d.file === 'a.yaml'));
});

test('tables: 1..2^32-1 except 253-255; above 252 only a warning (FRR import-table limit)', () => {
  const table = (t: number) => read(`announcements:\n  table: ${t}\n  routes: [{ prefix: 10.20.0.1/32, always: true }]\n`).diagnostics.map((d) => `${d.severity}: ${d.message}`);
  assert.deepEqual(table(1), []);
  assert.deepEqual(table(252), []);
  assert.match(table(0)[0]!, /^error: announcements: table must be 1-4294967295, got 0/);
  assert.match(table(253)[0]!, /^error: .*'default' table/);
  assert.match(table(255)[0]!, /^error: .*'local' table/);
  assert.match(table(1000)[0]!, /^warning: .*FRR's 'ip import-table' takes 1-252 only/);
  assert.match(table(2 ** 32)[0]!, /^error: .*table must be/);
});

test('a virtual server whose address the prefix does not cover is a warning', () => {
  const { diagnostics } = read('announcements:\n  routes:\n    - { prefix: 10.99.0.0/24, virtualServer: "10.20.0.1:80/TCP" }\n');
  assert.deepEqual(diagnostics.map((d) => [d.severity, d.line, d.message]), [['warning', 3, "announcements: prefix 10.99.0.0/24 does not contain virtual server 10.20.0.1:80/TCP's address"]]);
});

test('the schema fragment compiles under strict ajv and refuses unknown keys and wrong types', () => {
  const v = new Ajv({ allErrors: true, strict: true }).compile(ANNOUNCEMENTS_SCHEMA);
  assert.equal(v({ table: 100, routes: [{ prefix: '10.0.0.1/32', virtualServer: '10.0.0.1:80/TCP', holdDownS: 2.5, metric: 3 }] }), true);
  assert.equal(v({ routes: [{ prefix: '10.0.0.1/32', always: true, color: 'red' }] }), false);
  assert.equal(v({ table: '100' }), false);
  assert.equal(v({ routes: [{ always: true }] }), false, 'prefix is required');
  assert.equal(v({ routes: [{ prefix: '10.0.0.1/32', holdDownS: -1 }] }), false);
  const props = (ANNOUNCEMENTS_SCHEMA.properties as Record<string, { description?: string; items?: { properties: Record<string, { description?: string }> } }>);
  for (const [k, s] of Object.entries(props.routes!.items!.properties)) assert.ok(s.description, `routes.${k} is documented`);
  assert.ok(props.table!.description);
});

test('virtual server names are compared in vsName form', () => {
  assert.equal(canonicalVsName(' 10.20.0.1:080/udp '), '10.20.0.1:80/UDP');
  assert.equal(canonicalVsName('[2001:0DB8:0::1]:80/sctp'), '[2001:db8::1]:80/SCTP');
  assert.equal(canonicalVsName('fwmark 5/inet'), 'fwmark 5/inet');
  assert.equal(canonicalVsName('10.20.0:80/TCP'), '10.20.0:80/TCP');
});
