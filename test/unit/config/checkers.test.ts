// SMTP_CHECK, FILE_CHECK, GRPC_CHECK, HTTP regex / sni_name, track_file and sorry_server_lvs_method:
// each keyword into its model field, the same in YAML, and each wrong value at its line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DnsCheck, FileCheck, GrpcCheck, HttpCheck, SmtpCheck } from '../../../src/config/model.js';
import { errors, load, markedLine, warnings } from './helpers.js';
import { FULL_CHECKERS } from './fixtures.js';

test('checkers: every new keepalived.conf keyword lands in its model field', () => {
  const r = load(FULL_CHECKERS, 'full.conf', { strict: true });
  assert.deepEqual(errors(r), []);
  const vs = r.model!.virtualServers[0]!;
  assert.deepEqual(vs.sorryServer, { address: '192.0.2.99', family: 4, port: 25, lbKind: 'NAT', inhibit: false });
  assert.equal(vs.lbKind, 'DR');
  assert.deepEqual(vs.schedFlags, ['sh-port', 'sh-fallback']);
  const [smtp, file, fileDefault, grpc, ssl, dns] = vs.realServers[0]!.checkers;
  const s = smtp as SmtpCheck;
  assert.deepEqual([s.type, s.heloName, s.connectTimeoutMs, s.retry], ['SMTP_CHECK', 'lb1.example.org', 4000, 2]);
  const f = file as FileCheck;
  assert.deepEqual([f.type, f.trackFile, f.path, f.weight, f.reverse], ['FILE_CHECK', 'maint', '/run/vk/maint', 3, true]);
  // keepalived: without its own weight, FILE_CHECK takes the track_file's weight and reverse.
  const fd = fileDefault as FileCheck;
  assert.deepEqual([fd.weight, fd.reverse], [-10, true]);
  const g = grpc as GrpcCheck;
  assert.deepEqual([g.type, g.service, g.tls, g.authority, g.connectPort], ['GRPC_CHECK', 'mail.Health', true, 'grpc.example.org', 9090]);
  const h = ssl as HttpCheck;
  assert.deepEqual([h.enableSni, h.sniName], [true, 'www.example.org']);
  assert.deepEqual(h.urls[0], { path: '/health', statusCodes: [[200, 299], [301, 301]], regex: '^ok( |$)', regexNoMatch: true });
  assert.deepEqual(h.urls[1], { path: '/ready', statusCodes: [[200, 299]], regex: 'ready', regexNoMatch: false });
  assert.deepEqual([(dns as DnsCheck).queryType, (dns as DnsCheck).name], ['DNSKEY', 'example.org']);
  assert.deepEqual(r.model!.trackFiles, [{ name: 'maint', path: '/run/vk/maint', weight: -10, reverse: true }]);
  assert.deepEqual(r.model!.vrrpInstances[0]!.trackFiles, [{ name: 'maint', weight: 2, reverse: false }]);
});

test('checkers: defaults of the new checkers (GRPC service "" without TLS, no HELO name, SMTP retry 1)', () => {
  const r = load('virtual_server 10.0.0.1 25 {\n  protocol TCP\n  real_server 10.0.1.1 25 {\n    SMTP_CHECK {\n    }\n    GRPC_CHECK {\n    }\n  }\n}\n');
  assert.deepEqual(errors(r), []);
  const [smtp, grpc] = r.model!.virtualServers[0]!.realServers[0]!.checkers;
  assert.deepEqual(smtp, { type: 'SMTP_CHECK', connectTimeoutMs: 5000, retry: 1, delayBeforeRetryMs: 1000, delayLoopMs: 60_000, warmupMs: 60_000, alpha: false });
  assert.deepEqual([(grpc as GrpcCheck).service, (grpc as GrpcCheck).tls, (grpc as GrpcCheck).authority], ['', false, undefined]);
});

test('checkers: GRPC_CHECK is accepted in keepalived.conf without a warning (vipkeeper-only, documented)', () => {
  const r = load('virtual_server 10.0.0.1 50051 {\n  protocol TCP\n  real_server 10.0.1.1 50051 {\n    GRPC_CHECK {\n      service x\n    }\n  }\n}\n', 'g.conf', { strict: true });
  assert.deepEqual(r.diagnostics, []);
});

