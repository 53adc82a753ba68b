// The hostile sender of test/reliability/flood.test.ts, run in its own namespace: VRRP packets of
// each invalid kind (and valid lower-priority ones) to 224.0.0.18 through a raw socket, paced in
// bursts. Prints one JSON line: what was sent by kind and, for every packet that carries the
// instance's VRID, the drop reason the receiver's validation must count (from the pure validator,
// given the receiving instance's configuration and the TTL the packet was sent with).
//   node --import tsx attacker.ts '{"ifname":"eth0","vrid":51,"password":"secret","counts":{...},"seed":1}'
import { readFileSync } from 'node:fs';
import { RawSocket } from '../../../src/net/raw-socket.js';
import { encodeVrrp, passAuthData, VRRP_MCAST_V4 } from '../../../src/codec/vrrp.js';
import { validateAdvert, type ReceiveConfig } from '../../../src/vrrp/validate.js';

type Kind = 'random' | 'bad-checksum' | 'ttl1-higher-priority' | 'wrong-version' | 'other-vrid' | 'bad-auth' | 'lower-priority' | 'bad-interval';
const o = JSON.parse(process.argv[2]!) as { ifname: string; src: string; vrid: number; password: string; counts: Partial<Record<Kind, number>>; seed: number; burst?: number; pauseMs?: number };

let s = o.seed >>> 0 || 1;
const rnd = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
const src = Uint8Array.from(o.src.split('.').map(Number));
const vip = Uint8Array.of(10, 9, 0, 100);
const advert = (over: { vrid?: number; priority?: number; password?: string; interval?: number } = {}): Buffer => encodeVrrp({
  version: 2, vrid: over.vrid ?? o.vrid, priority: over.priority ?? 100, interval: over.interval ?? 1, addresses: [vip],
  authType: 1, authData: passAuthData(over.password ?? o.password),
});

function packet(kind: Kind): { data: Buffer; ttl: number } {
  switch (kind) {
    case 'random': {
      const b = Buffer.alloc(Math.floor(rnd() * 64));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
      if (b.length > 1 && rnd() < 0.5) b[1] = o.vrid; // half reach the instance's validation
      return { data: b, ttl: 255 };
    }
    case 'bad-checksum': { const b = advert({ priority: 254 }); b.writeUInt16BE(b.readUInt16BE(6) ^ 0x1234, 6); return { data: b, ttl: 255 }; }
    // A valid advert that would win the election, but routed (TTL < 255): must be ignored.
    case 'ttl1-higher-priority': return { data: advert({ priority: 254 }), ttl: 1 + Math.floor(rnd() * 254) };
    case 'wrong-version': { const b = advert({ priority: 254 }); b[0] = 0x31; b.writeUInt16BE(0, 6); let sum = 0; for (let i = 0; i < b.length; i += 2) sum += b.readUInt16BE(i); while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16); b.writeUInt16BE(~sum & 0xffff, 6); return { data: b, ttl: 255 }; }
    case 'other-vrid': return { data: advert({ vrid: o.vrid === 255 ? 1 : o.vrid + 1, priority: 254 }), ttl: 255 };
    case 'bad-auth': return { data: advert({ priority: 254, password: 'wrong' }), ttl: 255 };
    case 'bad-interval': return { data: advert({ priority: 254, interval: 3 }), ttl: 255 };
    case 'lower-priority': return { data: advert({ priority: 50 }), ttl: 255 };
  }
}

const rx: ReceiveConfig = { version: 2, family: 4, vrid: o.vrid, checksumMode: 'pseudo-header', auth: { type: 'pass', password: o.password }, advertIntervalCs: 100 };
const ifindex = Number(readFileSync(`/sys/class/net/${o.ifname}/ifindex`, 'utf8'));
const sock = RawSocket.open({ family: 4, protocol: 112 });
sock.setMulticastInterface(ifindex, src);
sock.setMulticastLoop(false);

// Interleave the kinds so no one reason arrives as a single block.
const queue: Kind[] = [];
for (const [k, n] of Object.entries(o.counts) as [Kind, number][]) for (let i = 0; i < n; i++) queue.push(k);
for (let i = queue.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [queue[i], queue[j]] = [queue[j]!, queue[i]!]; }

const sent: Record<string, number> = {};
const expectDrops: Record<string, number> = {};
let accepted = 0, otherVrid = 0, sendErrors = 0;
const burst = o.burst ?? 50, pauseMs = o.pauseMs ?? 10;
let ttl = -1;
for (let i = 0; i < queue.length; i++) {
  const kind = queue[i]!;
  const p = packet(kind);
  if (p.ttl !== ttl) { sock.setTtl(p.ttl); ttl = p.ttl; }
  try { sock.send(p.data, VRRP_MCAST_V4); } catch { sendErrors++; continue; }
  sent[kind] = (sent[kind] ?? 0) + 1;
  if (p.data.length < 2 || p.data[1] !== o.vrid) { otherVrid++; continue; }
  const v = validateAdvert(rx, { payload: p.data, src, dst: VRRP_MCAST_V4, ttl: p.ttl });
  if (v.ok) accepted++; else expectDrops[v.reason] = (expectDrops[v.reason] ?? 0) + 1;
  if ((i + 1) % burst === 0) await new Promise((r) => setTimeout(r, pauseMs));
}
sock.close();
process.stdout.write(`${JSON.stringify({ sent, total: queue.length - sendErrors, expectDrops, accepted, otherVrid, sendErrors })}\n`);
