// The VRRP transport's kernel filter between two namespaces: every invalid packet of a flood is
// counted exactly once under the reason src/vrrp/validate.ts gives it, whether the eBPF filter
// dropped it in the kernel (transport.kernelDrops()) or user space validated it, and the counts
// are the same with the filter off. The expected counts come from classify() over the same packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, waitForLine, withLan, runNode } from './ns-node.js';
import { classify, rx, floodPackets, flooderCode, receiverCode, FLOOD_KINDS, type FloodKind, type FloodTarget } from './vrrp-flood.js';
import { DROP_REASONS } from '../../../src/vrrp/validate.js';
import { parseIP } from '../../../src/lib/ip.js';

const MASTER = '10.9.0.1';
const SERVED = new Map([[51, { rx: rx(51, 3), src: parseIP(MASTER).addr }], [60, { rx: rx(60, 2), src: parseIP(MASTER).addr }]]);
const targets: { target: FloodTarget; kinds: FloodKind[] }[] = [
  { target: { src: '10.9.0.9', vrid: 51, version: 3, vip: '10.9.1.51' }, kinds: [...FLOOD_KINDS, 'edge'] },
  { target: { src: '10.9.0.9', vrid: 60, version: 2, vip: '10.9.1.60' }, kinds: ['edge', 'version', 'ttl1', 'checksum'] },
  // Our own source address: counted as `own` before any check, so never in the kernel.
  { target: { src: MASTER, vrid: 51, version: 3, vip: '10.9.1.51' }, kinds: ['ttl1', 'edge'] },
];
const N = 150;

type Tally = Record<string, number>;
function expected(): Record<string, Tally> {
  const out: Record<string, Tally> = { 51: {}, 60: {}, unknown: {} };
  for (const { target, kinds } of targets) {
    for (const k of kinds) {
      for (const p of floodPackets(k, target, N)) {
        const c = classify(p, SERVED);
        const t = c.outcome === 'unknown-vrid' ? out.unknown! : out[c.vrid]!;
        t[c.outcome] = (t[c.outcome] ?? 0) + 1;
        if (c.outcome !== 'unknown-vrid') t.received = (t.received ?? 0) + 1;
      }
    }
  }
  return out;
}

async function flood(filter: boolean): Promise<{ total: Record<string, Tally>; inKernel: number; logs: string[] }> {
  let result: { total: Record<string, Tally>; inKernel: number; logs: string[] } | undefined;
  await withLanOnce(async (m, fl) => {
    const rcv = startNode(m, receiverCode(MASTER, filter), { timeoutMs: 60_000 });
    await waitForLine(rcv, (l) => l.includes('"ready"'), 20_000);
    for (const { target, kinds } of targets) await runNode(fl, flooderCode({ target, kinds, n: N, rate: 3000 }), { timeoutMs: 60_000 });
    rcv.child.kill('SIGUSR2');
    const r = await rcv.done;
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { counts: Record<string, Tally>; kernel: Record<string, Tally>; unknown: number; logs: string[] };
    const total: Record<string, Tally> = { unknown: { 'unknown-vrid': out.unknown } };
    let inKernel = 0;
    for (const vrid of ['51', '60']) {
      const t: Tally = { ...out.counts[vrid] };
      for (const [reason, n] of Object.entries(out.kernel[vrid]!)) {
        if (n) { t[reason] = (t[reason] ?? 0) + n; t.received = (t.received ?? 0) + n; inKernel += n; }
      }
      total[vrid] = t;
    }
    result = { total, inKernel, logs: out.logs };
  });
  return result!;
}

let lanRunner: ((fn: (m: string, fl: string) => Promise<void>) => Promise<void>) | undefined;
const withLanOnce = (fn: (m: string, fl: string) => Promise<void>) => lanRunner!(fn);

test('a flood of invalid VRRP packets is counted exactly once per packet, by reason, with the kernel filter on and off', { timeout: 180_000 }, async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const m = lan.addHost('m', [`${MASTER}/16`]);
    const fl = lan.addHost('f', ['10.9.0.9/16']);
    // Let packets claiming our own source in (Linux drops them as martians otherwise).
    m.run('sysctl', '-qw', 'net.ipv4.conf.all.accept_local=1', 'net.ipv4.conf.eth0.accept_local=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.eth0.rp_filter=0');
    lanRunner = (fn) => fn(m.ns, fl.ns);
    const want = expected();
    // The flood covers every reason the kernel can count, and some it leaves to user space.
    for (const r of ['bad-length', 'bad-ttl', 'bad-version', 'bad-type', 'bad-checksum', 'ok', 'own']) assert.ok(want[51]![r]! > 0, `no ${r} packet in the flood`);
    const on = await flood(true);
    const norm = (x: Record<string, Tally>) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([, n]) => n).sort())]));
    assert.deepEqual(norm(on.total), norm(want), `filter on; logs: ${on.logs.join(' | ')}`);
    assert.ok(on.inKernel > N, `the kernel filter dropped only ${on.inKernel} packets; logs: ${on.logs.join(' | ')}`);
    const off = await flood(false);
    assert.deepEqual(norm(off.total), norm(want), 'filter off');
    assert.ok(DROP_REASONS.length > 0);
  });
});

