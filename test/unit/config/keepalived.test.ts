// The keepalived.conf reader: tokenizer, parser, include/parameter handling and translation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import { lexKeepalived } from '../../../src/config/keepalived/lexer.js';
import { parseLines } from '../../../src/config/keepalived/parser.js';
import { errors, instance, load, markedLine, warnings } from './helpers.js';
import { FULL_VRRP } from './fixtures.js';

const GOLDEN = fileURLToPath(new URL('../../fixtures/golden/vrrp/', import.meta.url));

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vk-conf-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('golden: every keepalived config under test/fixtures/golden/vrrp loads without errors', async () => {
  const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.keepalived.conf'));
  assert.equal(files.length, 6);
  for (const f of files) {
    const r = await loadConfig(join(GOLDEN, f));
    assert.deepEqual(errors(r), [], f);
    assert.equal(r.model?.vrrpInstances.length, 1, f);
    const vi = r.model!.vrrpInstances[0]!;
    assert.equal(vi.vrid, 51);
    assert.equal(vi.priority, 200);
    assert.equal(vi.state, 'MASTER');
  }
});

test('golden: version, interval, checksum mode, auth, unicast and IPv6 are read as captured', async () => {
  const get = async (n: string) => (await loadConfig(join(GOLDEN, `${n}.keepalived.conf`))).model!.vrrpInstances[0]!;
  const v2 = await get('v2_pass');
  assert.equal(v2.version, 2); assert.equal(v2.advertIntervalMs, 1000); assert.equal(v2.authPass, 's3cr3t');
  const v3 = await get('v3_ipv4');
  assert.equal(v3.version, 3); assert.equal(v3.advertIntervalMs, 500); assert.equal(v3.v3ChecksumAsV2, false);
  assert.deepEqual(v3.virtualIps.map((v) => `${v.address}/${v.prefixLen}`), ['10.9.0.100/24', '10.9.0.101/24']);
  assert.equal((await get('v3_ipv4_plainsum')).v3ChecksumAsV2, true);
  const v6 = await get('v3_ipv6');
  assert.equal(v6.family, 6); assert.deepEqual(v6.virtualIps.map((v) => v.address), ['fe80::100', '2001:db8::100']);
  const uni = await get('v3_unicast');
  assert.equal(uni.unicastSrcIp, '10.9.0.1'); assert.deepEqual(uni.unicastPeers, [{ address: '10.9.0.2', family: 4 }]);
});

test('lexer: # and ! comments, quoted strings and braces as tokens', () => {
  const { lines, diagnostics } = lexKeepalived('x.conf', 'a "b c" d#e\n! all comment\nf{g}  # tail\n"q#!"\n');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(lines.map((l) => l.tokens.map((t) => t.text)), [['a', 'b c', 'd'], ['f', '{', 'g', '}'], ['q#!']]);
  assert.deepEqual(lines[1]!.tokens.map((t) => [t.line, t.col]), [[3, 1], [3, 2], [3, 3], [3, 4]]);
});

test('lexer: an unterminated quote is an error at its column', () => {
  const { diagnostics } = lexKeepalived('x.conf', 'ok\nnotify "abc\n');
  assert.deepEqual(diagnostics.map((d) => [d.line, d.col, d.message]), [[2, 8, 'unterminated quoted string']]);
});

test('lexer: $NAME=value parameters expand as $NAME and ${NAME}; undefined ones warn', () => {
  const { lines, diagnostics } = lexKeepalived('x.conf', '$IF=eth3\n$PRIO=120\ninterface $IF\npriority ${PRIO}\nx $NOPE\n');
  assert.deepEqual(lines.map((l) => l.tokens.map((t) => t.text)), [['interface', 'eth3'], ['priority', '120'], ['x', '$NOPE']]);
  assert.equal(diagnostics.length, 1);
  assert.match(diagnostics[0]!.message, /parameter \$NOPE is not defined/);
  assert.equal(diagnostics[0]!.line, 5);
});

