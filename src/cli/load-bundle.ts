// Loads one of the build's CommonJS bundles (dist/run.cjs, dist/ipvs.cjs) as require() would, but
// reads it in pieces. require() reads a file whole through one growing buffer: freeing that
// buffer (and the half-size one before it) makes glibc raise its mmap and trim thresholds to the
// file's size and twice that, and the ~2.5 MB that compiling the daemon's bundle frees at the top
// of the heap is then never given back (the idle daemon's RSS, bench/README.md, sixth pass).
// Pieces below glibc's default mmap threshold (128 KiB) leave the thresholds alone.
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';
import { Utf8Pieces } from '../lib/utf8-pieces.js';

const PIECE = 64 << 10;

/** The file's text, read PIECE bytes at a time. */
function readInPieces(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(PIECE);
    const utf8 = new Utf8Pieces();
    let text = '';
    for (let n; (n = readSync(fd, buf, 0, PIECE, null)) > 0;) text += utf8.write(buf.subarray(0, n));
    return text + utf8.end();
  } finally {
    closeSync(fd);
  }
}

/** module.exports of the CommonJS file `file` (an absolute path), run as node's loader runs it. */
export function loadBundle(file: string): unknown {
  // The wrapper node's own CommonJS loader compiles a file into (same arguments, same positions in
  // stack traces and source maps).
  const fn = compileFunction(readInPieces(file), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}
