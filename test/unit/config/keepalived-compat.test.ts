// Places where vipkeeper must read a keepalived.conf the way keepalived 2.2.7 does (checked against
// `keepalived -t`), or refuse it where keepalived would quietly do something else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { braceAlternatives } from '../../../src/config/keepalived/glob.js';
import { lexKeepalived } from '../../../src/config/keepalived/lexer.js';
import { errors, instance, load, markedLine, warnings } from './helpers.js';

const words = (text: string) => lexKeepalived('x.conf', text).lines.map((l) => l.tokens.map((t) => t.text).join(' '));

test('params: a bare $NAME expands only before a space, comma, ) or the line end; ${NAME} anywhere', () => {
  const text = '$VIP=10.0.0.1\na $VIP\nb $VIP,x\nc ${VIP}/24\nd $VIP/24\n';
  const { lines, diagnostics } = lexKeepalived('x.conf', text);
  assert.deepEqual(lines.map((l) => l.tokens.map((t) => t.text).join(' ')), ['a 10.0.0.1', 'b 10.0.0.1,x', 'c 10.0.0.1/24', 'd $VIP/24']);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.line, 5);
  assert.match(diagnostics[0]!.message, /\$VIP is followed by '\/' so it is not expanded.*write \$\{VIP\}/);
});

test('params: a definition ending in \\ continues on the next lines and expands to several lines', () => {
  const text = '$RS=real_server 10.0.1.1 80 { \\\n   weight 3 \\\n}\nvirtual_server 10.0.0.1 80 {\n  protocol TCP\n  $RS\n}\n';
  assert.deepEqual(words(text), ['virtual_server 10.0.0.1 80 {', 'protocol TCP', 'real_server 10.0.1.1 80 {', 'weight 3', '}', '}']);
  const r = load(text);
  assert.deepEqual(errors(r), []);
  assert.equal(r.model!.virtualServers[0]!.realServers[0]!.weight, 3);
});

test('params: definitions may use other parameters; comments are not part of a value', () => {
  assert.deepEqual(words('$A=${B}0 # tens\n$B=8\nport $A next\n'), ['port 80 next']);
});

test('params: a parameter that refers to itself is one error, not a hang or a crash', () => {
  for (const def of ['$A=x $A', '$A=$A $A $A $A']) {
    const { diagnostics } = lexKeepalived('x.conf', `${def}\ninterface $A\n`);
    const errs = diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errs.length, 1, def);
    assert.equal(errs[0]!.line, 2);
    assert.match(errs[0]!.message, /refer to itself/);
  }
});

test('scripts: vrrp_script script and misc_path take one command; extra words are refused, not taken as a user', () => {
  const script = 'vrrp_script chk {\n  script /bin/check hello world # <-\n}\n';
  const r = load(script);
  assert.deepEqual(errors(r).map((d) => d.line), [markedLine(script)]);
  assert.match(errors(r)[0]!.message, /'script' takes one command; quote it.*script "\/bin\/check hello world"/);
  const misc = 'virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.1.1 80 {\n    MISC_CHECK {\n      misc_path /bin/check arg # <-\n    }\n  }\n}\n';
  const m = load(misc);
  assert.deepEqual(errors(m).map((d) => d.line), [markedLine(misc)]);
  assert.match(errors(m)[0]!.message, /'misc_path' takes one command/);
});

test('scripts: a quoted command keeps its arguments; `user` sets the user before or after it', () => {
  const r = load('vrrp_script chk {\n  user nobody nogroup\n  script "/bin/check a \'b c\'"\n}\n' + instance('  track_script {\n    chk\n  }\n'));
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.model!.vrrpScripts[0]!.script, { argv: ['/bin/check', 'a', 'b c'], user: 'nobody', group: 'nogroup' });
  const m = load('virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.1.1 80 {\n    MISC_CHECK {\n      misc_path "/bin/check x"\n      user www\n    }\n  }\n}\n');
  const ck = m.model!.virtualServers[0]!.realServers[0]!.checkers[0]!;
  assert.equal(ck.type, 'MISC_CHECK');
  assert.deepEqual(ck.type === 'MISC_CHECK' && ck.script, { argv: ['/bin/check', 'x'], user: 'www' });
  assert.deepEqual(warnings(m), []);
});

test('lvs: group ranges keepalived accepts are accepted; port 0 is fine with persistence', () => {
  const r = load(`virtual_server_group G {
  10.0.0.1-10 80
  10.0.0.1-10.0.0.9 80
  10.0.0.8/29 80
  2001:db8::1-ff 443
}
virtual_server group G {
  protocol TCP
  real_server 10.0.1.1 80 {
  }
}
virtual_server 10.0.0.100 0 {
  protocol TCP
  persistence_timeout 60
  lb_kind DR
  real_server 10.0.1.2 {
  }
}
`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.model!.virtualServerGroups[0]!.entries.map((e) => e.family), [4, 4, 4, 6]);
});

