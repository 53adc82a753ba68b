// UTF-8 text that arrives in pieces: a character cut by a piece's end waits for the next piece.
// node's string_decoder does the same, for ~80 KB of node's code that the daemon would keep
// (bench/README.md, "idle daemon", eighth pass); a streaming TextDecoder opens an ICU converter
// (see src/lib/iso-time.ts).

/** Where the UTF-8 sequences held whole in b[0, end) end: before a last one that `end` cuts. */
export function wholeSequencesEnd(b: Uint8Array, end: number): number {
  let lead = end - 1;
  while (lead >= 0 && end - lead < 4 && (b[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return end;
  const c = b[lead]!;
  const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  return end - lead < length ? lead : end;
}

export class Utf8Pieces {
  /** The start of a character the last piece cut (a copy: callers reuse their read buffers). */
  private held: Buffer | undefined;

  /** The text of what was held and `piece`, holding back a character cut at its end. */
  write(piece: Uint8Array): string {
    const b = this.held ? Buffer.concat([this.held, piece]) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const cut = wholeSequencesEnd(b, b.length);
    this.held = cut < b.length ? Buffer.from(b.subarray(cut)) : undefined;
    return b.toString('utf8', 0, cut);
  }

  /** What is still held, decoded as it is (a cut character becomes U+FFFD). */
  end(): string {
    const h = this.held;
    this.held = undefined;
    return h ? h.toString('utf8') : '';
  }
}
