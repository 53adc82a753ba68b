// isIPv6Text must accept exactly what node:net's isIPv6 accepts: the addresses the config reader
// and the daemon take must not change with the faster check. Compared on hand-picked forms and on
// generated near-addresses (seeded, so a failure repeats), about a third of them valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import { isDottedQuad, isIPv6Text } from '../../../src/lib/ipv6-text.js';
import { mulberry32 as rng } from '../../support/seeded-random.js';

const CASES = [
  '::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::8', '1:2:3:4:5:6::8',
  '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', ':::', '1:::2', '1::2::3', ':', '',
  '::ffff:1.2.3.4', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5::1.2.3.4', '1:2:3:4:5:6::1.2.3.4', '1.2.3.4::',
  '::1.2.3.4:1', '::01.2.3.4', '::256.1.1.1', '::1.2.3', '::1.2.3.4.5', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%a:b.c-d',
  'fe80::1%e_0', '%eth0', 'FFFF::abcd', '12345::', 'g::', '1:2:3:4:5:6:7:8%1', ' ::1', '::1 ', '0:0:0:0:0:0:0:0',
  '::ffff:1.2.3.4%x', '1::2:3:4:5:6:7', '1::2:3:4:5:6:7:8', 'ff02::12', '2001:db8::10', '1:2:3:4::5:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4',
];

test('hand-picked forms: the same answer as node:net', () => {
  for (const s of CASES) assert.equal(isIPv6Text(s), isIPv6(s), JSON.stringify(s));
});

test('generated near-addresses: the same answer as node:net', () => {
  const r = rng(12);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const group = () => (r() < 0.9 ? pick(['0', 'f', 'ab', 'FFFF', '0db8', '1', 'dead', '7']) : pick(['12345', '', 'g1']));
  const octet = () => (r() < 0.9 ? pick(['0', '1', '25', '255', '199']) : pick(['256', '01', '']));
  let valid = 0;
  const total = 60_000;
  for (let t = 0; t < total; t++) {
    const n = Math.floor(r() * 9);
    const gs = Array.from({ length: n }, group);
    if (r() < 0.6) gs.splice(Math.floor(r() * (n + 1)), 0, pick(['', ':']));
    let s = gs.join(':');
    if (r() < 0.25) s += `${pick([':', '', '::'])}${octet()}.${octet()}.${octet()}.${octet()}`;
    if (r() < 0.15) s += pick(['%eth0', '%', '%1', '%a.b:c-d', '%x y']);
    if (r() < 0.1) s = pick([':', '']) + s + pick([':', '']);
    const expected = isIPv6(s);
    if (expected) valid++;
    assert.equal(isIPv6Text(s), expected, JSON.stringify(s));
  }
  assert.ok(valid > total / 10, `enough valid addresses among the generated ones (${valid})`);
});

test('the dotted quad follows node:net isIPv4', () => {
  for (const s of ['1.2.3.4', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', '', 'a.b.c.d', '1.2.3.04', '10.0.0.1 ']) {
    assert.equal(isDottedQuad(s), isIPv4(s), JSON.stringify(s));
  }
});