test('lvs: an address service without protocol is UDP with a warning, as keepalived 2.2.7 does; fwmark needs none', () => {
  const text = 'virtual_server 10.0.0.1 53 { # <-\n  real_server 10.0.1.1 53 {\n  }\n}\nvirtual_server fwmark 4 {\n  real_server 10.0.1.1 0 {\n  }\n}\n';
  const r = load(text);
  assert.deepEqual(errors(r), []);
  assert.equal(r.model!.virtualServers[0]!.protocol, 'UDP');
  assert.deepEqual(warnings(r).map((d) => [d.line, d.message]), [
    [markedLine(text), "virtual_server 10.0.0.1:53/UDP: no protocol set; defaulting to UDP as keepalived does (write 'protocol TCP' for a TCP service)"],
  ]);
});

test('sync groups: a weighted track in a member instance warns that keepalived ignores the weight there', () => {
  const text = 'vrrp_script chk {\n  script /bin/true\n  weight -20\n}\n'
    + instance('  track_script {\n    chk # <-\n  }\n  track_interface {\n    eth1\n  }\n')
    + 'vrrp_sync_group G {\n  group {\n    VI_1\n  }\n}\n';
  const r = load(text);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r).map((d) => [d.line, d.message]), [
    [markedLine(text), "vrrp_instance VI_1 is in vrrp_sync_group G: keepalived ignores the weight of tracked 'chk' there (a failure faults the group) unless sync_group_tracking_weight is set"],
  ]);
  assert.deepEqual(warnings(load(text.replace(/vrrp_sync_group[^]*$/, ''))), []);
});

test('scripts: command lines take single quotes and backslash escapes as keepalived re-reads them', () => {
  const text = `vrrp_script chk { script '/bin/check a b' }
vrrp_script script {
  script "/bin/sh -c \\"test -f /x\\"" # why
}
${instance(`  notify_master "/bin/echo it\\\\'s" nobody
  notify '/bin/n x' root wheel
  track_script {
    chk
    script
  }
`)}`;
  const r = load(text);
  assert.deepEqual(errors(r), []);
  const m = r.model!;
  assert.deepEqual(m.vrrpScripts.map((s) => [s.name, s.script.argv]), [['chk', ['/bin/check', 'a', 'b']], ['script', ['/bin/sh', '-c', 'test -f /x']]]);
  assert.deepEqual(m.vrrpInstances[0]!.notify.master, { argv: ['/bin/echo', "it's"], user: 'nobody' });
  assert.deepEqual(m.vrrpInstances[0]!.notify.any, { argv: ['/bin/n', 'x'], user: 'root', group: 'wheel' });
});

test('scripts: an unterminated quote on a command line is one error at its column', () => {
  const { diagnostics } = lexKeepalived('x.conf', "notify_master '/bin/x\n");
  assert.deepEqual(diagnostics.map((d) => [d.line, d.col, d.message]), [[1, 15, 'unterminated quoted string']]);
});

test('case: protocol is matched in any case, as keepalived does', () => {
  const r = load('virtual_server 10.0.0.1 80 {\n  protocol tcp\n  real_server 10.0.1.1 80 {\n  }\n}\n');
  assert.deepEqual(errors(r), []);
  assert.equal(r.model!.virtualServers[0]!.protocol, 'TCP');
});

test('lvs: a quorum above the total real server weight warns (keepalived would lower it)', () => {
  const text = 'virtual_server 10.0.0.1 80 {\n  protocol TCP\n  quorum 5 # <-\n  real_server 10.0.1.1 80 {\n    weight 2\n  }\n  real_server 10.0.1.2 80 {\n    weight 2\n  }\n}\n';
  const r = load(text);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r).map((d) => [d.line, d.message]), [[markedLine(text), 'virtual_server 10.0.0.1:80/TCP: quorum 5 exceeds the total weight 4 of its real servers, so it can never be met']]);
  assert.deepEqual(warnings(load(text.replace('quorum 5', 'quorum 4'))), []);
});

test('vrrp: an auth_pass over 8 bytes is a warning (keepalived truncates it too) that does not echo the secret', () => {
  const text = instance('  authentication {\n    auth_type PASS\n    auth_pass s3cr3tpassword # <-\n  }\n');
  const r = load(text);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r).map((d) => [d.line, d.message]), [[markedLine(text), 'vrrp_instance VI_1: auth_pass is 14 bytes; only the first 8 are sent, as in keepalived']]);
  assert.equal(r.model!.vrrpInstances[0]!.authPass, 's3cr3tpassword');
});

