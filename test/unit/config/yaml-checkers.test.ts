// YAML forms of the new checkers and IPVS settings, the protocol YAML requires, and convert's
// round trip of the keepalived.conf forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { readKeepalived } from '../../../src/config/keepalived/translate.js';
import { toYaml } from '../../../src/cli/commands/convert.js';
import { errors, load, markedLine, warnings } from './helpers.js';
import { FULL_CHECKERS } from './fixtures.js';

const y = (text: string) => load(text, 'c.yaml');

/** FULL_CHECKERS written by hand in YAML, with camelCase keys. */
const FULL_CHECKERS_YAML = `global:
  lvsFlushOnStop: true
  lvsTimeouts: { tcpS: 900, tcpFinS: 30, udpS: 60 }
  lvsSyncDaemon: { interface: eth1, vrrpInstance: VI_S, syncId: 9, maxLen: 1400, port: 8849, ttl: 2, group: 239.1.2.3 }
trackFiles:
  - { name: maint, path: /run/vk/maint, weight: -10, reverse: true }
vrrpInstances:
  - name: VI_S
    interface: eth0
    vrid: 41
    virtualIps: [192.0.2.25]
    trackFiles: [{ name: maint, weight: 2 }]
virtualServers:
  - address: 192.0.2.25
    port: 25
    protocol: TCP
    lbAlgo: sh
    schedFlags: [sh-port, sh-fallback]
    lbKind: DR
    sorryServer: { address: 192.0.2.99, port: 25, lbKind: NAT }
    realServers:
      - address: 192.0.2.31
        port: 25
        checkers:
          - { type: SMTP_CHECK, heloName: lb1.example.org, connectTimeoutMs: 4000, retry: 2 }
          - { type: FILE_CHECK, trackFile: maint, weight: 3, reverse: true }
          - { type: FILE_CHECK, trackFile: maint }
          - { type: GRPC_CHECK, service: mail.Health, tls: true, authority: grpc.example.org, connectPort: 9090 }
          - type: SSL_GET
            enableSni: true
            sniName: www.example.org
            urls:
              - { path: /health, statusCodes: ["200-299", 301], regex: "^ok( |$)", regexNoMatch: true }
              - { path: /ready, regex: ready }
          - { type: DNS_CHECK, queryType: DNSKEY, name: example.org }
`;

test('yaml checkers: the camelCase keys give the same model as keepalived.conf', () => {
  const fromYaml = y(FULL_CHECKERS_YAML);
  assert.deepEqual(errors(fromYaml), []);
  const fromConf = load(FULL_CHECKERS);
  assert.deepEqual(errors(fromConf), []);
  assert.deepEqual(fromYaml.model, fromConf.model);
});

test('yaml checkers: convert round-trips the new keywords (YAML read back is the same model)', () => {
  const direct = load(FULL_CHECKERS);
  const read = readKeepalived('full.conf', FULL_CHECKERS, { strict: true });
  const yaml = toYaml(read.input!, 'full.conf');
  const back = loadConfigText('back.yaml', yaml);
  assert.deepEqual(errors(back), [], yaml);
  assert.deepEqual(back.model, direct.model);
  assert.match(yaml, /type: GRPC_CHECK/);
  assert.match(yaml, /lvsSyncDaemon:/);
});

test('yaml protocol: required for address and group services, with the reason; fwmark needs none', () => {
  const text = 'virtualServers:\n  - address: 10.0.0.1 # <-\n    port: 80\n';
  const r = y(text);
  assert.equal(r.model, undefined);
  assert.deepEqual(errors(r).map((d) => [d.line, d.col, d.message]), [[markedLine(text), 5,
    "virtualServers[0]: missing required key 'protocol': a service chosen by address or group needs TCP, UDP or SCTP (YAML has no default; keepalived.conf uses UDP)"]]);
  const group = y('virtualServerGroups:\n  - { name: G, entries: [{ address: 10.0.0.1, port: 80 }] }\nvirtualServers:\n  - group: G\n');
  assert.match(errors(group)[0]?.message ?? '', /virtualServers\[0\]: missing required key 'protocol'/);
  const fw = y('virtualServers:\n  - { fwmark: 5, realServers: [{ address: 10.0.1.1 }] }\n');
  assert.deepEqual(errors(fw), []);
  assert.deepEqual(warnings(fw), []);
});

