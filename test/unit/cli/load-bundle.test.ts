// loadBundle (src/cli/load-bundle.ts) runs a CommonJS file as require() does while reading it in
// pieces: the same module object, the same require beside the file, the same stack positions, and
// text that crosses a piece boundary inside a multi-byte character decoded whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../../src/cli/load-bundle.js';

test('a file loaded in pieces is what require() makes of it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-load-'));
  try {
    writeFileSync(join(dir, 'b.cjs'), 'module.exports = { b: 1 };\n');
    // 'é' is two bytes: the padding puts one of them on each side of the first 64 KiB piece.
    const pad = 'x'.repeat((64 << 10) - 'const s = "'.length - 1);
    writeFileSync(join(dir, 'a.cjs'), [
      `const s = "${pad}é€";`,
      '"use strict";',
      'module.exports = { file: __filename, dir: __dirname, b: require("./b.cjs"), self: module.exports === exports,',
      '  strict: (function () { return this; })() === undefined, tail: s.slice(-2), length: s.length,',
      '  where: new Error("here").stack.split("\\n")[1] };',
    ].join('\n'));
    const file = join(dir, 'a.cjs');
    const loaded = loadBundle(file) as Record<string, unknown>;
    const required = createRequire(import.meta.url)(file) as Record<string, unknown>;
    assert.equal(loaded.tail, 'é€');
    assert.equal(loaded.length, pad.length + 2);
    assert.equal(loaded.file, file);
    assert.equal(loaded.self, true);
    assert.deepEqual({ ...loaded, where: undefined }, { ...required, where: undefined });
    // The frame's file, line and column are require()'s (node wraps both the same way).
    assert.match(String(loaded.where), /a\.cjs:5:\d+\)$/);
    assert.equal(loaded.where, required.where);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