test('checkers: one SMTP_CHECK host block is that checker\'s target, with a deprecation warning', () => {
  const text = 'virtual_server 10.0.0.1 25 {\n  protocol TCP\n  real_server 10.0.1.1 25 {\n    SMTP_CHECK {\n      connect_port 25\n      host { # <-\n        connect_ip 10.0.1.11\n        connect_port 2525\n        bindto 10.0.0.2\n      }\n    }\n  }\n}\n';
  const r = load(text);
  assert.deepEqual(errors(r), []);
  const c = r.model!.virtualServers[0]!.realServers[0]!.checkers[0]!;
  assert.deepEqual([c.connectIp, c.connectPort, c.bindTo], ['10.0.1.11', 2525, '10.0.0.2'], 'the host block wins over the checker');
  assert.deepEqual(warnings(r).map((d) => [d.line, d.col]), [[markedLine(text), 7]]);
  assert.match(warnings(r)[0]!.message, /SMTP_CHECK host \{ \} is deprecated/);
});

test('checkers: sh-port on lb_algo mh is mh-port, with a warning naming the right spelling (and back)', () => {
  const text = (algo: string, flag: string) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_algo ${algo}\n  ${flag} # <-\n  real_server 10.0.1.1 80 {\n  }\n}\n`;
  for (const [algo, flag, want] of [['mh', 'sh-port', 'mh-port'], ['mh', 'sh-fallback', 'mh-fallback'], ['sh', 'mh-port', 'sh-port'], ['sh', 'mh-fallback', 'sh-fallback']] as const) {
    const r = load(text(algo, flag));
    assert.deepEqual(errors(r), []);
    assert.deepEqual(r.model!.virtualServers[0]!.schedFlags, [want]);
    assert.deepEqual(warnings(r).map((d) => [d.line, d.col, d.message]), [[4, 3, `${flag} on lb_algo ${algo}: the same kernel flag as ${want}; write ${want}`]]);
  }
  const both = load(text('mh', 'sh-port\n  mh-port'));
  assert.deepEqual(both.model!.virtualServers[0]!.schedFlags, ['mh-port'], 'both spellings are one flag');
  const rr = load(text('rr', 'sh-port'));
  assert.match(errors(rr)[0]!.message, /scheduler flag sh-port needs lb_algo sh, not rr/);
});

test('checkers: track_file (keepalived 2.2 name) and vrrp_track_file define the same thing', () => {
  const a = load('track_file t {\n  file /run/t\n  weight 4 reverse\n}\n');
  const b = load('vrrp_track_file t {\n  file /run/t\n  weight 4 reverse\n}\n');
  assert.deepEqual(errors(a), []);
  assert.deepEqual(a.model!.trackFiles, b.model!.trackFiles);
  assert.deepEqual(a.model!.trackFiles, [{ name: 't', path: '/run/t', weight: 4, reverse: true }]);
});

const rsWith = (checker: string) => `virtual_server 10.0.0.1 443 {\n  protocol TCP\n  real_server 10.0.1.1 443 {\n${checker}  }\n}\n`;
const withFile = (body: string) => `track_file tf {\n  file /run/tf\n}\n${rsWith(body)}`;

/** `at` is the text whose first character the error points at, on the `# <-` line. */
interface Case { name: string; text: string; at: string; message: RegExp; strict?: boolean }

