// Hostile files (issue 13): each gets a clean answer (diagnostics with file:line:col, never an
// exception or a stack overflow) within seconds. Fuzzing is in robust.test.ts; this is the list of
// known shapes: deep nesting, huge lines, include floods and loops, binary bytes, YAML bombs,
// duplicate keys, numbers past 2^53, and repetition that would never end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadResult } from '../../../src/config/load.js';
import { MAX_CONFIG_BYTES } from '../../../src/config/source.js';
import { errors, instance, load } from './helpers.js';

/** Runs `fn`, asserting it returns (does not throw) within `seconds`. */
async function bounded(seconds: number, fn: () => LoadResult | Promise<LoadResult>): Promise<LoadResult> {
  const t0 = Date.now();
  const r = await fn();
  const took = (Date.now() - t0) / 1000;
  assert.ok(took < seconds, `took ${took} s`);
  return r;
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vk-hostile-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

const only = (r: LoadResult, re: RegExp) => {
  const e = errors(r);
  assert.ok(e.length >= 1 && e.length <= 60, JSON.stringify(e.slice(0, 3)));
  assert.ok(e.some((d) => re.test(d.message)), JSON.stringify(e.slice(0, 3)));
  return e.find((d) => re.test(d.message))!;
};

test('hostile: 200,000 nested braces, one per line, are refused at the block past the limit', async () => {
  const text = `vrrp_instance a {\n${'x {\n'.repeat(200_000)}${'}\n'.repeat(200_000)}}\n`;
  const d = only(await bounded(10, () => load(text)), /blocks nest more than 32 deep/);
  assert.deepEqual([d.line, d.col], [33, 3]);
});

test('hostile: 200,000 braces on one line are a bounded list of errors, not a stack overflow', async () => {
  const r = await bounded(10, () => load(`global_defs ${'{'.repeat(200_000)}${'}'.repeat(200_000)}\n`));
  assert.equal(r.model, undefined);
  assert.ok(errors(r).length <= 60);
  assert.ok(errors(r).every((d) => d.line === 1));
});

test('hostile: deeply nested YAML (flow lists, flow maps, block lists) is refused at its line:col', async () => {
  for (const [text, line] of [
    [`x-a: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`, 1],
    [`global:\n  x: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`, 2],
    [`x-a:\n  ${'- '.repeat(100_000)}1\n`, 2],
  ] as const) {
    const d = only(await bounded(10, () => load(text, 'deep.yaml')), /YAML nests more than 64 levels deep/);
    assert.equal(d.line, line);
  }
  // Block maps need an indentation step per level: 70 levels are refused too.
  const block = Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
  only(await bounded(10, () => load(`x-a:\n${block.replace(/^/gm, ' ')}`, 'deep.yaml')), /nests more than 64/);
  // A real configuration is far from the limit.
  assert.deepEqual(errors(load('vrrpInstances:\n  - name: A\n    interface: eth0\n    vrid: 1\n    virtualIps: [10.0.0.1/24]\n', 'ok.yaml')), []);
});

test('hostile: a line of nearly 8 MiB is read within seconds; a file past 8 MiB is one error', withDir(async (dir) => {
  const long = join(dir, 'long.conf');
  writeFileSync(long, `${instance()}vrrp_script s {\n  script "/bin/${'a'.repeat(MAX_CONFIG_BYTES - 200)}"\n}\n`);
  const r = await bounded(15, () => loadConfig(long));
  assert.deepEqual(errors(r), []);
  const big = join(dir, 'big.yaml');
  writeFileSync(big, `x-a: "${'a'.repeat(MAX_CONFIG_BYTES)}"\n`);
  only(await bounded(10, () => loadConfig(big)), /file is too large/);
}));

test('hostile: an include glob of 10,000 files is read in order within seconds', withDir(async (dir) => {
  mkdirSync(join(dir, 'd'));
  for (let i = 0; i < 10_000; i++) writeFileSync(join(dir, 'd', `s${String(i).padStart(5, '0')}.conf`), `vrrp_script s${i} {\n  script /bin/true\n}\n`);
  const main = join(dir, 'main.conf');
  writeFileSync(main, `include d/*.conf\n${instance()}`);
  const r = await bounded(30, () => loadConfig(main));
  assert.deepEqual(errors(r), []);
  assert.equal(r.model!.vrrpScripts.length, 10_000);
  assert.equal(r.model!.vrrpScripts[9_999]!.name, 's9999');
}));

test('hostile: include loops through symlinks (file and directory) are one error each', withDir(async (dir) => {
  writeFileSync(join(dir, 'a.conf'), `include link.conf\n${instance()}`);
  symlinkSync(join(dir, 'a.conf'), join(dir, 'link.conf'));
  const d = only(await bounded(5, () => loadConfig(join(dir, 'a.conf'))), /include loop/);
  assert.deepEqual([d.line, d.col], [1, 9]);
  // A directory that links to its parent: the glob has a fixed number of segments, so it ends.
  mkdirSync(join(dir, 'sub'));
  symlinkSync(dir, join(dir, 'sub', 'up'));
  writeFileSync(join(dir, 'b.conf'), `include sub/up/sub/up/b.conf\n${instance()}`);
  only(await bounded(5, () => loadConfig(join(dir, 'b.conf'))), /include loop/);
}));

test('hostile: NUL bytes and invalid UTF-8, in the file or in an include, are one error', withDir(async (dir) => {
  writeFileSync(join(dir, 'nul.conf'), Buffer.from('global_defs {\0}\n'));
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from([0x67, 0x6c, 0x6f, 0x62, 0x61, 0x6c, 0x3a, 0x20, 0xe9, 0x0a]));
  only(await loadConfig(join(dir, 'nul.conf')), /binary file \(NUL byte at offset 13\)/);
  only(await loadConfig(join(dir, 'latin1.yaml')), /not valid UTF-8/);
  writeFileSync(join(dir, 'main.conf'), 'include nul.conf\n');
  const d = only(await loadConfig(join(dir, 'main.conf')), /nul\.conf: binary file/);
  assert.deepEqual([d.line, d.col], [1, 9]);
}));

