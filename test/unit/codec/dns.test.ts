import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DNS_TYPE, decodeHeader, decodeMessage, encodeName, encodeQuery, rcodeName, sameName } from '../../../src/codec/dns.js';
import { DNS_TYPES } from '../../../src/config/model.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('queries: golden bytes built by hand (RFC 1035 §4.1), RD set as keepalived does', () => {
  assert.deepEqual(encodeQuery({ id: 0xabcd, name: 'example.com', type: DNS_TYPE.A }), hex(`
    abcd 0100 0001 0000 0000 0000
    07 6578616d706c65 03 636f6d 00
    0001 0001`));
  // The root, as keepalived's default DNS_CHECK asks it: a single zero octet.
  assert.deepEqual(encodeQuery({ id: 1, name: '.', type: DNS_TYPE.SOA }), hex('0001 0100 0001 0000 0000 0000 00 0006 0001'));
  // A trailing dot changes nothing; RD can be cleared.
  assert.deepEqual(encodeQuery({ id: 2, name: 'a.b.', type: DNS_TYPE.AAAA, recursionDesired: false }), hex('0002 0000 0001 0000 0000 0000 01 61 01 62 00 001c 0001'));
});

test('every DNS_CHECK type name has its IANA number', () => {
  assert.deepEqual(DNS_TYPES.map((t) => [t, DNS_TYPE[t]]), [['A', 1], ['NS', 2], ['CNAME', 5], ['SOA', 6], ['MX', 15], ['TXT', 16], ['AAAA', 28], ['RRSIG', 46], ['DNSKEY', 48]]);
});

test('names that cannot be encoded are refused in words', () => {
  assert.throws(() => encodeName('a..b'), /empty label/);
  assert.throws(() => encodeName(`${'x'.repeat(64)}.com`), /longer than 63/);
  assert.throws(() => encodeName(Array(128).fill('ab').join('.')), /longer than 255/);
  assert.throws(() => encodeQuery({ id: 70000, name: 'a', type: 1 }), /0\.\.65535/);
});

/** A reply to example.com A with one answer whose owner name is a compression pointer to the question. */
const reply = hex(`
  abcd 8180 0001 0001 0000 0000
  07 6578616d706c65 03 636f6d 00 0001 0001
  c00c 0001 0001 0000012c 0004 5db8d822`);

test('a reply with a compressed owner name parses whole', () => {
  const d = decodeMessage(reply);
  assert.ok(d.ok, d.ok ? '' : d.reason);
  assert.deepEqual(d.value.header, { id: 0xabcd, qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, rcode: 0, qdcount: 1, ancount: 1, nscount: 0, arcount: 0 });
  assert.deepEqual(d.value.questions, [{ name: 'example.com', type: 1, class: 1 }]);
  assert.equal(d.value.answers.length, 1);
  const a = d.value.answers[0]!;
  assert.deepEqual({ ...a, data: [...a.data] }, { name: 'example.com', type: 1, class: 1, ttl: 300, data: [93, 184, 216, 34] });
});

test('a query parses back to its own question, for any encodable name', () => {
  const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/);
  fc.assert(fc.property(fc.array(label, { minLength: 0, maxLength: 8 }), fc.constantFrom(...DNS_TYPES), fc.integer({ min: 0, max: 0xffff }), (labels, t, id) => {
    const name = labels.length ? labels.join('.') : '.';
    const d = decodeMessage(encodeQuery({ id, name, type: DNS_TYPE[t] }));
    assert.ok(d.ok);
    assert.equal(d.value.header.id, id);
    assert.ok(sameName(d.value.questions[0]!.name, name));
  }));
});