test('yaml protocol: convert writes keepalived\'s UDP default out, so the YAML loads to the same model', () => {
  const text = 'virtual_server 10.0.0.1 53 {\n  real_server 10.0.1.1 53 {\n  }\n}\n';
  const direct = load(text);
  assert.equal(direct.model!.virtualServers[0]!.protocol, 'UDP');
  const yaml = toYaml(readKeepalived('a.conf', text, { strict: false }).input!, 'a.conf');
  assert.match(yaml, /protocol: UDP/);
  const back = loadConfigText('a.yaml', yaml);
  assert.deepEqual(back.diagnostics, [], 'no warning either: the YAML says UDP');
  assert.deepEqual(back.model, direct.model);
});

interface Case { name: string; text: string; message: RegExp }
const vs = (checker: string, extra = '') => `${extra}virtualServers:\n  - address: 10.0.0.1\n    port: 443\n    protocol: TCP\n    realServers:\n      - address: 10.0.1.1\n        checkers:\n${checker}`;

const cases: Case[] = [
  { name: 'unknown checker type', text: vs('          - { type: IMAP_CHECK } # <-\n'), message: /checkers\[0\]\.type: must be one of TCP_CHECK, .*SMTP_CHECK, FILE_CHECK, GRPC_CHECK/ },
  { name: 'FILE_CHECK with a connect setting', text: vs('          - { type: FILE_CHECK, trackFile: t, connectIp: 10.0.0.2 } # <-\n', 'trackFiles: [{ name: t, path: /run/t }]\n'), message: /FILE_CHECK takes only track_file and weight \[reverse\], not connectIp/ },
  { name: 'FILE_CHECK unknown track file', text: vs('          - { type: FILE_CHECK, trackFile: nope } # <-\n'), message: /FILE_CHECK: track_file 'nope' is not defined/ },
  { name: 'regex not a JavaScript RegExp', text: vs('          - type: HTTP_GET\n            urls:\n              - { path: /, regex: "a[" } # <-\n'), message: /HTTP_GET regex 'a\[' is not a valid JavaScript regular expression/ },
  { name: 'a key of another checker type', text: vs('          - { type: SMTP_CHECK, tls: true } # <-\n'), message: /SMTP_CHECK does not take 'tls' \(a GRPC_CHECK setting\)/ },
  { name: 'tls not a boolean', text: vs('          - { type: GRPC_CHECK, tls: "yes" } # <-\n'), message: /checkers\[0\]\.tls: must be boolean, got string "yes"/ },
  { name: 'lvsTimeouts unknown key', text: 'global:\n  lvsTimeouts: { tcp: 5 } # <-\n', message: /unknown key 'tcp' in global\.lvsTimeouts$/ },
  { name: 'sorry server lbKind in lower case', text: 'virtualServers:\n  - address: 10.0.0.1\n    port: 80\n    protocol: TCP\n    sorryServer: { address: 10.0.0.9, lbKind: dr } # <-\n', message: /sorryServer\.lbKind: must be one of NAT, DR, TUN/ },
];

for (const c of cases) {
  test(`yaml checkers: ${c.name}`, () => {
    const r = y(c.text);
    assert.equal(r.model, undefined);
    const hit = errors(r).find((d) => c.message.test(d.message));
    assert.ok(hit, JSON.stringify(r.diagnostics));
    assert.equal(hit.line, markedLine(c.text), hit.message);
  });
}
