// Invalid-VRRP flood traffic for the packet-path test and bench/packet-flood.ts: whole IPv4
// packets (the flooder writes the IP header itself, IP_HDRINCL, to set the TTL), deterministic
// from a seed, and the classification the receiving side must count for each (the transport's
// VRID dispatch, the instance's own-source check, then src/vrrp/validate.ts), so a count can be
// checked exactly. Also the flooder itself, as a snippet for ns-node.ts's startNode.
import { encodeVrrp, type VrrpVersion } from '../../../src/codec/vrrp.js';
import { parseIP } from '../../../src/lib/ip.js';
import { validateAdvert, type DropReason, type ReceiveConfig } from '../../../src/vrrp/validate.js';

export const FLOOD_KINDS = ['random', 'checksum', 'ttl1', 'version', 'vrid', 'lowprio'] as const;
export type FloodKind = typeof FLOOD_KINDS[number] | 'edge';
export const GROUP = '224.0.0.18';

export interface FloodTarget {
  /** The flooder's source address. */
  src: string;
  /** The instance under attack: VRID, version, VIP. */
  vrid: number;
  version: VrrpVersion;
  vip: string;
}

/** xorshift32: the same packets on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** An IPv4 header + payload; the kernel fills the checksum and id of an IP_HDRINCL packet. */
export function ipv4(src: string, dst: string, ttl: number, payload: Uint8Array): Buffer {
  const p = Buffer.alloc(20 + payload.length);
  p[0] = 0x45; p[1] = 0xc0; p.writeUInt16BE(p.length, 2); p[8] = ttl; p[9] = 112;
  p.set(parseIP(src).addr, 12); p.set(parseIP(dst).addr, 16); p.set(payload, 20);
  return p;
}

function advert(t: FloodTarget, o: { vrid?: number; priority?: number; version?: VrrpVersion; type?: number } = {}): Buffer {
  const version = o.version ?? t.version;
  return encodeVrrp({
    version, vrid: o.vrid ?? t.vrid, priority: o.priority ?? 100, addresses: [parseIP(t.vip).addr], interval: version === 2 ? 1 : 100,
    ...(o.type !== undefined ? { type: o.type } : {}),
  }, { src: parseIP(t.src).addr, dst: parseIP(GROUP).addr, mode: 'pseudo-header' });
}

/** `n` packets of one kind. 'edge' cycles through the boundary cases of every kernel check. */
export function floodPackets(kind: FloodKind, t: FloodTarget, n: number, seed = 1): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    let ttl = 255, payload: Uint8Array;
    switch (kind) {
      case 'random': payload = Uint8Array.from({ length: r() % 41 }, () => r() & 0xff); break;
      case 'checksum': payload = advert(t); payload[6]! ^= 1 + (i & 0x7f); break;
      case 'ttl1': payload = advert(t); ttl = 1; break;
      case 'version': payload = advert(t, { version: t.version === 3 ? 2 : 3 }); break;
      case 'vrid': payload = advert(t, { vrid: (t.vrid + 1 + (i % 255)) % 256 }); break; // every VRID but ours
      case 'lowprio': payload = advert(t, { priority: 1 + (i % 100) }); break;
      case 'edge': { const e = edge(t, i, r); payload = e.payload; ttl = e.ttl; break; }
    }
    out.push(ipv4(t.src, GROUP, ttl, payload));
  }
  return out;
}

function edge(t: FloodTarget, i: number, r: () => number): { payload: Uint8Array; ttl: number } {
  const good = advert(t);
  const cases: (() => { payload: Uint8Array; ttl: number })[] = [
    () => ({ payload: new Uint8Array(0), ttl: 255 }),
    () => ({ payload: Uint8Array.of(0x31), ttl: 255 }),
    () => ({ payload: Uint8Array.of(0x31, t.vrid), ttl: 255 }),
    () => ({ payload: good.subarray(0, 7), ttl: 1 }),
    () => ({ payload: good.subarray(0, good.length - 1), ttl: 255 }),      // address count says longer
    () => ({ payload: good.subarray(0, good.length - 1), ttl: 1 }),        // length before TTL
    () => ({ payload: good, ttl: 254 }),
    () => ({ payload: Buffer.concat([good, Buffer.alloc(3)]), ttl: 255 }), // trailing bytes are ignored: valid
    () => ({ payload: advert(t, { version: 2 }).subarray(0, 19), ttl: 255 }), // v2 needs its 8 auth bytes
    () => { const p = Buffer.from(good); p[0] = 0x01 | (r() % 16) << 4; return { payload: p, ttl: 255 }; },
    () => { const p = Buffer.from(good); p[0] = (t.version << 4) | (r() % 16); return { payload: p, ttl: 255 }; },
    () => ({ payload: advert(t, { type: 2 }), ttl: 1 }),
    () => ({ payload: advert(t, { type: 0 }), ttl: 255 }),
    () => { const p = Buffer.from(good); p[3] = 255; return { payload: p, ttl: 255 }; },
    () => ({ payload: good, ttl: 255 }),
  ];
  return cases[i % cases.length]!();
}

export type Outcome = DropReason | 'ok' | 'own' | 'unknown-vrid';

/**
 * What the receiving daemon must count for `pkt` (an IPv4 packet as built above) given the VRIDs
 * it serves: the transport's dispatch by the VRID byte, the instance's own-source check, then
 * validation. The kernel filter must reach the same outcome for every packet it drops.
 */
