// Bugs found by fuzzing (test/fuzz/), each pinned by the input that showed it. The same inputs are
// in test/fuzz/corpus/<target>/crash-*, which the fuzz driver runs on every CI run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeAddress } from '../../src/codec/netlink/rtnl.js';

const corpus = (target: string, name: string): Buffer => readFileSync(new URL(`../fuzz/corpus/${target}/${name}`, import.meta.url));
const msg = (payload: Uint8Array) => ({ type: 20, flags: 0, seq: 1, pid: 0, payload });

test('rtnl decodeAddress: an address attribute of the wrong size for the family is not taken as the address', () => {
  // AF_INET, IFA_LOCAL of 3 bytes: was "1.2.3.undefined".
  const v4 = decodeAddress(msg(corpus('rtnl', 'crash-ifa-local-3-bytes')));
  assert.equal(v4.family, 4);
  assert.equal(v4.addr.length, 4);
  assert.equal(v4.address, '0.0.0.0');
  // AF_INET6, IFA_ADDRESS of 4 bytes: was an IPv4 text for an IPv6 address.
  const v6 = decodeAddress(msg(corpus('rtnl', 'crash-ifa-address-v6-4-bytes')));
  assert.equal(v6.family, 6);
  assert.equal(v6.addr.length, 16);
  assert.equal(v6.address, '::');
  // AF_UNSPEC: the family's size follows what the family is reported as.
  const unspec = decodeAddress(msg(Uint8Array.of(0, 8, 0, 0, 1, 0, 0, 0)));
  assert.equal(unspec.addr.length, unspec.family === 4 ? 4 : 16);
});

test('rtnl decodeAddress: well-formed messages decode as before', () => {
  const good = Buffer.concat([Buffer.from([2, 24, 0x80, 0, 2, 0, 0, 0]), Buffer.from([8, 0, 2, 0, 10, 9, 0, 100]), Buffer.from([8, 0, 1, 0, 10, 9, 0, 101])]);
  const a = decodeAddress(msg(good));
  assert.equal(a.address, '10.9.0.100', 'IFA_LOCAL wins over IFA_ADDRESS for IPv4');
  assert.equal(a.prefixLen, 24);
});

test('ipvs decode: an address attribute shorter than 16 bytes keeps the family the message claims', async () => {
  const { fuzz } = await import('../fuzz/targets/ipvs.js');
  // AF_INET6 service whose address attribute is 4 bytes: was decoded as "128.0.0.0".
  assert.doesNotThrow(() => fuzz(corpus('ipvs', 'crash-short-addr-af-inet6'), true));
});