test('lexer: @id lines apply only on the matching config-id, @^id on all others', () => {
  const text = '@lb1 priority 150\n@lb2 priority 100\n@^lb1 state BACKUP\nx 1\n';
  const on = (id: string) => lexKeepalived('x.conf', text, { configId: id }).lines.map((l) => l.tokens.map((t) => t.text).join(' '));
  assert.deepEqual(on('lb1'), ['priority 150', 'x 1']);
  assert.deepEqual(on('lb2'), ['priority 100', 'state BACKUP', 'x 1']);
});

test('reader: @id selects per-host priority through loadConfig', () => {
  const text = instance('@lb1 priority 150\n@lb2 priority 90\n');
  assert.equal(load(text, 't.conf', { configId: 'lb1' }).model?.vrrpInstances[0]?.priority, 150);
  assert.equal(load(text, 't.conf', { configId: 'lb2' }).model?.vrrpInstances[0]?.priority, 90);
});

test('parser: a { alone on the next line opens the previous statement; inline blocks work', () => {
  const { lines } = lexKeepalived('x.conf', 'vrrp_instance A\n{\n  unicast_peer { 10.0.0.1 }\n}\n');
  const { nodes, diagnostics } = parseLines(lines);
  assert.deepEqual(diagnostics, []);
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]!.children?.[0]?.key.text, 'unicast_peer');
  assert.deepEqual(nodes[0]!.children?.[0]?.children?.map((n) => n.key.text), ['10.0.0.1']);
});

test('parser: an unclosed block is reported where it was opened', () => {
  const text = 'global_defs {\n  router_id a\n}\nvrrp_instance A { # <-\n  interface eth0\n';
  const r = load(text);
  assert.equal(errors(r).length, 1);
  assert.match(errors(r)[0]!.message, /unbalanced '\{': block 'vrrp_instance' opened here is never closed/);
  assert.equal(errors(r)[0]!.line, markedLine(text));
});

test('parser: a stray } is reported at its line', () => {
  const text = 'global_defs {\n  router_id a\n}\n} # <-\n';
  const r = load(text);
  assert.equal(errors(r).length, 1);
  assert.match(errors(r)[0]!.message, /unbalanced '\}'/);
  assert.equal(errors(r)[0]!.line, 4);
});

