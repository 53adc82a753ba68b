import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIP, formatIP, parsePrefix, compareAddr, parseMac, formatMac } from '../../../src/lib/ip.js';
import { internetChecksum } from '../../../src/lib/bytes.js';

test('IPv4 and IPv6 round trip to canonical text', () => {
  for (const [input, canonical] of [
    ['10.0.0.1', '10.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['fe80::1', 'fe80::1'],
    ['::', '::'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ]) assert.equal(formatIP(parseIP(input!).addr), canonical);
});

test('prefixes and their limits', () => {
  assert.deepEqual(parsePrefix('192.168.1.5/24').len, 24);
  assert.equal(parsePrefix('10.0.0.1').len, 32);
  assert.equal(parsePrefix('2001:db8::1').len, 128);
  assert.throws(() => parsePrefix('10.0.0.1/33'), /0-32/);
  assert.throws(() => parsePrefix('300.0.0.1/8'), /not an IP/);
});

test('address comparison is unsigned big-endian', () => {
  assert.ok(compareAddr(parseIP('10.0.0.2').addr, parseIP('10.0.0.10').addr) < 0);
  assert.ok(compareAddr(parseIP('200.0.0.1').addr, parseIP('10.0.0.1').addr) > 0);
});

test('MAC text round trip', () => {
  assert.equal(formatMac(parseMac('02:AB:0:1:2:3')), '02:ab:00:01:02:03');
  assert.throws(() => parseMac('02:ab:00'));
});

test('RFC 1071 checksum, including odd-length split parts', () => {
  const data = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.equal(internetChecksum(data), 0x220d);
  assert.equal(internetChecksum(data.subarray(0, 3), data.subarray(3)), 0x220d);
});
