// Writes the seed corpus of every fuzz target into test/fuzz/corpus/<target>/ from real data: the
// keepalived captures in test/fixtures/golden/vrrp/*.pcap split into packets, the ping capture,
// the conf/ examples, and netlink replies built with the codecs as the kernel lays them out.
// Deterministic; rerun after adding a source:  node --import tsx test/fuzz/make-corpus.ts
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcap, ipPackets } from '../support/pcap.js';
import { IPPROTO_VRRP } from '../../src/codec/vrrp.js';
import { gratuitousArpFrame, encodeArp, ARP_OP } from '../../src/codec/arp.js';
import { unsolicitedNaFrame, encodeNeighborAdvert, ALL_NODES } from '../../src/codec/ndisc.js';
import { encodeEcho } from '../../src/codec/icmp.js';
import { encodeQuery, DNS_TYPE } from '../../src/codec/dns.js';
import { encodeHealthCheckRequest, encodeHealthCheckResponse, frameMessage } from '../../src/codec/grpc-health.js';
import { encodeMessage, NLM_F, NLMSG, HOST_LE } from '../../src/codec/netlink/message.js';
import { encodeAttrs } from '../../src/codec/netlink/attrs.js';
import { encodeFamilyReply } from '../../src/codec/netlink/genl.js';
import { IFLA, IFA } from '../../src/codec/netlink/rtnl.js';
import { RTA } from '../../src/codec/netlink/route.js';
import { daemonAttrs, destReplyAttrs, encodeInfoReply, encodeIpvs, IPVS_CMD, serviceReplyAttrs } from '../../src/codec/netlink/ipvs.js';
import { ByteWriter } from '../../src/lib/bytes.js';
import { parseIP } from '../../src/lib/ip.js';
import { zeroStats, type ServiceEntry, type DestEntry } from '../../src/ipvs/model.js';
import { FUZZ_TABLE } from './targets/netlink-attrs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'test/fuzz/corpus');
const corpus = new Map<string, Buffer[]>();
const add = (target: string, b: Uint8Array | string) => {
  const list = corpus.get(target) ?? [];
  list.push(typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));
  corpus.set(target, list);
};
const mac = Uint8Array.of(0x02, 0, 0, 0, 0, 0x0a);

// ---- VRRP: every packet of every golden capture, with the control byte the target reads.
const golden = join(ROOT, 'test/fixtures/golden/vrrp');
for (const f of readdirSync(golden).filter((n) => n.endsWith('.pcap')).sort()) {
  const conf = readFileSync(join(golden, f.replace('.pcap', '.keepalived.conf')), 'utf8');
  const v3 = /vrrp_version\s+3/.test(conf), plain = /v3_checksum_as_v2/.test(conf), pass = /auth_pass/.test(conf);
  const unicast = /unicast_peer/.test(conf);
  for (const p of ipPackets(readFileSync(join(golden, f)))) {
    if (p.protocol !== IPPROTO_VRRP) continue;
    const c = (p.family === 6 ? 1 : 0) | (v3 ? 2 : 0) | (plain ? 4 : 0) | (unicast ? 8 : 0) | 16 | (pass ? 64 : 0);
    add('vrrp', Buffer.concat([Buffer.of(c), p.payload]));
  }
  // The raw frames feed the Ethernet decoder too.
  for (const r of readPcap(readFileSync(join(golden, f))).slice(0, 2)) add('ethernet', r.data);
}

// ---- ARP / NDP / Ethernet
const vip4 = parseIP('10.9.0.100').addr, vip6 = parseIP('fd00::100').addr;
add('arp', gratuitousArpFrame(vip4, mac));
add('arp', encodeArp({ op: ARP_OP.REPLY, senderMac: mac, senderIp: vip4, targetMac: mac, targetIp: parseIP('10.9.0.50').addr }));
add('ethernet', gratuitousArpFrame(vip4, mac));
add('ethernet', unsolicitedNaFrame(vip6, mac));
add('ndisc', Buffer.concat([Buffer.of(1), unsolicitedNaFrame(vip6, mac)]));
add('ndisc', Buffer.concat([Buffer.of(1), unsolicitedNaFrame(vip6, mac, { router: true })]));
const naSrc = Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);
add('ndisc', Buffer.concat([Buffer.of(0), encodeNeighborAdvert({ target: vip6, router: false, solicited: false, override: true, targetMac: mac }, naSrc, ALL_NODES)]));
add('ndisc', Buffer.concat([Buffer.of(0), encodeNeighborAdvert({ target: vip6, router: true, solicited: true, override: false }, naSrc, ALL_NODES)]));

