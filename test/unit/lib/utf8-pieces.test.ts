// UTF-8 in pieces (src/lib/utf8-pieces.ts): a piece's text ends before a character its end cuts,
// and only then; pieces of any text, cut anywhere, give back the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Utf8Pieces, wholeSequencesEnd } from '../../../src/lib/utf8-pieces.js';

test('a piece ends before a character it cuts, and only then (every end of any UTF-8 text)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
    const b = Buffer.from(text, 'utf8');
    const starts = new Set<number>([b.length]);
    for (let i = 0; i < b.length; i++) if ((b[i]! & 0xc0) !== 0x80) starts.add(i);
    for (let end = 0; end <= b.length; end++) {
      const cut = wholeSequencesEnd(b, end);
      assert.ok(starts.has(cut) && cut <= end && end - cut <= 3, `end ${end}: cut ${cut}`);
      if (starts.has(end)) assert.equal(cut, end, `end ${end} is between characters`);
      else assert.ok(![...starts].some((s) => s > cut && s < end), `end ${end}: cut ${cut} is the last start before it`);
    }
  }));
});

test('any text in pieces cut anywhere, through one reused read buffer, comes back whole', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 60 }), (text, sizes) => {
    const b = Buffer.from(text, 'utf8');
    const d = new Utf8Pieces();
    const reused = Buffer.alloc(8);
    let out = '';
    for (let at = 0, k = 0; at < b.length; k++) {
      const n = Math.min(sizes[k % sizes.length]!, b.length - at);
      b.copy(reused, 0, at, at + n);
      out += d.write(reused.subarray(0, n));
      reused.fill(0xff); // what a caller's next read would overwrite
      at += n;
    }
    assert.equal(out + d.end(), text);
  }));
});

test('a cut character left at the end is one replacement character', () => {
  const d = new Utf8Pieces();
  assert.equal(d.write(Buffer.from([0x61, 0xe2, 0x82])), 'a');
  assert.equal(d.end(), '\ufffd');
  assert.equal(d.end(), '');
});
