// The lexer reads plain lines where they lie in the file (no copy of each line, comment and `$`
// positions found once per file). Against the general path (fastPath: false: every line copied,
// cut at its comment and checked on its own), every token, position and diagnostic must be the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexKeepalived } from '../../../src/config/keepalived/lexer.js';
import { readKeepalived } from '../../../src/config/keepalived/translate.js';
import { generateKeepalivedConf } from '../../../bench/config-fixture.js';

const show = (text: string, fastPath: boolean) => {
  const r = lexKeepalived('k.conf', text, { configId: 'dir-a', fastPath });
  return {
    lines: r.lines.map((l) => l.tokens.map((t) => `${t.file}:${t.line}:${t.col}${t.quoted ? 'q' : ''}=${JSON.stringify(t.text)}`).join(' ')),
    diagnostics: r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`),
  };
};

function same(text: string): void {
  assert.deepEqual(show(text, true), show(text, false), JSON.stringify(text));
}

test('lexer fast path: hand-picked lines read as the general path reads them', () => {
  const cases = [
    'a b c\n', 'a b c', '', '\n\n', '  \t  \n', 'a\r\nb\r\n', 'a\r\r\nb\r', 'x\ry z\n',
    'vrrp_instance VI_1 {\n  state MASTER\n}\n', 'a{b}c { d }\n{\n}\n}}}\n',
    'a # comment\nb! bang\n# all\n! all\n#\n', 'a "b c" d#e\n"q#!"\nx "unterminated\n', 'k "a$b" c\n',
    '$X=1\nk $X ${X} $NOPE\n', 'k a$\n', 'k a # $X not a parameter here\n', 'k a ! $X\n',
    '@dir-a k 1\n@dir-b k 2\n@^dir-b k 3\n  @dir-a k 4\n', 'k @x\n',
    '~SEQ(i, 1, 3) k $i\n', 'k ~x\n', 'include\ninclude /nonexistent/vk-none-*.conf\nincluded_word 1\n  include_x y\n',
    'notify "sh -c \\"echo x\\"" a\n', "notify_master '/bin/x #y'\nscript '/bin/check a' # c\n", "notify_master '/bin/x\n",
    'misc_path /bin/a\\ b c\n', 'k\fv\vw\n', '\fk v\n', '\u00a0k v\n', 'k \u00e9t\u00e9 \u2028 x\n', '\ufeffglobal_defs {\n}\n',
    '\tk\tv\t\n', '  k  v  \n', 'a\\\n', '$M=a \\\n  b \\\n  c\nk $M\n', 'k v #\nk2 v2 #x "y\n',
  ];
  for (const c of cases) same(c);
});

test('lexer fast path: random texts over the characters that matter read as the general path reads them', () => {
  const pieces = ['a', 'bc', 'include', 'notify', 'script', ' ', '  ', '\t', '\n', '\r\n', '\r', '#', '!', '"', "'", '\\', '$', '$A', '${A}', '@dir-a ', '@x ', '~SEQ(i,1,2) ', '{', '}', '\f', '\u00e9', '\u00a0', '1', '=', '$A=v\n'];
  let seed = 12345;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let k = 0; k < 3000; k++) {
    let text = '';
    const n = 1 + rand(25);
    for (let i = 0; i < n; i++) text += pieces[rand(pieces.length)];
    same(text);
  }
});

test('lexer fast path: the benchmark file reads the same either way, and through the whole reader', () => {
  const conf = generateKeepalivedConf(20, 3);
  same(conf);
  same(conf.replace(/\n/g, '\r\n'));
  const r = readKeepalived('k.conf', conf, { strict: false, configId: 'dir-a' });
  assert.equal(r.diagnostics.length, 0);
  assert.equal((r.input?.virtualServers ?? []).length, 20);
});
