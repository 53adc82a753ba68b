// Places where vipkeeper must read a keepalived.conf the way keepalived 2.2.7 does (checked against
// `keepalived -t`), or refuse it where keepalived would quietly do something else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
