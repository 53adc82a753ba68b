// A config file's bytes become text exactly as a fatal UTF-8 TextDecoder would make them (the
// reference the fast path replaced): same text, same refusals, a leading byte order mark dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeConfigBytes } from '../../../src/config/source.js';

function reference(bytes: Uint8Array): string | 'refused' {
  try { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return 'refused'; }
}

function ours(bytes: Uint8Array): string | 'refused' {
  const r = decodeConfigBytes('f.conf', bytes);
  if ('text' in r) return r.text;
  assert.match(r.error.message, /not valid UTF-8/);
  return 'refused';
}

const u8 = (...b: number[]) => Uint8Array.from(b);

test('hand-picked bytes: ASCII, multi-byte, byte order mark, broken and overlong sequences', () => {
  const cases = [
    Buffer.from('global_defs {\n  router_id a\n}\n'),
    Buffer.from('\ufeffvrrp_instance été {\n}\n'),
    Buffer.from('\ufeff'), Buffer.from('k \u2028 \u{1f600}\n'),
    u8(0x61, 0xff, 0xfe, 0x0a), u8(0xc0, 0xaf), u8(0xe0, 0x80, 0xaf), u8(0xed, 0xa0, 0x80),
    u8(0xf4, 0x90, 0x80, 0x80), u8(0xe2, 0x82), u8(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41),
  ];
  for (const c of cases) assert.deepEqual(ours(c), reference(c), Buffer.from(c).toString('hex'));
  assert.equal(ours(Buffer.from('\ufeffa')), 'a');
});

test('random bytes (NUL-free) decode or are refused as TextDecoder does', () => {
  const bytes = fc.uint8Array({ minLength: 0, maxLength: 64 }).map((a) => a.map((b) => b || 1));
  const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')).map((s) => new Uint8Array(Buffer.from(s)));
  fc.assert(fc.property(fc.oneof(bytes, text), (b) => { assert.deepEqual(ours(b), reference(b)); }), { numRuns: 5000 });
});