// IPv6 in a real kernel: a raw IPv6 socket's skb->data is the VRRP payload and the IPv6 header is
// reached through SKF_NET_OFF, as vrrp-filter.ts assumes; the counts must match validate.ts.
const receiver6 = `
  import { RawVrrpTransports } from '$SRC/adapters/vrrp-transport.js';
  import { Rtnl } from '$SRC/net/rtnl.js';
  import { RtnlLinks } from '$SRC/adapters/links.js';
  import { parseIP } from '$SRC/lib/ip.js';
  import { validateAdvert } from '$SRC/vrrp/validate.js';
  const links = await RtnlLinks.open(Rtnl.open());
  const [own, filter] = [process.env.OWN, process.env.FILTER === '1'];
  const f = new RawVrrpTransports((n) => links.ifindex(n), { child() { return this; }, debug() {}, info() {}, warn() {}, error() {} }, { kernelFilter: filter });
  const t = f.open({ ifname: 'eth0', family: 6, vrid: 51, version: 3, src: parseIP(own).addr, group: parseIP('ff02::12').addr });
  const rx = { version: 3, family: 6, vrid: 51, checksumMode: 'pseudo-header', auth: { type: 'none' }, advertIntervalCs: 100 };
  const c = { received: 0 };
  t.onReceive((d) => { c.received++; const v = validateAdvert(rx, d); const k = v.ok ? 'ok' : v.reason; c[k] = (c[k] ?? 0) + 1; });
  console.log(JSON.stringify({ ready: true }));
  await new Promise((r) => process.once('SIGUSR2', r));
  await new Promise((r) => setTimeout(r, 300));
  console.log(JSON.stringify({ counts: c, kernel: t.kernelDrops(), unknown: f.unknownVridDrops() }));
  process.exit(0);`;

const sender6 = `
  import { RawSocket } from '$SRC/net/raw-socket.js';
  import { encodeVrrp } from '$SRC/codec/vrrp.js';
  import { parseIP } from '$SRC/lib/ip.js';
  import { Rtnl } from '$SRC/net/rtnl.js';
  import { RtnlLinks } from '$SRC/adapters/links.js';
  const links = await RtnlLinks.open(Rtnl.open());
  const ifindex = links.ifindex('eth0');
  const src = parseIP(process.env.SRC).addr, group = parseIP('ff02::12').addr;
  const s = RawSocket.open({ family: 6, protocol: 112 });
  s.bindToDevice('eth0'); s.setMulticastInterface(ifindex); s.bind(src, ifindex);
  const adv = (o = {}) => encodeVrrp({ version: 3, vrid: 51, priority: 100, addresses: [parseIP('fd00::1').addr], interval: 100, ...o }, { src, dst: group, mode: 'pseudo-header' });
  const kinds = {
    ok: [255, () => adv()], ttl1: [1, () => adv()], version: [255, () => { const p = adv(); p[0] = 0x41; return p; }],
    checksum: [255, () => { const p = adv(); p[6] ^= 0xff; return p; }], type: [255, () => adv({ type: 2 })],
    short: [255, () => adv().subarray(0, 7)], count: [255, () => adv().subarray(0, 23)], vrid: [255, () => adv({ vrid: 52 })],
  };
  for (const [name, [hop, make]] of Object.entries(kinds)) {
    s.setTtl(hop);
    for (let i = 0; i < 20; i++) { s.send(make(), group, { scopeIfindex: ifindex }); await new Promise((r) => setTimeout(r, 1)); }
  }
  console.log(JSON.stringify({ sent: Object.keys(kinds).length * 20 }));
  process.exit(0);`;

test('IPv6: the kernel filter counts what validate.ts would, through SKF_NET_OFF for the hop limit and addresses', { timeout: 120_000 }, async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    // Explicit link-local addresses: VRRP over IPv6 is sent from one (RFC 5798 §5.1.2.2).
    const m = lan.addHost('m', ['fd00::1/64', 'fe80::1/64']);
    const fl = lan.addHost('f', ['fd00::9/64', 'fe80::9/64']);
    const own = 'fe80::1', peer = 'fe80::9';
    const want = { received: 140, ok: 20, 'bad-ttl': 20, 'bad-version': 20, 'bad-checksum': 20, 'bad-type': 20, 'bad-length': 40 };
    for (const filter of [true, false]) {
      const rcv = startNode(m.ns, `process.env.OWN = '${own}'; process.env.FILTER = '${filter ? 1 : 0}';\n${receiver6}`, { timeoutMs: 60_000 });
      await waitForLine(rcv, (l) => l.includes('"ready"'), 20_000).catch(async (e) => { throw new Error(`${(e as Error).message}\n${(await rcv.done).stderr}`); });
      await runNode(fl.ns, `process.env.SRC = '${peer}';\n${sender6}`, { timeoutMs: 60_000 });
      rcv.child.kill('SIGUSR2');
      const r = await rcv.done;
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { counts: Record<string, number>; kernel: Record<string, number>; unknown: number };
      const total: Record<string, number> = { ...out.counts };
      let inKernel = 0;
      for (const [k, n] of Object.entries(out.kernel)) if (n) { total[k] = (total[k] ?? 0) + n; total.received = (total.received ?? 0) + n; inKernel += n; }
      assert.deepEqual(total, want, `filter ${filter ? 'on' : 'off'}: ${r.stdout}`);
      assert.equal(out.unknown, 20, 'the VRID 52 adverts');
      assert.equal(inKernel, filter ? 120 : 0, `kernel drops with the filter ${filter ? 'on' : 'off'}`);
    }
  });
});