export function classify(pkt: Buffer, served: ReadonlyMap<number, { rx: ReceiveConfig; src: Uint8Array }>): { vrid: number; outcome: Outcome } {
  const ihl = (pkt[0]! & 0x0f) * 4;
  const payload = pkt.subarray(ihl);
  const vrid = payload.length >= 2 ? payload[1]! : -1;
  const inst = served.get(vrid);
  if (!inst) return { vrid, outcome: 'unknown-vrid' };
  const src = Uint8Array.from(pkt.subarray(12, 16));
  if (Buffer.from(src).equals(Buffer.from(inst.src))) return { vrid, outcome: 'own' };
  const v = validateAdvert(inst.rx, { payload, src, dst: Uint8Array.from(pkt.subarray(16, 20)), ttl: pkt[8]! });
  return { vrid, outcome: v.ok ? 'ok' : v.reason };
}

/**
 * The flooder (run in its namespace with startNode): sends the packets of each `kinds` entry at
 * `rate` per second through an IP_HDRINCL raw socket on eth0, printing {"kind","phase":"start"}
 * before and {"kind","phase":"done","sent","ms"} after each; with `stepDir`, it prints
 * {"kind","phase":"ready"} and waits for the file stepDir/go.N (N counting kinds from 0) before
 * each kind, so that the bench can measure an idle baseline in between.
 */
export function flooderCode(o: { target: FloodTarget; kinds: FloodKind[]; n: number; rate: number; seed?: number; stepDir?: string }): string {
  const here = new URL('./vrrp-flood.ts', import.meta.url).pathname;
  return `
    import { RawSocket } from '$SRC/net/raw-socket.js';
    import { floodPackets } from '${here}';
    import { existsSync } from 'node:fs';
    const o = ${JSON.stringify(o)};
    const s = RawSocket.open({ family: 4, protocol: 112, headerIncluded: true });
    s.bindToDevice('eth0');
    const say = (x) => console.log(JSON.stringify(x));
    for (const [k, kind] of o.kinds.entries()) {
      const pkts = floodPackets(kind, o.target, o.n, o.seed ?? 1);
      if (o.stepDir) {
        say({ kind, phase: 'ready' });
        while (!existsSync(o.stepDir + '/go.' + k)) await new Promise((r) => setTimeout(r, 5));
      }
      say({ kind, phase: 'start' });
      const t0 = performance.now();
      let sent = 0, errors = 0;
      while (sent < pkts.length) {
        const due = Math.min(pkts.length, Math.floor((performance.now() - t0) / 1000 * o.rate) + 1);
        for (; sent < due; sent++) { try { s.send(pkts[sent], '${GROUP}'); } catch { errors++; } }
        if (sent < pkts.length) await new Promise((r) => setTimeout(r, 1));
      }
      say({ kind, phase: 'done', sent, errors, ms: performance.now() - t0 });
    }
    s.close();
    process.exit(0);`;
}

/** The receive configuration of the instances receiverCode() serves (v3 VRID 51, v2 VRID 60). */
export const rx = (vrid: number, version: VrrpVersion): ReceiveConfig =>
  ({ version, family: 4, vrid, checksumMode: 'pseudo-header', auth: { type: 'none' }, advertIntervalCs: 100 });

/**
 * The receiving side, in process (ns-node.ts's startNode): the real transport for VRIDs 51 (v3)
 * and 60 (v2) on eth0, counting as Instance.receive does (received, own, validate.ts's reason,
 * ok). On SIGUSR2 it prints {counts, kernel: transport.kernelDrops() per VRID, unknown, logs}.
 */
export function receiverCode(master: string, filter: boolean): string {
  return `
  import { RawVrrpTransports } from '$SRC/adapters/vrrp-transport.js';
  import { Rtnl } from '$SRC/net/rtnl.js';
  import { RtnlLinks } from '$SRC/adapters/links.js';
  import { parseIP, addrEqual } from '$SRC/lib/ip.js';
  import { validateAdvert } from '$SRC/vrrp/validate.js';
  const logs = [];
  const log = { child: () => log, debug() {}, warn: (o, m) => logs.push(m), error: (o, m) => logs.push(m), info: (o, m) => logs.push(m + ' ' + JSON.stringify(o)) };
  const links = await RtnlLinks.open(Rtnl.open());
  const f = new RawVrrpTransports((n) => links.ifindex(n), log, { kernelFilter: ${filter} });
  const src = parseIP('${master}').addr, group = parseIP('${GROUP}').addr;
  const rx = ${JSON.stringify({ 51: rx(51, 3), 60: rx(60, 2) })};
  const ts = {}, counts = {};
  for (const [vrid, version] of [[51, 3], [60, 2]]) {
    const c = counts[vrid] = { received: 0 };
    const t = ts[vrid] = f.open({ ifname: 'eth0', family: 4, vrid, version, checksumMode: 'pseudo-header', src, group });
    t.onReceive((d) => {
      c.received++;
      if (addrEqual(d.src, src)) { c.own = (c.own ?? 0) + 1; return; }
      const v = validateAdvert(rx[vrid], d);
      const k = v.ok ? 'ok' : v.reason;
      c[k] = (c[k] ?? 0) + 1;
    });
  }
  console.log(JSON.stringify({ ready: true }));
  await new Promise((r) => process.once('SIGUSR2', r));
  await new Promise((r) => setTimeout(r, 300));
  const kernel = {};
  for (const vrid of [51, 60]) kernel[vrid] = ts[vrid].kernelDrops?.() ?? {};
  console.log(JSON.stringify({ counts, kernel, unknown: f.unknownVridDrops?.() ?? null, logs }));
  f.close();
  process.exit(0);`;
}
