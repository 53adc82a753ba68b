import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, decodeSockaddr, ipMreqn, ipv6Mreq, sockaddrIn, sockaddrIn6, sockaddrLl, sockaddrNl } from '../../../src/net/sockaddr.js';
import { parseIP, parseMac } from '../../../src/lib/ip.js';
import { toDatagram } from '../../../src/net/raw-socket.js';

test('socket addresses have the kernel sizes and decode back', () => {
  const v4 = sockaddrIn(parseIP('10.0.0.1').addr, 53);
  assert.equal(v4.length, 16);
  assert.deepEqual(decodeSockaddr(v4), { family: AF_INET, port: 53, addr: parseIP('10.0.0.1').addr });
  const v6 = sockaddrIn6(parseIP('fe80::1').addr, 0, 7);
  assert.equal(v6.length, 28);
  assert.deepEqual(decodeSockaddr(v6), { family: AF_INET6, port: 0, addr: parseIP('fe80::1').addr, scopeId: 7 });
  const ll = sockaddrLl(3, 0x0806, parseMac('ff:ff:ff:ff:ff:ff'));
  assert.equal(ll.length, 20);
  assert.equal(ll.readUInt16BE(2), 0x0806, 'ethertype in network order');
  const dl = decodeSockaddr(ll);
  assert.equal(dl.family, AF_PACKET);
  assert.equal(dl.ifindex, 3);
  assert.deepEqual(dl.addr, parseMac('ff:ff:ff:ff:ff:ff'));
  const nl = sockaddrNl(1234, 5);
  assert.equal(nl.length, 12);
  assert.deepEqual(decodeSockaddr(nl), { family: AF_NETLINK, pid: 1234, groups: 5 });
  assert.deepEqual(decodeSockaddr(new Uint8Array(1)), { family: 0 });
  assert.deepEqual(decodeSockaddr(Uint8Array.from([2, 0, 0])), { family: 2 }, 'truncated: family only');
});

test('multicast requests: ip_mreqn is 12 bytes, ipv6_mreq 20', () => {
  const m = ipMreqn(parseIP('224.0.0.18').addr, 4);
  assert.equal(m.length, 12);
  assert.deepEqual(Array.from(m.subarray(0, 4)), [224, 0, 0, 18]);
  assert.equal(ipv6Mreq(parseIP('ff02::12').addr, 4).length, 20);
});

function ipv4Packet(ttl: number, payload: number[], opts: { ihl?: number; total?: number } = {}): Buffer {
  const ihl = opts.ihl ?? 20;
  const b = Buffer.alloc(ihl + payload.length);
  b[0] = 0x40 | (ihl / 4);
  b.writeUInt16BE(opts.total ?? b.length, 2);
  b[8] = ttl; b[9] = 112;
  b.set([10, 9, 0, 1], 12); b.set([224, 0, 0, 18], 16);
  b.set(payload, ihl);
  return b;
}

test('raw IPv4 datagrams: TTL, source and destination come from the IP header, payload follows it', () => {
  const src = sockaddrIn(parseIP('10.9.0.1').addr);
  const d = toDatagram(4, [ipv4Packet(255, [0x21, 0x33]), src, -1, 4, null]);
  assert.ok(d);
  assert.equal(d.ttl, 255);
  assert.equal(d.ifindex, 4);
  assert.deepEqual(Array.from(d.src), [10, 9, 0, 1]);
  assert.deepEqual(Array.from(d.dst!), [224, 0, 0, 18]);
  assert.deepEqual(Array.from(d.data), [0x21, 0x33]);
  const withOptions = toDatagram(4, [ipv4Packet(64, [7], { ihl: 24 }), src, -1, -1, null]);
  assert.deepEqual(Array.from(withOptions!.data), [7]);
  assert.equal(withOptions!.ifindex, undefined);
  const padded = toDatagram(4, [Buffer.concat([ipv4Packet(1, [9, 9], { total: 21 }), Buffer.alloc(5)]), src, -1, -1, null]);
  assert.deepEqual(Array.from(padded!.data), [9], 'cut to the IP total length');
  for (const bad of [Buffer.alloc(10), Buffer.from(ipv4Packet(1, []).fill(0x60, 0, 1)), ipv4Packet(1, [1], { ihl: 20 }).fill(0x41, 0, 1)]) {
    assert.equal(toDatagram(4, [bad, src, -1, -1, null]), undefined);
  }
});

test('raw IPv6 datagrams take hop limit, destination and ifindex from ancillary data', () => {
  const src = sockaddrIn6(parseIP('fe80::1').addr, 0, 4);
  const dst = Buffer.from(parseIP('ff02::12').addr);
  const d = toDatagram(6, [Buffer.from([1, 2]), src, 255, 4, dst]);
  assert.deepEqual(d, { data: Buffer.from([1, 2]), src: parseIP('fe80::1').addr, ttl: 255, ifindex: 4, dst: parseIP('ff02::12').addr });
  const bare = toDatagram(6, [Buffer.from([1]), src, -1, -1, null]);
  assert.equal(bare!.ttl, undefined);
  assert.equal(bare!.dst, undefined);
});