test('include: globs relative to the including file, nested includes, sorted order', async () => {
  const dir = tmp({
    'main.conf': 'include conf.d/*.conf\n',
    'conf.d/10-global.conf': 'global_defs {\n  router_id inc\n}\ninclude ../more/x.conf\n',
    'conf.d/20-vi.conf': instance('', 'VI_A', 10),
    'conf.d/skip.txt': 'garbage {',
    'more/x.conf': instance('', 'VI_B', 11),
  });
  try {
    const r = await loadConfig(join(dir, 'main.conf'));
    assert.deepEqual(errors(r), []);
    assert.equal(r.model?.global.routerId, 'inc');
    assert.deepEqual(r.model?.vrrpInstances.map((v) => v.name), ['VI_B', 'VI_A']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('include: diagnostics name the included file and its line', async () => {
  const dir = tmp({ 'main.conf': 'include sub.conf\n', 'sub.conf': '\n\n' + instance('  priority 999\n') });
  try {
    const r = await loadConfig(join(dir, 'main.conf'));
    const e = errors(r).find((d) => /priority/.test(d.message));
    assert.ok(e);
    assert.equal(e.file, join(dir, 'sub.conf'));
    assert.equal(e.line, 2 + 8); // two blank lines, then line 8 of the instance
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('include: a loop is one error at the include line', async () => {
  const dir = tmp({ 'a.conf': 'include b.conf\n', 'b.conf': '\ninclude a.conf\n' });
  try {
    const r = await loadConfig(join(dir, 'a.conf'));
    assert.equal(errors(r).length, 1);
    assert.match(errors(r)[0]!.message, /include loop: .*a\.conf -> .*b\.conf -> .*a\.conf/);
    assert.equal(errors(r)[0]!.file, join(dir, 'b.conf'));
    assert.equal(errors(r)[0]!.line, 2);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('include: a missing file is an error; a glob matching nothing is a warning', async () => {
  const dir = tmp({ 'a.conf': 'include nothere.conf\n', 'b.conf': 'include none/*.conf\n' + instance() });
  try {
    const a = await loadConfig(join(dir, 'a.conf'));
    assert.equal(errors(a).length, 1);
    assert.match(errors(a)[0]!.message, /include nothere\.conf: .*no such file/);
    const b = await loadConfig(join(dir, 'b.conf'));
    assert.deepEqual(errors(b), []);
    assert.match(warnings(b)[0]!.message, /no file matches/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('keywords: known-but-unimplemented is a warning naming keyword, consequence and line; an error under --strict', () => {
  const text = 'global_defs {\n  notification_email_from a@b # <-\n}\n' + instance();
  for (const strict of [false, true]) {
    const r = load(text, 't.conf', { strict });
    assert.equal(r.model !== undefined, !strict);
    const w = strict ? errors(r) : warnings(r);
    assert.equal(w.length, 1);
    assert.equal(w[0]!.message, 'notification_email_from: not implemented by vipkeeper; no mail is sent; use a notify script');
    assert.equal(w[0]!.line, 2);
  }
});

test('keywords: unknown is a warning, and an error under strict', () => {
  const text = instance('  frobnicate yes # <-\n');
  const lax = load(text);
  assert.ok(lax.model);
  assert.match(warnings(lax)[0]!.message, /unknown keyword 'frobnicate' in vrrp_instance VI_1/);
  assert.equal(warnings(lax)[0]!.line, markedLine(text));
  const strict = load(text, 't.conf', { strict: true });
  assert.equal(strict.model, undefined);
  assert.equal(errors(strict)[0]!.line, markedLine(text));
});

test('translate: every VRRP keyword of the model lands in its field', () => {
  const text = FULL_VRRP;
  const r = load(text);
  assert.deepEqual(errors(r), []);
  const m = r.model!;
  assert.deepEqual(m.global.scriptUser, { user: 'nobody', group: 'nogroup' });
  assert.deepEqual(m.global.notifyFifo, { path: '/run/f.fifo', user: 'root' });
  // vrrp_strict refuses this instance's preempt_delay and unicast peers: strict.test.ts covers it.
  assert.equal(m.global.vrrpStrict, false);
  assert.deepEqual(m.vrrpScripts[0], { name: 'chk', script: { argv: ['/bin/check', 'a b'], user: 'nobody' }, intervalMs: 3000, timeoutMs: 3000, weight: -20, reverse: true, rise: 2, fall: 4, initFail: true });
  assert.deepEqual(m.trackFiles[0], { name: 'tf', path: '/run/tf', weight: 5, reverse: false });
  const v = m.vrrpInstances[0]!;
  assert.equal(v.advertIntervalMs, 250); assert.equal(v.preempt, true); assert.equal(v.preemptDelayMs, 30_000);
  assert.deepEqual(v.unicastPeers, [{ address: '10.0.0.2', family: 4, minTtl: 250, maxTtl: 255 }]);
  assert.deepEqual(v.virtualIps[0], { address: '10.0.0.100', family: 4, prefixLen: 24, dev: 'eth1', label: 'eth1:v', scope: 'link', broadcast: '10.0.0.255', noTrack: false });
  assert.deepEqual(v.virtualIps[1], { address: '10.0.0.101', family: 4, prefixLen: 32, dev: 'eth1', scope: 'global', noTrack: false });
  assert.equal(v.excludedVips[0]!.noTrack, true);
  assert.deepEqual(v.virtualRoutes, [
    { to: '10.77.0.0/16', family: 4, type: 'unicast', table: 100, noTrack: false, src: '10.0.0.100', via: '10.0.0.254', dev: 'eth1', metric: 5, scope: 'universe' },
    { to: '10.78.0.0/16', family: 4, type: 'unreachable', table: 254, noTrack: true },
  ]);
  assert.deepEqual(v.virtualRules, [
    { family: 4, action: 'table', noTrack: true, from: '10.0.0.100/32', to: '10.9.0.0/16', table: 100, priority: 100, iif: 'eth1', oif: 'eth2', tos: 8, fwmark: 3, fwmask: 7 },
    { family: 4, action: 'blackhole', noTrack: false, to: '10.80.0.0/16' },
  ]);
  assert.deepEqual(v.trackInterfaces, [{ name: 'eth2', weight: -10, reverse: false }]);
  assert.deepEqual(v.trackScripts, [{ name: 'chk', weight: 30, reverse: false }]);
  assert.deepEqual(v.trackFiles, [{ name: 'tf', reverse: false }]);
  assert.deepEqual(v.garp, { masterDelayMs: 1000, masterRepeat: 3, lowerPrioDelayMs: 1000, lowerPrioRepeat: 2, masterRefreshMs: 30_000, masterRefreshRepeat: 2, intervalMs: 10, gnaIntervalMs: 20 });
  // vrrp_lower_prio_no_advert from global_defs; higher_prio_send_advert on overrides the global off.
  assert.deepEqual([v.strictMode, v.lowerPrioNoAdvert, v.higherPrioSendAdvert], [undefined, true, undefined]);
  assert.deepEqual(v.notify.master, { argv: ['/bin/m', 'x'], user: 'nobody' });
  assert.deepEqual(Object.keys(v.notify).sort(), ['any', 'backup', 'deleted', 'fault', 'master', 'masterRxLowerPri', 'stop']);
  assert.deepEqual(v.notify.deleted?.argv, ['/bin/d', 'x']);
  assert.deepEqual(v.notify.masterRxLowerPri, { argv: ['/bin/lower'], user: 'nobody' });
  assert.equal(v.accept, false); assert.equal(v.dontTrackPrimary, true); assert.equal(v.downTimerAdverts, 4);
  assert.equal(v.syncGroup, 'G');
  assert.deepEqual(m.syncGroups[0]!.notify.master, { argv: ['/bin/gm'] });
});

test('include: ? and [...] globs, absolute paths, and parameters shared with included files', async () => {
  const dir = tmp({
    'main.conf': '$PRIO=140\n$PEERS=10.0.0.7 min_ttl 200\ninclude vi-[ab].conf\ninclude vi-?.extra\n',
    'vi-a.conf': instance('  priority $PRIO\n', 'VI_A', 21),
    'vi-b.conf': instance('  unicast_peer {\n    $PEERS\n  }\n', 'VI_B', 22),
    'vi-c.conf': instance('', 'VI_C', 23),
    'vi-x.extra': '',
  });
  try {
    writeFileSync(join(dir, 'abs.conf'), `include ${join(dir, 'main.conf')}\n`);
    const r = await loadConfig(join(dir, 'abs.conf'));
    assert.deepEqual(errors(r), []);
    assert.deepEqual(r.model?.vrrpInstances.map((v) => v.name), ['VI_A', 'VI_B']);
    assert.equal(r.model?.vrrpInstances[0]?.priority, 140);
    assert.deepEqual(r.model?.vrrpInstances[1]?.unicastPeers, [{ address: '10.0.0.7', family: 4, minTtl: 200 }]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('include: an include of a directory or binary file is one error', async () => {
  const dir = tmp({ 'a.conf': 'include sub\n', 'b.conf': 'include bin.conf\n', 'sub/x': '' });
  try {
    writeFileSync(join(dir, 'bin.conf'), Buffer.from([1, 0, 2]));
    const a = await loadConfig(join(dir, 'a.conf'));
    assert.equal(errors(a).length, 1);
    assert.match(errors(a)[0]!.message, /is a directory/);
    const b = await loadConfig(join(dir, 'b.conf'));
    assert.equal(errors(b).length, 1);
    assert.match(errors(b)[0]!.message, /binary file/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