// ---- ICMP: the loopback ping capture, echoes, and unreachables quoting an echo.
for (const p of ipPackets(readFileSync(join(ROOT, 'test/unit/codec/fixtures/ping-lo.pcap')))) {
  if (p.protocol === 1) add('icmp', Buffer.concat([Buffer.of(0), p.payload]));
  if (p.protocol === 58) add('icmp', Buffer.concat([Buffer.of(1), p.payload]));
}
const v6 = { src: parseIP('fd00::1').addr, dst: parseIP('fd00::2').addr };
add('icmp', Buffer.concat([Buffer.of(0), encodeEcho(4, { reply: true, id: 0x1234, seq: 7, data: Buffer.from('vipkeeper') })]));
add('icmp', Buffer.concat([Buffer.of(3), encodeEcho(6, { reply: true, id: 1, seq: 2, data: Buffer.alloc(16, 0xa5) }, v6)]));
{
  const echo = encodeEcho(4, { reply: false, id: 9, seq: 1, data: Buffer.alloc(8) });
  const ip = Buffer.alloc(20); ip[0] = 0x45; ip[9] = 1; ip.set([10, 9, 0, 50], 16);
  const unreach = Buffer.concat([Buffer.of(3, 1, 0, 0, 0, 0, 0, 0), ip, echo]);
  let sum = 0; for (let i = 0; i < unreach.length; i += 2) sum += (unreach[i]! << 8) | (unreach[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  unreach.writeUInt16BE(~sum & 0xffff, 2);
  add('icmp', Buffer.concat([Buffer.of(0), unreach]));
  const ip6 = Buffer.alloc(40); ip6[0] = 0x60; ip6[6] = 58; ip6.set(v6.dst, 24);
  add('icmp', Buffer.concat([Buffer.of(1), Buffer.of(1, 3, 0, 0, 0, 0, 0, 0), ip6, encodeEcho(6, { reply: false, id: 3, seq: 4, data: Buffer.alloc(0) })]));
}

// ---- DNS: queries and replies (compressed names, SOA, AAAA, TXT).
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
add('dns', encodeQuery({ id: 0xabcd, name: 'example.com', type: DNS_TYPE.A }));
add('dns', hex('abcd 8180 0001 0001 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001 c00c 0001 0001 0000012c 0004 5db8d822'));
add('dns', hex('0001 8180 0001 0001 0000 0000 00 0006 0001 00 0006 0001 00000e10 0040 01 61 0c 726f6f742d73657276657273 03 6e6574 00 05 6e73746c64 0c 766572697369676e2d67727303 636f6d 00 78a1b2c3 00000708 00000384 00093a80 00015180'));
add('dns', hex('0002 8183 0001 0000 0001 0000 04 6e6f6e65 00 001c 0001 c011 0006 0001 00000e10 0004 00000000'));
add('dns', hex('0003 8180 0001 0002 0000 0000 01 74 00 0010 0001 c00c 0010 0001 0000003c 0006 05 68656c6c6f c00c 001c 0001 0000003c 0010 fd000000000000000000000000000001'));

// ---- gRPC health: framed requests and responses.
add('grpc-health', frameMessage(encodeHealthCheckResponse(1)));
add('grpc-health', frameMessage(encodeHealthCheckResponse(2)));
add('grpc-health', frameMessage(encodeHealthCheckRequest('web.Frontend')));
add('grpc-health', Buffer.concat([frameMessage(encodeHealthCheckResponse(0)), frameMessage(encodeHealthCheckResponse(3))]));
add('grpc-health', encodeHealthCheckResponse(1));

// ---- netlink: acks, errors with extended acks, multi-part dumps.
const hdr = (len: number, type: number, flags: number, seq: number) => new ByteWriter(16).u32(len, HOST_LE).u16(type, HOST_LE).u16(flags, HOST_LE).u32(seq, HOST_LE).u32(0, HOST_LE).finish();
const errPayload = (errno: number, withTlv: boolean) => Buffer.concat([
  new ByteWriter(4).u32(-errno >>> 0, HOST_LE).finish(), hdr(36, 20, 5, 42),
  withTlv ? encodeAttrs({ msg: { id: 1, type: 'string' }, offset: { id: 2, type: 'u32' } }, { msg: 'Invalid prefix length', offset: 24 }) : Buffer.alloc(0),
]);
add('netlink-message', encodeMessage({ type: NLMSG.ERROR, flags: 0, seq: 42, pid: 0, payload: errPayload(0, false) }));
add('netlink-message', encodeMessage({ type: NLMSG.ERROR, flags: NLM_F.CAPPED | NLM_F.ACK_TLVS, seq: 42, pid: 0, payload: errPayload(22, true) }));
add('netlink-message', Buffer.concat([
  encodeMessage({ type: 16, flags: NLM_F.MULTI, seq: 1, pid: 0, payload: Buffer.alloc(16) }),
  encodeMessage({ type: NLMSG.DONE, flags: NLM_F.MULTI, seq: 1, pid: 0, payload: Buffer.alloc(4) }),
]));
add('netlink-attrs', encodeAttrs(FUZZ_TABLE, { u8: 1, u16: 515, u32: 70000, u64: 2n ** 40n, s32: -5, be16: 80, be32: 0x0a090001, str: 'eth0', bytes: Uint8Array.of(1, 2, 3), flag: true, nest: { a: 7, s: 'x' }, list: [{ a: 1 }, { a: 2, s: 'y' }] }));
add('netlink-attrs', encodeAttrs(FUZZ_TABLE, { str: '', nest: {}, list: [] }));

// ---- rtnetlink: ifinfomsg + IFLA_*, ifaddrmsg + IFA_*, rtmsg + RTA_*.
const ifinfo = (index: number, flags: number) => new ByteWriter(16).u8(0).u8(0).u16(1, HOST_LE).u32(index, HOST_LE).u32(flags, HOST_LE).u32(0, HOST_LE).finish();
add('rtnl', Buffer.concat([ifinfo(2, 0x11043), encodeAttrs(IFLA, { ifname: 'eth0', mtu: 1500, address: mac, operstate: 6, carrier: 1, master: 3 })]));
add('rtnl', Buffer.concat([ifinfo(1, 0x10049), encodeAttrs(IFLA, { ifname: 'lo', mtu: 65536, address: new Uint8Array(6) })]));
const ifaddr = (af: number, plen: number, scope: number, index: number) => new ByteWriter(8).u8(af).u8(plen).u8(0x80).u8(scope).u32(index, HOST_LE).finish();
add('rtnl', Buffer.concat([ifaddr(2, 24, 0, 2), encodeAttrs(IFA, { address: vip4, local: vip4, label: 'eth0:vip', flags: 0x280 })]));
add('rtnl', Buffer.concat([ifaddr(10, 64, 0, 2), encodeAttrs(IFA, { address: vip6, flags: 0x80 })]));
const rtmsg = new ByteWriter(12).u8(2).u8(24).u8(0).u8(0).u8(254).u8(4).u8(0).u8(1).u32(0, HOST_LE).finish();
add('rtnl', Buffer.concat([rtmsg, encodeAttrs(RTA, { dst: parseIP('10.9.1.0').addr, oif: 2, gateway: parseIP('10.9.0.1').addr })]));

// ---- generic netlink and IPVS replies.
add('genl', encodeFamilyReply({ id: 0x2a, name: 'IPVS', version: 1, maxAttr: 9 }));
const svcEntry: ServiceEntry = { family: 4, protocol: 'tcp', address: '10.9.0.100', port: 80, fwmark: 0, scheduler: 'wlc', flags: ['persistent'], timeout: 300, netmask: 24, stats: zeroStats(), dests: [] };
const svc6: ServiceEntry = { ...svcEntry, family: 6, address: 'fd00::100', netmask: 128, flags: [], scheduler: 'mh', pe: 'sip' };
const destEntry: DestEntry = { family: 4, address: '10.9.1.10', port: 8080, forward: 'tunnel', weight: 3, upperThreshold: 100, lowerThreshold: 10, activeConns: 5, inactConns: 2, persistConns: 1, stats: { ...zeroStats(), conns: 10n, inBytes: 2n ** 33n }, tunnelType: 'gue', tunnelPort: 6080, tunnelChecksum: 'csum' };
add('ipvs', encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(svcEntry) }));
add('ipvs', encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(svc6) }));
add('ipvs', encodeIpvs(IPVS_CMD.NEW_DEST, { service: serviceReplyAttrs(svcEntry), dest: destReplyAttrs(destEntry) }));
add('ipvs', encodeIpvs(IPVS_CMD.NEW_DEST, { dest: destReplyAttrs({ ...destEntry, family: 6, address: 'fd00::10', forward: 'route', tunnelType: undefined, tunnelPort: undefined, tunnelChecksum: undefined }) }));
add('ipvs', encodeInfoReply({ version: 0x10600, connTabSize: 4096 }));
add('ipvs', encodeIpvs(IPVS_CMD.SET_CONFIG, { timeouts: { tcp: 900, tcpFin: 120, udp: 300 } }));
add('ipvs', encodeIpvs(IPVS_CMD.NEW_DAEMON, { daemon: daemonAttrs({ role: 'backup', iface: 'eth0', syncId: 7, group: '224.0.0.81', port: 8848, ttl: 1, maxLen: 1472 }) }));

