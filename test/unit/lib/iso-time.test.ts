// isoTime prints what Date#toISOString prints, without asking for the local time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isoTime } from '../../../src/lib/iso-time.js';

const iso = (ms: number) => new Date(ms).toISOString();

test('isoTime is toISOString on the days where calendars go wrong', () => {
  const at = (s: string) => Date.parse(s);
  for (const s of ['1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2000-02-29T12:34:56.789Z', '2000-03-01T00:00:00.000Z',
    '1900-02-28T23:59:59.999Z', '1900-03-01T00:00:00.000Z', '2100-02-28T10:00:00.005Z', '2100-03-01T00:00:00.050Z',
    '2024-02-29T23:59:59.999Z', '2026-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '0400-02-29T01:02:03.004Z']) {
    assert.equal(isoTime(at(s)), s);
  }
  // Outside years 0-9999 and on NaN it is toISOString itself (a sign and six digits; RangeError).
  for (const ms of [at('0000-01-01T00:00:00.000Z') - 1, at('9999-12-31T23:59:59.999Z') + 1, 8.64e15]) assert.equal(isoTime(ms), iso(ms));
  assert.throws(() => isoTime(NaN), RangeError);
});

test('isoTime is toISOString for any millisecond of years 0-9999', () => {
  fc.assert(fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
    assert.equal(isoTime(ms), iso(ms));
  }), { numRuns: 20_000 });
  // Fractions are cut as a Date cuts them (status ages are seconds with a fraction).
  fc.assert(fc.property(fc.double({ min: -1e12, max: 4e12, noNaN: true }), (ms) => {
    assert.equal(isoTime(ms), iso(ms));
  }), { numRuns: 5_000 });
});

test('isoTime leaves the time zone alone: no Date method that looks it up is called for years 0-9999', () => {
  // toISOString (and any local-time method) makes V8 ask ICU for the host zone on first use.
  const proto = Date.prototype as unknown as Record<string, unknown>;
  const names = Object.getOwnPropertyNames(Date.prototype).filter((n) => n !== 'constructor' && typeof proto[n] === 'function');
  const saved = names.map((n) => [n, proto[n]] as const);
  try {
    for (const n of names) proto[n] = () => { throw new Error(`Date.prototype.${n} called`); };
    assert.equal(isoTime(1_764_572_400_123), '2025-12-01T07:00:00.123Z');
  } finally {
    for (const [n, f] of saved) proto[n] = f;
  }
});
