// The raw socket's destination cache: the same bytes as building the sockaddr each time, rebuilt
// when the address, the scope or the caller's array contents change, and correct past its size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SockaddrCache } from '../../../src/net/sockaddr-cache.js';
import { sockaddrIn, sockaddrIn6 } from '../../../src/net/sockaddr.js';
import { parseIP } from '../../../src/lib/ip.js';

const ip = (s: string): Uint8Array => parseIP(s).addr;

test('a repeated destination reuses its sockaddr, equal to a fresh one', () => {
  const c = new SockaddrCache();
  const group = ip('224.0.0.18');
  const first = c.get(group);
  assert.deepEqual(first, sockaddrIn(group));
  assert.equal(c.get(group), first, 'same buffer');
  assert.equal(c.get(ip('224.0.0.18')), first, 'same bytes in another array');
  const v6 = ip('ff02::12');
  assert.deepEqual(c.get(v6, 3), sockaddrIn6(v6, 0, 3));
  assert.notDeepEqual(c.get(v6, 4), c.get(v6, 3), 'the scope is part of the key');
  assert.deepEqual(c.get(v6, 4), sockaddrIn6(v6, 0, 4));
});

test('a caller reusing its array for another address gets the new address', () => {
  const c = new SockaddrCache();
  const a = ip('10.0.0.1');
  c.get(a);
  a[3] = 2;
  assert.deepEqual(c.get(a), sockaddrIn(ip('10.0.0.2')));
  a[3] = 1;
  assert.deepEqual(c.get(a), sockaddrIn(ip('10.0.0.1')));
});

test('more destinations than it keeps: every answer is still the right sockaddr', () => {
  const c = new SockaddrCache();
  for (let round = 0; round < 3; round++) {
    for (let i = 1; i <= 20; i++) assert.deepEqual(c.get(ip(`10.0.1.${i}`)), sockaddrIn(ip(`10.0.1.${i}`)), `10.0.1.${i}`);
  }
});