// ---- HTTP_GET replies as a real server sends them (the addon reads them to the server's close).
add('http-reply', 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n');
add('http-reply', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n');
add('http-reply', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown');
add('http-reply', 'HTTP/1.0 301 Moved Permanently\nLocation: /new\n\n');
add('http-reply', 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n');
add('http-reply', 'HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nshort');

// ---- configuration: the conf/ examples and the captures' keepalived.conf files.
for (const f of readdirSync(join(ROOT, 'conf')).sort()) {
  if (f.endsWith('.conf')) add('keepalived-conf', readFileSync(join(ROOT, 'conf', f)));
  if (f.endsWith('.yaml')) add('yaml-config', readFileSync(join(ROOT, 'conf', f)));
}
for (const f of readdirSync(join(ROOT, 'conf/demo')).sort()) add('keepalived-conf', readFileSync(join(ROOT, 'conf/demo', f)));
for (const f of readdirSync(golden).filter((n) => n.endsWith('.conf')).sort()) add('keepalived-conf', readFileSync(join(golden, f)));
add('keepalived-conf', '$IF=eth0\nvrrp_instance V {\n  interface ${IF}\n  virtual_router_id 1\n  priority 100\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n@other vrrp_script x {\n}\n');
add('yaml-config', 'x-common: &c\n  interface: eth0\nvrrpInstances:\n  - <<: *c\n    name: VI_1\n    vrid: 51\n    priority: 100\n    virtualAddresses: ["10.0.0.1/24"]\n');

// ---- proc connector: the datagrams captured once here (test/fixtures/proc-connector/).
const procFx = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/proc-connector/sleep-lifecycle.json'), 'utf8')) as { datagrams: { hex: string }[] };
for (const d of procFx.datagrams) add('proc-connector', Buffer.from(d.hex, 'hex'));

for (const [target, seeds] of corpus) {
  const dir = join(OUT, target);
  mkdirSync(dir, { recursive: true });
  // Only the seeds are rewritten: crash-* and other regression inputs stay.
  for (const f of readdirSync(dir)) if (f.startsWith('seed-')) rmSync(join(dir, f));
  seeds.forEach((b, i) => writeFileSync(join(dir, `seed-${String(i + 1).padStart(3, '0')}`), b));
  console.log(`${target}: ${seeds.length} seeds`);
}
