import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ARP_OP, decodeArp, decodeArpFrame, encodeArp, gratuitousArpFrame, isGratuitous } from '../../../src/codec/arp.js';
import { parseIPv4, parseMac, formatIPv4 } from '../../../src/lib/ip.js';
import { readPcap } from '../../support/pcap.js';

const golden = fileURLToPath(new URL('../../fixtures/golden/vrrp/v2_noauth.pcap', import.meta.url));

test('gratuitous ARP frames equal the ones keepalived sent, byte for byte', () => {
  const garps = readPcap(readFileSync(golden)).map((r) => r.data).filter((f) => f[12] === 0x08 && f[13] === 0x06);
  assert.ok(garps.length >= 2, 'capture holds GARP frames');
  for (const frame of garps) {
    const d = decodeArpFrame(frame);
    assert.ok(d.ok);
    const rebuilt = gratuitousArpFrame(d.value.senderIp, d.value.senderMac);
    assert.deepEqual(rebuilt, Buffer.from(frame), `GARP for ${formatIPv4(d.value.senderIp)}`);
  }
  const vips = new Set(garps.map((f) => { const d = decodeArpFrame(f); return d.ok ? formatIPv4(d.value.targetIp) : ''; }));
  assert.deepEqual([...vips].sort(), ['10.9.0.100', '10.9.0.101']);
});

test('a gratuitous ARP is a broadcast request with sender IP = target IP = VIP and the interface MAC', () => {
  const mac = parseMac('02:00:5e:10:20:30');
  const vip = parseIPv4('192.0.2.7');
  const d = decodeArpFrame(gratuitousArpFrame(vip, mac));
  assert.ok(d.ok);
  assert.equal(d.value.op, ARP_OP.REQUEST);
  assert.deepEqual(d.value.ethDst, Uint8Array.from([255, 255, 255, 255, 255, 255]));
  assert.deepEqual(d.value.ethSrc, mac);
  assert.deepEqual(d.value.senderMac, mac);
  assert.deepEqual(d.value.senderIp, vip);
  assert.deepEqual(d.value.targetIp, vip);
  assert.ok(isGratuitous(d.value));
});

test('ARP round-trips and rejects malformed input by reason', () => {
  const p = { op: ARP_OP.REPLY, senderMac: parseMac('00:11:22:33:44:55'), senderIp: parseIPv4('10.0.0.1'), targetMac: parseMac('66:77:88:99:aa:bb'), targetIp: parseIPv4('10.0.0.2') };
  const d = decodeArp(encodeArp(p));
  assert.ok(d.ok);
  assert.deepEqual(d.value, p);
  assert.ok(!isGratuitous(d.value));
  const cases: [string, Uint8Array, string][] = [
    ['short', encodeArp(p).subarray(0, 27), 'short-arp'],
    ['bad hardware type', Buffer.from(encodeArp(p)).fill(9, 0, 2), 'not-ethernet-ipv4-arp'],
    ['bad address lengths', Buffer.from(encodeArp(p)).fill(8, 4, 5), 'not-ethernet-ipv4-arp'],
  ];
  for (const [name, bytes, reason] of cases) {
    const r = decodeArp(bytes);
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.equal(r.reason, reason, name);
  }
  const notArp = decodeArpFrame(Buffer.alloc(60, 0x08));
  assert.equal(notArp.ok, false);
  assert.throws(() => gratuitousArpFrame(new Uint8Array(16), p.senderMac), /IPv4/);
});

test('encodeArp refuses fields of the wrong size instead of letting one overwrite the next', () => {
  const p = { op: ARP_OP.REQUEST, senderMac: parseMac('00:11:22:33:44:55'), senderIp: parseIPv4('10.0.0.1'), targetMac: parseMac('66:77:88:99:aa:bb'), targetIp: parseIPv4('10.0.0.2') };
  assert.throws(() => encodeArp({ ...p, senderMac: new Uint8Array(8) }), /6 bytes/);
  assert.throws(() => encodeArp({ ...p, targetMac: new Uint8Array(5) }), /6 bytes/);
  assert.throws(() => encodeArp({ ...p, senderIp: new Uint8Array(16) }), /4 bytes/);
  assert.throws(() => encodeArp({ ...p, targetIp: new Uint8Array(3) }), /4 bytes/);
  assert.throws(() => gratuitousArpFrame(parseIPv4('10.0.0.1'), new Uint8Array(20)), /6 bytes/);
});