const cases: Case[] = [
  { name: 'two SMTP_CHECK host blocks', text: rsWith('    SMTP_CHECK {\n      host {\n        connect_ip 10.0.1.2\n      }\n      host { # <-\n        connect_ip 10.0.1.3\n      }\n    }\n'), at: 'host', message: /vipkeeper checks one target per SMTP_CHECK; write one SMTP_CHECK per host/ },
  { name: 'helo_name with a space', text: rsWith('    SMTP_CHECK {\n      helo_name "a b" # <-\n    }\n'), at: 'helo_name', message: /helo_name must be one word of printable ASCII, got 'a b'/ },
  { name: 'FILE_CHECK naming an unknown track_file', text: withFile('    FILE_CHECK {\n      track_file nope # <-\n    }\n'), at: 'track_file', message: /FILE_CHECK: track_file 'nope' is not defined/ },
  { name: 'FILE_CHECK without track_file', text: withFile('    FILE_CHECK { # <-\n      weight 2\n    }\n'), at: 'FILE_CHECK', message: /FILE_CHECK: 'track_file' is required/ },
  { name: 'FILE_CHECK weight out of range', text: withFile('    FILE_CHECK {\n      track_file tf\n      weight 65536 # <-\n    }\n'), at: 'weight', message: /FILE_CHECK weight must be -65535-65535, got 65536/ },
  { name: 'FILE_CHECK weight option', text: withFile('    FILE_CHECK {\n      track_file tf\n      weight 2 sideways # <-\n    }\n'), at: 'sideways', message: /expected 'reverse' or 'noreverse', got 'sideways'/ },
  { name: 'FILE_CHECK takes no timers (keepalived neither)', text: withFile('    FILE_CHECK {\n      track_file tf\n      delay_loop 3 # <-\n    }\n'), at: 'delay_loop', message: /unknown keyword 'delay_loop' in FILE_CHECK/, strict: true },
  { name: 'regex that JavaScript cannot compile', text: rsWith('    HTTP_GET {\n      url {\n        path /\n        regex "(ok" # <-\n      }\n    }\n'), at: '"(ok"', message: /HTTP_GET regex '\(ok' is not a valid JavaScript regular expression/ },
  { name: 'regex in two words', text: rsWith('    HTTP_GET {\n      url {\n        path /\n        regex ok now # <-\n      }\n    }\n'), at: 'now', message: /regex takes one pattern; quote it when it has spaces: regex "ok now"/ },
  { name: 'regex_no_match without regex', text: rsWith('    HTTP_GET {\n      url {\n        path /\n        regex_no_match # <-\n      }\n    }\n'), at: 'regex_no_match', message: /regex_no_match needs a regex/ },
  { name: 'status_code range backwards', text: rsWith('    HTTP_GET {\n      url {\n        path /\n        status_code 200 299-200 # <-\n      }\n    }\n'), at: 'status_code', message: /status_code '299-200': must be a code or range within 100-599/ },
  { name: 'sni_name on HTTP_GET', text: rsWith('    HTTP_GET {\n      sni_name a.example # <-\n      url {\n        path /\n      }\n    }\n'), at: 'sni_name', message: /sni_name is for SSL_GET/ },
  { name: 'sni_name without enable_sni', text: rsWith('    SSL_GET {\n      sni_name a.example # <-\n      url {\n        path /\n      }\n    }\n'), at: 'sni_name', message: /sni_name is sent only with enable_sni/ },
  { name: 'sni_name an address', text: rsWith('    SSL_GET {\n      enable_sni\n      sni_name 10.0.0.1 # <-\n      url {\n        path /\n      }\n    }\n'), at: 'sni_name', message: /sni_name must be a host name \(not an address\), got '10.0.0.1'/ },
  { name: 'GRPC authority with a space', text: rsWith('    GRPC_CHECK {\n      authority "a b" # <-\n    }\n'), at: 'authority', message: /GRPC_CHECK authority must be a host\[:port\] without spaces/ },
  { name: 'DNS type keepalived 2.2.7 does not know', text: rsWith('    DNS_CHECK {\n      type PTR # <-\n    }\n'), at: 'PTR', message: /'type' must be one of A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG, DNSKEY; got 'PTR'/ },
  { name: 'sorry_server_lvs_method in lower case', text: 'virtual_server 10.0.0.1 80 {\n  protocol TCP\n  sorry_server 10.0.0.9 80\n  sorry_server_lvs_method dr # <-\n}\n', at: 'dr', message: /'sorry_server_lvs_method' must be one of NAT, DR, TUN \(case matters\)/ },
  { name: 'sorry_server_lvs_method without sorry_server', text: 'virtual_server 10.0.0.1 80 {\n  protocol TCP\n  sorry_server_lvs_method DR # <-\n  real_server 10.0.1.1 80 {\n  }\n}\n', at: 'sorry_server_lvs_method', message: /sorry_server_lvs_method without a sorry_server/ },
  { name: 'NAT sorry server of the other family', text: 'virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_kind DR\n  sorry_server 2001:db8::9 80 # <-\n  sorry_server_lvs_method NAT\n}\n', at: '2001:db8::9', message: /a NAT sorry_server must be IPv4 like the virtual server/ },
];

for (const c of cases) {
  test(`checkers: ${c.name}`, () => {
    const r = load(c.text, 'test.conf', { strict: c.strict ?? false });
    assert.equal(r.model, undefined, JSON.stringify(r.diagnostics));
    const line = markedLine(c.text);
    const hit = errors(r).find((d) => c.message.test(d.message));
    assert.ok(hit, JSON.stringify(r.diagnostics));
    assert.deepEqual([hit.line, hit.col], [line, c.text.split('\n')[line - 1]!.indexOf(c.at) + 1], hit.message);
  });
}