test('derived values: a bad interval or delay_loop is one error at its own line, not one per value derived from it', () => {
  const script = 'vrrp_script chk {\n  script /bin/true\n  interval 0 # <-\n}\n';
  assert.deepEqual(errors(load(script)).map((d) => d.line), [markedLine(script)]);
  const misc = 'virtual_server 10.0.0.1 80 {\n  protocol TCP\n  delay_loop 100000 # <-\n  real_server 10.0.1.1 80 {\n    MISC_CHECK {\n      misc_path /bin/true\n    }\n  }\n}\n';
  const e = errors(load(misc));
  assert.deepEqual(e.map((d) => d.line), [markedLine(misc)]);
  assert.match(e[0]!.message, /delay_loop must be 0.001-86400 s, got 100000 s/);
});

test('include: {a,b} brace globs as keepalived (GLOB_BRACE), in the order written', async () => {
  assert.deepEqual(braceAlternatives('/x/{a,b{1,2}}/{c,d}.conf'), ['/x/a/c.conf', '/x/a/d.conf', '/x/b1/c.conf', '/x/b1/d.conf', '/x/b2/c.conf', '/x/b2/d.conf']);
  assert.deepEqual(braceAlternatives('/x/{a}.conf'), ['/x/{a}.conf']);
  const dir = mkdtempSync(join(tmpdir(), 'vk-brace-'));
  try {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'b.conf'), 'vrrp_script sb {\n  script /bin/true\n}\n');
    writeFileSync(join(dir, 'd', 'a.conf'), 'vrrp_script sa {\n  script /bin/true\n}\n');
    writeFileSync(join(dir, 'main.conf'), 'include d/{b,a}.conf # both\ninclude\n');
    const r = await loadConfig(join(dir, 'main.conf'));
    assert.deepEqual(errors(r).map((d) => [d.line, d.col, d.message]), [[2, 1, 'include needs a file name or glob']]);
    writeFileSync(join(dir, 'main.conf'), 'include d/{b,a}.conf # both\n');
    const ok = await loadConfig(join(dir, 'main.conf'));
    assert.deepEqual(errors(ok), []);
    assert.deepEqual(ok.model!.vrrpScripts.map((x) => x.name), ['sb', 'sa']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every error keeps its line: a bad entry in a list does not shift the errors of the entries after it', () => {
  const text = `virtual_server 10.0.0.1 80 {
  protocol TCP
  real_server 10.0.1.300 80 {
  }
  real_server 10.0.1.2 70000 {
  }
}
vrrp_instance V {
  interface eth0
  virtual_router_id 9
  unicast_peer {
    10.0.0.300
    10.0.0.7 min_ttl 300
  }
  virtual_ipaddress {
    10.0.0.1/33
    10.0.0.2/24 scope galaxy
  }
}
`;
  assert.deepEqual(errors(load(text)).map((d) => d.line), [3, 5, 12, 13, 16, 17]);
});

test('family: an instance takes its family from its first VIP as written, so one bad VIP is one error', () => {
  const text = instance('  unicast_src_ip 10.0.0.1\n  unicast_peer {\n    10.0.0.2\n  }\n').replace('10.0.0.52/24', '$VIP/24 # <-\n    2001:db8::5/64');
  const r = load(text);
  assert.deepEqual(errors(r).map((d) => d.line), [markedLine(text), markedLine(text) + 1]);
  assert.match(errors(r)[1]!.message, /all virtual_ipaddress entries must be one family \(IPv4\)/);
});

test('keywords: native_ipv6 (accepted by keepalived 2.2.7) is known-but-unimplemented: a warning, an error under --strict', () => {
  const text = instance('  native_ipv6 # <-\n');
  const message = 'native_ipv6: not implemented by vipkeeper; adverts follow the RFC: this variation is not applied';
  const r = load(text, 'test.conf');
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r).map((d) => [d.line, d.message]), [[markedLine(text), message]]);
  const strict = load(text, 'test.conf', { strict: true });
  assert.deepEqual(errors(strict).map((d) => [d.line, d.message]), [[markedLine(text), message]]);
});

test('fwmark: protocol is ignored there (a warning, as keepalived); ops is allowed without UDP', () => {
  const text = 'virtual_server fwmark 3 {\n  protocol TCP # <-\n  ops\n  real_server 10.0.1.1 0 {\n  }\n}\n';
  const r = load(text);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r).map((d) => [d.line, d.message]), [[markedLine(text), 'virtual_server fwmark 3/inet: protocol is ignored for a fwmark service (the mark selects the packets)']]);
});

test('groups: only a group with addresses needs a protocol (keepalived checks the same)', () => {
  const group = (entry: string) => `virtual_server_group G {\n  ${entry}\n}\nvirtual_server group G {\n  real_server 10.0.1.1 80 {\n  }\n}\n`;
  assert.deepEqual(warnings(load(group('fwmark 7'))), []);
  assert.match(warnings(load(group('10.0.0.1 80')))[0]?.message ?? '', /virtual_server group G\/UDP: no protocol set; defaulting to UDP/);
});