test('hostile input: pointer loops, forward and out-of-bounds pointers, bad label types, long names', () => {
  const head = (an = 0) => `0001 8180 0001 ${an.toString(16).padStart(4, '0')} 0000 0000`;
  const cases: Array<[string, string]> = [
    [`${head()} c00c 0001 0001`, 'pointer-loop'], // points at itself
    [`${head()} c00e 0001 0001 00`, 'pointer-loop'], // points forward
    [`${head()} 0161 c3ff 0001 0001`, 'pointer-out-of-bounds'],
    [`${head()} 4161 00 0001 0001`, 'bad-label-type'],
    [`${head()} 8161 00 0001 0001`, 'bad-label-type'],
    [`${head()} ${'0161'.repeat(128)} 00 0001 0001`, 'name-too-long'],
    [`${head()} 0a61 6263 6465 6667 68`, 'truncated-name'],
    [`${head()} 0161 0162 0163 c0`, 'truncated-name'],
    // The answer's name points at the question, whose name ends in a pointer back into the answer.
    [`${head(1)} 0161 c01c 0001 0001  c00c 0001 0001 00000000 0000`, 'pointer-loop'],
  ];
  for (const [bytes, reason] of cases) assert.deepEqual(decodeMessage(hex(bytes)), { ok: false, reason }, reason);
});

test('hostile input: counts larger than the message, and every truncation of a good reply, fail at once', () => {
  assert.deepEqual(decodeMessage(hex('0001 8180 0001 ffff ffff ffff 00 0001 0001')), { ok: false, reason: 'counts-exceed-message' });
  assert.deepEqual(decodeMessage(hex('0001 8180 ffff 0000 0000 0000 00 0001 0001')), { ok: false, reason: 'counts-exceed-message' });
  assert.deepEqual(decodeHeader(hex('0001 8180 0001')), { ok: false, reason: 'short-header' });
  for (let n = 0; n < reply.length; n++) {
    const d = decodeMessage(reply.subarray(0, n));
    assert.equal(d.ok, false, `cut at ${n}`);
  }
});

/** A reply whose question is the root and whose answers' names each point at the previous answer's name. */
function ladder(answers: number): Buffer {
  const parts = [hex('0001 8180 0001'), Buffer.from([answers >> 8, answers & 0xff]), hex('0000 0000 00 0006 0001')];
  let prev = 12;
  for (let i = 0; i < answers; i++) {
    const at = parts.reduce((n, p) => n + p.length, 0);
    parts.push(Buffer.from([0xc0 | (prev >> 8), prev & 0xff]), hex('0001 0001 00000000 0000'));
    prev = at;
  }
  return Buffer.concat(parts);
}

test('pointer-to-pointer ladders: a short one is a valid name, a long one is cut off, a 64 KiB one parses quickly', () => {
  const ok = decodeMessage(ladder(100));
  assert.ok(ok.ok, ok.ok ? '' : ok.reason);
  assert.ok(ok.value.answers.every((a) => a.name === '.'));
  assert.deepEqual(decodeMessage(ladder(200)), { ok: false, reason: 'too-many-pointers' });
  const big = ladder(5400);
  assert.ok(big.length > 60000 && big.length <= 65535);
  const started = performance.now();
  assert.deepEqual(decodeMessage(big), { ok: false, reason: 'too-many-pointers' });
  fc.assert(fc.property(fc.uint8Array({ minLength: 12, maxLength: 600 }), (bytes) => { assert.equal(typeof decodeMessage(bytes).ok, 'boolean'); }), { numRuns: 2000 });
  assert.ok(performance.now() - started < 5000, 'hostile and random input parse in bounded time');
});

test('names compare ignoring ASCII case and a trailing dot; rcodes have names', () => {
  assert.ok(sameName('Example.COM', 'example.com.'));
  assert.ok(sameName('.', '.'));
  assert.ok(!sameName('example.com', 'example.org'));
  assert.equal(rcodeName(0), 'NOERROR');
  assert.equal(rcodeName(2), 'SERVFAIL');
  assert.equal(rcodeName(3), 'NXDOMAIN');
  assert.equal(rcodeName(15), 'RCODE 15');
});
