// V8's code cache for one of the build's CommonJS bundles, kept beside it as FILE.cache: the
// bytecode of every function a rehearsal of the command compiled (src/cli/bundle-code-cache.ts
// writes it at build time), so a cold start reads compiled code instead of compiling it. An
// `ipvs list` under the kernel VM's emulated CPU spends ~0.1 s compiling (bench/README.md, IPVS,
// ninth pass). V8 checks its own version and flags and the source's length, but not what it
// reads: bytecode made from other text of the same length would run, and damaged bytes abort the
// process. So the file holds the very text it was made from, compared whole with the bundle's,
// and a sampled checksum of V8's bytes; it is written to a new file renamed over the old.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const MAGIC = 'vipkeeper-code-cache 3';

export const codeCacheFile = (bundle: string): string => `${bundle}.cache`;

/**
 * A checksum of one 32-bit word in every 64 (256 bytes) and the length: a damaged block of the
 * file (4 KiB) changes 16 of its samples. A full checksum costs 45-60 ms of JavaScript under the
 * VM's emulated CPU, and node's native ones load ~25-45 of node's modules (zlib, crypto) first;
 * this one well under a millisecond. A lone flipped bit between samples goes unseen.
 */
export function sampledChecksum(b: Uint8Array): number {
  let h = b.length | 0;
  for (let i = 0; i + 4 <= b.length; i += 256) h = Math.imul(h ^ (b[i]! | b[i + 1]! << 8 | b[i + 2]! << 16 | b[i + 3]! << 24), 0x9e3779b1) ^ (h >>> 15);
  return h >>> 0;
}

/** Writes the cache of the bundle whose text is `text`: a new file renamed over the old, so none is ever half written. */
export function writeCodeCache(bundle: string, text: string, data: Uint8Array): void {
  const source = Buffer.from(text, 'utf8');
  const header = `${MAGIC} ${source.length} ${data.length} ${sampledChecksum(data)}\n`;
  const file = codeCacheFile(bundle), tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(header, 'latin1'), source, data]));
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * V8's bytes from the cache beside `bundle`: 'none' without a file, 'stale' when it is not a whole
 * cache of ours or was made from other text than the bundle's bytes, `source()` (compared natively;
 * called only when there is a cache to check).
 */
export function readCodeCache(bundle: string, source: () => Uint8Array): Buffer | 'none' | 'stale' {
  let buf: Buffer;
  try { buf = readFileSync(codeCacheFile(bundle)); } catch (e) { return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'stale'; }
  try {
    const nl = buf.indexOf(10);
    if (nl < 0) return 'stale';
    const [magic, version, sourceLength, dataLength, sample] = buf.toString('latin1', 0, nl).split(' ');
    const start = nl + 1, end = start + Number(sourceLength);
    const data = buf.subarray(end);
    if (`${magic} ${version}` !== MAGIC || Number(dataLength) !== data.length || Number(sample) !== sampledChecksum(data)) return 'stale';
    const text = source();
    return text.length === end - start && buf.compare(text, 0, text.length, start, end) === 0 ? data : 'stale';
  } catch {
    return 'stale';
  }
}
