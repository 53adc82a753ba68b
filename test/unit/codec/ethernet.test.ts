import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEthernet, encodeEthernet, ipv4MulticastMac, ipv6MulticastMac, ETHERTYPE } from '../../../src/codec/ethernet.js';
import { parseIPv4, parseIPv6, parseMac, formatMac } from '../../../src/lib/ip.js';

test('Ethernet II frames round-trip', () => {
  const f = { dst: parseMac('ff:ff:ff:ff:ff:ff'), src: parseMac('02:00:00:00:00:09'), ethertype: ETHERTYPE.ARP, payload: Uint8Array.from([1, 2, 3]) };
  const b = encodeEthernet(f);
  assert.equal(b.length, 17);
  assert.equal(b.readUInt16BE(12), 0x0806);
  const d = decodeEthernet(b);
  assert.ok(d.ok);
  assert.deepEqual({ ...d.value, dst: Uint8Array.from(d.value.dst), src: Uint8Array.from(d.value.src), payload: Uint8Array.from(d.value.payload) }, f);
});

test('Ethernet decoding rejects short and 802.3-length frames by reason', () => {
  const short = decodeEthernet(new Uint8Array(13));
  assert.deepEqual(short, { ok: false, reason: 'short-frame' });
  const llc = Buffer.alloc(20); llc.writeUInt16BE(46, 12);
  assert.deepEqual(decodeEthernet(llc), { ok: false, reason: 'not-ethernet-ii' });
  assert.throws(() => encodeEthernet({ dst: new Uint8Array(5), src: new Uint8Array(6), ethertype: 1, payload: new Uint8Array() }));
});

test('multicast groups map to their MAC addresses', () => {
  const table: [Uint8Array, string][] = [
    [ipv4MulticastMac(parseIPv4('224.0.0.18')), '01:00:5e:00:00:12'],
    [ipv4MulticastMac(parseIPv4('239.255.1.2')), '01:00:5e:7f:01:02'],
    [ipv6MulticastMac(parseIPv6('ff02::1')), '33:33:00:00:00:01'],
    [ipv6MulticastMac(parseIPv6('ff02::12')), '33:33:00:00:00:12'],
  ];
  for (const [mac, want] of table) assert.equal(formatMac(mac), want);
});
