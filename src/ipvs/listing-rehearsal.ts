// A listing rehearsed without a kernel: a small table of every kind of entry (IPv4 and IPv6, TCP,
// UDP, SCTP and firewall marks, persistence, scheduler flags, each forwarding method, tunnels) and
// a transport that answers a listing's requests for it as net/netfilter/ipvs/ip_vs_ctl.c would,
// with the codec's reply encoders. The build runs `ipvs list` over it so that V8 compiles what a
// real listing runs before the code cache is written (src/cli/bundle-code-cache.ts).
import { encodeFamilyReply, GENL_ID_CTRL } from '../codec/netlink/genl.js';
import { decodeIpvs, destReplyAttrs, encodeInfoReply, encodeIpvs, IPVS_CMD, serviceReplyAttrs } from '../codec/netlink/ipvs.js';
import { encodeServiceKeyCommand } from '../codec/netlink/ipvs-service.js';
import { SysError } from '../lib/errors.js';
import { zeroStats, type DestEntry, type ForwardMethod, type ServiceEntry } from './model.js';
import type { GenlTransport, NetlinkMessage } from './transport.js';

const FAMILY_ID = 0x2a;

function dest(family: 4 | 6, address: string, port: number, forward: ForwardMethod, weight: number): DestEntry {
  return {
    family, address, port, forward, weight, upperThreshold: weight > 2 ? 100 : 0, lowerThreshold: 0,
    ...(forward === 'tunnel' ? { tunnelType: 'ipip' as const, tunnelPort: 0, tunnelChecksum: 'nocsum' as const } : {}),
    activeConns: weight * 3, inactConns: weight, persistConns: 0, stats: zeroStats(),
  };
}

/** `n` services of each kind, their real servers in the kernel's order (newest first) and out of it. */
export function rehearsalTable(n = 20): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  const forwards: ForwardMethod[] = ['masq', 'route', 'tunnel'];
  for (let i = 0; i < n; i++) {
    const base = { scheduler: i % 3 ? 'wrr' : 'sh', timeout: 0, netmask: 32, stats: zeroStats() };
    const v4 = (k: number) => Array.from({ length: 4 }, (_, j) => dest(4, `10.200.${i}.${k === 0 ? 4 - j : j + 1}`, 8000 + j, forwards[(i + j) % 3]!, j + 1));
    out.push(
      { ...base, family: 4, protocol: 'tcp', address: `10.100.${i >> 8}.${(i * 37) & 255}`, port: 80, fwmark: 0, flags: i % 3 ? [] : ['sh-port'], dests: v4(i & 1) },
      { ...base, family: 4, protocol: i & 1 ? 'udp' : 'sctp', address: `10.101.0.${i}`, port: 53, fwmark: 0, flags: ['persistent'], timeout: 300, netmask: 24, dests: v4(1) },
      { ...base, family: 4, protocol: 'tcp', address: '0.0.0.0', port: 0, fwmark: i + 1, flags: [], dests: v4(0).slice(0, 2) },
      { ...base, family: 6, protocol: 'tcp', address: `2001:db8::${(i + 1).toString(16)}`, port: 443, fwmark: 0, flags: [], netmask: 128,
        dests: Array.from({ length: 3 }, (_, j) => dest(6, `2001:db8:1::${j + 1}`, 443, 'masq', j)) },
    );
  }
  out.push({ family: 4, protocol: 'tcp', address: '10.102.0.1', port: 80, fwmark: 0, scheduler: 'rr', flags: [], timeout: 0, netmask: 32, stats: zeroStats(), dests: [] });
  return out;
}

/** A GenlTransport serving `table` to a listing: the family lookup, GET_INFO, and the dumps of services and of each one's real servers. */
export function rehearsalTransport(table: readonly ServiceEntry[]): GenlTransport {
  const services = table.map((s) => encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(s) }));
  // Each service's GET_DEST request as the client writes it -> the kernel's answer to it.
  const dests = new Map(table.map((s) => [encodeServiceKeyCommand(IPVS_CMD.GET_DEST, s).toString('latin1'),
    s.dests.map((d) => encodeIpvs(IPVS_CMD.NEW_DEST, { dest: destReplyAttrs(d) }))]));
  const answer = (type: number, payload: Uint8Array): Buffer[] => {
    if (type === GENL_ID_CTRL) return [encodeFamilyReply({ id: FAMILY_ID, name: 'IPVS', version: 1, maxAttr: 6 })];
    if (type !== FAMILY_ID) throw new SysError('netlink request', 'ENOENT');
    const cmd = decodeIpvs(payload).cmd;
    if (cmd === IPVS_CMD.GET_INFO) return [encodeInfoReply({ version: 0x010201, connTabSize: 4096 })];
    if (cmd === IPVS_CMD.GET_SERVICE) return services;
    const d = cmd === IPVS_CMD.GET_DEST ? dests.get(Buffer.from(payload).toString('latin1')) : undefined;
    if (!d) throw new SysError('netlink request', cmd === IPVS_CMD.GET_DEST ? 'ESRCH' : 'EOPNOTSUPP');
    return d;
  };
  return {
    request: async (type, _flags, payload): Promise<NetlinkMessage[]> =>
      answer(type, payload).map((p) => ({ type, flags: 0, seq: 0, pid: 0, payload: p })),
    dumpEach(type, payloads, each) {
      for (let i = 0; i < payloads.length; i++) {
        let replies: Buffer[];
        try { replies = answer(type, payloads[i]!); } catch (e) { return { done: i, error: e as Error }; }
        for (const r of replies) each(i, r, 0, r.length);
      }
      return { done: payloads.length };
    },
    requestNow: (type, _flags, payload) => answer(type, payload),
    close() {},
  };
}