test('a checksum form changed in place (reload of v3_checksum_as_v2) is what the filter checks from then on', { timeout: 120_000 }, async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const m = lan.addHost('m', [`${MASTER}/16`]);
    const fl = lan.addHost('f', ['10.9.0.9/16']);
    const rcv = startNode(m.ns, `
      import { RawVrrpTransports } from '$SRC/adapters/vrrp-transport.js';
      import { Rtnl } from '$SRC/net/rtnl.js';
      import { RtnlLinks } from '$SRC/adapters/links.js';
      import { parseIP } from '$SRC/lib/ip.js';
      import { validateAdvert } from '$SRC/vrrp/validate.js';
      const links = await RtnlLinks.open(Rtnl.open());
      const f = new RawVrrpTransports((n) => links.ifindex(n), { child() { return this; }, debug() {}, info() {}, warn() {}, error() {} }, { kernelFilter: true });
      const t = f.open({ ifname: 'eth0', family: 4, vrid: 51, version: 3, checksumMode: 'pseudo-header', src: parseIP('${MASTER}').addr, group: parseIP('224.0.0.18').addr });
      const rx = { version: 3, family: 4, vrid: 51, checksumMode: 'pseudo-header', auth: { type: 'none' }, advertIntervalCs: 100 };
      const c = {};
      t.onReceive((d) => { const v = validateAdvert(rx, d); const k = v.ok ? 'ok' : v.reason; c[k] = (c[k] ?? 0) + 1; });
      const report = async () => { await new Promise((r) => setTimeout(r, 300)); console.log(JSON.stringify({ user: { ...c }, kernel: t.kernelDrops() })); };
      console.log(JSON.stringify({ ready: true }));
      process.once('SIGUSR1', async () => { await report(); rx.checksumMode = 'plain'; t.setChecksumMode('plain'); console.log(JSON.stringify({ switched: true })); });
      await new Promise((r) => process.once('SIGUSR2', r));
      await report();
      process.exit(0);`, { timeoutMs: 60_000 });
    await waitForLine(rcv, (l) => l.includes('"ready"'), 20_000);
    const send = () => runNode(fl.ns, `
      import { RawSocket } from '$SRC/net/raw-socket.js';
      import { encodeVrrp } from '$SRC/codec/vrrp.js';
      import { parseIP } from '$SRC/lib/ip.js';
      import { ipv4 } from '${new URL('./vrrp-flood.ts', import.meta.url).pathname}';
      const s = RawSocket.open({ family: 4, protocol: 112, headerIncluded: true });
      s.bindToDevice('eth0');
      const plain = encodeVrrp({ version: 3, vrid: 51, priority: 100, addresses: [parseIP('10.9.1.51').addr], interval: 100 }, { src: parseIP('10.9.0.9').addr, dst: parseIP('224.0.0.18').addr, mode: 'plain' });
      for (let i = 0; i < 30; i++) { s.send(ipv4('10.9.0.9', '224.0.0.18', 255, plain), '224.0.0.18'); await new Promise((r) => setTimeout(r, 1)); }
      console.log(JSON.stringify({ sent: 30 }));
      process.exit(0);`, { timeoutMs: 60_000 });
    await send();
    rcv.child.kill('SIGUSR1');
    await waitForLine(rcv, (l) => l.includes('"switched"'), 10_000);
    await send();
    rcv.child.kill('SIGUSR2');
    const r = await rcv.done;
    const [before, after] = r.stdout.trim().split('\n').filter((l) => l.includes('"kernel"')).map((l) => JSON.parse(l) as { user: Record<string, number>; kernel: Record<string, number> });
    assert.equal(before!.kernel['bad-checksum'], 30, `pseudo-header expected: plain ones dropped in the kernel; ${r.stdout}`);
    assert.deepEqual(before!.user, {});
    assert.equal(after!.kernel['bad-checksum'], 30, 'no more kernel drops after the switch');
    assert.deepEqual(after!.user, { ok: 30 }, `plain accepted after the switch; ${r.stdout}`);
  });
});
