// Engine self-test targets (not part of the corpus run): bugs planted where the mutators must
// reach them, so a fuzzer that stopped mutating would fail its own test.
export function fuzz(data: Buffer): void {
  // A length field edited to a large value (u16 big-endian at offset 2 of a seed) crashes.
  if (data.length >= 4 && data.readUInt16BE(2) >= 0xff00) throw new TypeError('planted: length field past the end');
}
