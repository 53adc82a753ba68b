// --metrics-listen parsing: a bare port stays on loopback, IPv6 in brackets, every mistake named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListen } from '../../../src/metrics/listen-address.js';

test('valid listen addresses', () => {
  const cases: [string, string, number][] = [
    ['9100', '127.0.0.1', 9100],
    ['0.0.0.0:9100', '0.0.0.0', 9100],
    ['192.168.1.5:1', '192.168.1.5', 1],
    [':9100', '0.0.0.0', 9100],
    ['[::1]:9100', '::1', 9100],
    ['[::]:65535', '::', 65535],
    [' 127.0.0.1:8080 ', '127.0.0.1', 8080],
  ];
  for (const [arg, host, port] of cases) assert.deepEqual(parseListen(arg), { ok: true, value: { host, port } }, arg);
});

test('invalid listen addresses say what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['', /expected ADDR:PORT or PORT/],
    ['localhost:9100', /localhost is not an IP address/],
    ['1.2.3:9100', /is not an IP address/],
    ['::1:9100', /IPv6 address in brackets/],
    ['[1.2.3.4]:80', /is not an IPv6 address/],
    ['[::1]', /expected \[ADDR\]:PORT/],
    ['127.0.0.1:', /port "" is not a number/],
    ['127.0.0.1:http', /port "http" is not a number/],
    ['0', /out of range 1-65535/],
    ['65536', /out of range 1-65535/],
    ['127.0.0.1:123456', /is not a number/],
    ['-1', /expected ADDR:PORT or PORT|not an IP/],
  ];
  for (const [arg, re] of cases) {
    const r = parseListen(arg);
    assert.equal(r.ok, false, arg);
    if (!r.ok) { assert.match(r.error, re, arg); assert.ok(r.error.startsWith('--metrics-listen '), arg); }
  }
});