test('hostile: YAML duplicate keys are an error at the second one; alias bombs stay bounded', async () => {
  const dup = only(load('vrrpInstances:\n  - name: A\n    vrid: 1\n    vrid: 2\n', 'dup.yaml'), /Map keys must be unique/);
  assert.equal(dup.line, 4);
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].map((l) => `x-${l}`).join('\n');
  only(await bounded(5, () => load(bomb, 'bomb.yaml')), /alias|Excessive/i);
});

test('hostile: numbers past 2^53 are refused as written, in YAML and keepalived.conf', () => {
  const y = only(load('vrrpInstances:\n  - name: A\n    interface: eth0\n    vrid: 9007199254740993\n', 'n.yaml'), /too large/);
  assert.equal(y.message, 'vrrpInstances[0].vrid: 9007199254740993 is too large to be read exactly (the limit is 2^53); no setting takes such a number');
  assert.deepEqual([y.line, y.col], [4, 11]);
  const k = only(load(instance('  weight 99999999999999999999\n').replace('priority 100', 'priority 100000000000000000000')), /too large/);
  assert.equal(k.line, 4);
});

test('hostile: repetition and parameters that never end stop at a stated limit', async () => {
  const bomb = await bounded(20, () => load('~SEQ(a, 1, 100000) ~SEQ(b, 1, 100000) $X_${a}_${b}=1\n'));
  assert.match(only(bomb, /produce more than 1000000 lines/).message, /stopped here/);
  // A multi-line parameter that uses itself: one error where it is used, whichever bound it hits.
  const self = only(await bounded(5, () => load('$A= x \\\n$A\n$A\n')), /nest more than \d+ deep/);
  assert.equal(self.line, 3);
  only(load('~SEQ(i, 1, 1000000) x\n'), /1000000 values; the limit is 100000/);
});
