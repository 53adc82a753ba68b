// Reading one configuration file safely: a missing file, a directory, a binary file or an
// oversized file each become one clear diagnostic instead of an exception.
import { readFileSync, statSync } from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import type { Diagnostic } from './model.js';

/** Larger files are refused: real configs are kilobytes; 10,000 real servers fit in ~2 MB. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export type SourceText = { text: string } | { error: Diagnostic };

function fail(file: string, message: string, line = 1, col = 1): { error: Diagnostic } {
  return { error: { severity: 'error', file, line, col, message } };
}

function explain(file: string, e: unknown): { error: Diagnostic } {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return fail(file, 'no such file');
  if (code === 'EACCES' || code === 'EPERM') return fail(file, 'permission denied');
  if (code === 'EISDIR') return fail(file, 'is a directory, not a configuration file');
  return fail(file, `cannot read: ${code ?? (e as Error).message}`);
}

/** Checks the bytes of a file: size, NUL bytes, valid UTF-8. */
export function decodeConfigBytes(file: string, bytes: Uint8Array): SourceText {
  if (bytes.length > MAX_CONFIG_BYTES) return fail(file, `file is too large (${bytes.length} bytes, limit ${MAX_CONFIG_BYTES})`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) return fail(file, `binary file (NUL byte at offset ${nul}), not a configuration file`);
  // Validated and decoded by node's simdutf: a fatal TextDecoder took ~5 ms of a 1.5 MB file's
  // check. A leading byte order mark is dropped, as TextDecoder does.
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buf)) return { text: buf.toString('latin1') };
  if (!isUtf8(buf)) return fail(file, 'binary file (not valid UTF-8 text), not a configuration file');
  const text = buf.toString('utf8');
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/**
 * The file read whole in one go: the parse after it is synchronous and far longer, so an
 * asynchronous read bought the event loop nothing, and node:fs/promises costs the daemon eight
 * more of node's modules (readline among them; bench/README.md, "idle daemon", sixth pass).
 */
export async function readConfigFile(file: string): Promise<SourceText> {
  return readConfigFileSync(file);
}

/** The same, synchronous: keepalived `include` (the parser is synchronous) and readConfigFile. */
export function readConfigFileSync(file: string): SourceText {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return fail(file, 'is a directory, not a configuration file');
    if (!st.isFile()) return fail(file, 'is not a regular file');
    if (st.size > MAX_CONFIG_BYTES) return fail(file, `file is too large (${st.size} bytes, limit ${MAX_CONFIG_BYTES})`);
    return decodeConfigBytes(file, readFileSync(file));
  } catch (e) {
    return explain(file, e);
  }
}
