// Raw VRRP sockets against the real thing: adverts from Debian's keepalived in one namespace are
// received in another (multicast join, TTL/hop limit 255 from the kernel, source, ifindex), both
// through the callback and through drain(); our own sends arrive with TTL 255 and do not loop back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Lan } from '../../support/netns.js';
import { runNode, startNode, waitForLine, withLan } from './ns-node.js';

const receiver = (family: 4 | 6, group: string) => `
  import { RawSocket } from '$SRC/net/raw-socket.ts';
  import { Rtnl } from '$SRC/net/rtnl.ts';
  import { formatIP } from '$SRC/lib/ip.ts';
  const r = Rtnl.open(); const eth0 = await r.getLink('eth0'); r.close();
  const s = RawSocket.open({ family: ${family}, protocol: 112 });
  s.bindToDevice('eth0');
  s.joinGroup('${group}', eth0.index);
  const show = (d) => ({ src: formatIP(d.src), dst: d.dst && formatIP(d.dst), ttl: d.ttl, ifindex: d.ifindex, head: [...d.data.subarray(0, 2)] });
  // keepalived needs a moment to become master: look every 1.5 s, without a callback registered.
  let drained = [];
  for (let i = 0; i < 8 && drained.length === 0; i++) {
    await new Promise((res) => setTimeout(res, 1500));
    drained = s.drain().map(show);
  }
  const next = await new Promise((res) => s.onMessage((d) => res(show(d))));
  s.close(); s.close();
  console.log(JSON.stringify({ eth0: eth0.index, drained, next }));`;

for (const c of [
  { family: 4 as const, version: 2, group: '224.0.0.18', src: '10.9.0.1', addrs: [['10.9.0.1/24'], ['10.9.0.2/24']], vips: ['10.9.0.100/24'] },
  { family: 6 as const, version: 3, group: 'ff02::12', src: '', addrs: [['2001:db8::1/64'], ['2001:db8::2/64']], vips: ['2001:db8::100/64'] },
]) {
  test(`VRRPv${c.version} adverts from a real keepalived arrive through the raw IPv${c.family} socket`, async (t) => {
    if (!needRoot(t, 'ip', 'keepalived')) return;
    const dir = mkdtempSync(join(tmpdir(), 'vk-ka-'));
    const lan = new Lan();
    try {
      const a = lan.addHost('a', c.addrs[0]);
      const b = lan.addHost('b', c.addrs[1]);
      const conf = join(dir, 'keepalived.conf');
      writeFileSync(conf, `global_defs {\n  router_id vk\n  vrrp_version ${c.version}\n}\nvrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 200\n  advert_int 1\n  virtual_ipaddress {\n    ${c.vips.join('\n    ')}\n  }\n}\n`);
      const ka = a.spawn('keepalived', ['-n', '-l', '-D', '-P', '-f', conf, '-p', join(dir, 'ka.pid'), '-r', join(dir, 'vrrp.pid')]);
      try {
        const got = await runNode(b.ns, receiver(c.family, c.group), { timeoutMs: 25000 });
        const lladdr = c.family === 6 ? (JSON.parse(a.run('ip', '-j', '-6', 'addr', 'show', 'dev', 'eth0'))[0].addr_info as { local?: string }[]).find((x) => x.local?.startsWith('fe80:'))?.local : c.src;
        assert.ok(got.drained.length >= 1, 'drain() returned the adverts queued while nobody listened');
        for (const d of [...got.drained, got.next]) {
          assert.equal(d.src, lladdr, 'source address');
          assert.equal(d.dst, c.group, 'destination: the VRRP group');
          assert.equal(d.ttl, 255, 'TTL / hop limit reported by the kernel');
          assert.equal(d.ifindex, got.eth0, 'receiving interface');
          assert.deepEqual(d.head, [(c.version << 4) | 1, 51], 'VRRP version/type and VRID');
        }
      } finally {
        ka.kill('SIGTERM');
        await new Promise((r) => { if (ka.exitCode !== null) r(null); else ka.on('close', r); setTimeout(r, 3000); });
      }
    } finally {
      lan.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const c of [
  { family: 4 as const, group: '224.0.0.18', addrs: ['10.9.0.1/24', '10.9.0.7/24'], peer: '10.9.0.2/24', source: `'10.9.0.7'`, bind: '' },
  // IPv6 VRRP goes out from the link-local address (RFC 5798 §5.1.2.1): bind to it with its scope.
  { family: 6 as const, group: 'ff02::12', addrs: ['2001:db8::1/64'], peer: '2001:db8::2/64', source: 'undefined', bind: 's.bind(ll, eth0.index);' },
]) {
  test(`our own IPv${c.family} sends arrive with TTL 255 from the chosen source, and multicast loop off keeps them off the sender`, async (t) => {
    await withLan(t, ['ip'], async (lan) => {
      const a = lan.addHost('a', c.addrs);
      const b = lan.addHost('b', [c.peer]);
      const rx = startNode(b.ns, `
        import { RawSocket } from '$SRC/net/raw-socket.ts';
        import { Rtnl } from '$SRC/net/rtnl.ts';
        import { formatIP } from '$SRC/lib/ip.ts';
        const r = Rtnl.open(); const eth0 = await r.getLink('eth0'); r.close();
        const s = RawSocket.open({ family: ${c.family}, protocol: 112 });
        s.joinGroup('${c.group}', eth0.index);
        s.onMessage((d) => { console.log(JSON.stringify({ src: formatIP(d.src), ttl: d.ttl, data: [...d.data], tos: d.ipHeader?.[1], df: d.ipHeader ? (d.ipHeader[6] & 0x40) !== 0 : null })); s.close(); });
        console.log('ready');`);
      try {
        await waitForLine(rx, (l) => l === 'ready');
        const sent = await runNode(a.ns, `
          import { RawSocket } from '$SRC/net/raw-socket.ts';
          import { Rtnl } from '$SRC/net/rtnl.ts';
          import { formatIP } from '$SRC/lib/ip.ts';
          const r = Rtnl.open(); const eth0 = await r.getLink('eth0');
          const ll = (await r.listAddresses({ ifindex: eth0.index, family: 6 })).find((x) => x.scope === 253)?.addr;
          r.close();
          const s = RawSocket.open({ family: ${c.family}, protocol: 112 });
          s.joinGroup('${c.group}', eth0.index);
          ${c.bind}
          s.setMulticastInterface(eth0.index, ${c.source});
          s.setTtl(255); s.setMulticastLoop(false); s.setTos(0xc0); s.setDontFragment(false);
          for (let i = 0; i < 3; i++) { s.send(Buffer.from([0x21, 51, i]), '${c.group}'); await new Promise((r) => setTimeout(r, 50)); }
          await new Promise((r) => setTimeout(r, 200));
          const own = s.drain().length;
          s.close();
          console.log(JSON.stringify({ own, ll: ll && formatIP(ll) }));`);
        assert.equal(sent.own, 0, 'no looped-back copies of our own sends');
        const line = await waitForLine(rx, (l) => l.startsWith('{'), 5000);
        const d = JSON.parse(line);
        assert.equal(d.src, c.family === 4 ? '10.9.0.7' : sent.ll);
        assert.equal(d.ttl, 255);
        assert.deepEqual(d.data.slice(0, 2), [0x21, 51]);
        if (c.family === 4) {
          assert.equal(d.tos, 0xc0, 'TOS internetwork control, as keepalived sends');
          assert.equal(d.df, false, 'DF clear, as keepalived sends');
        }
      } finally {
        rx.child.kill('SIGKILL');
        await rx.done;
      }
    });
  });
}

test('drain() reads at most the number asked for and leaves the rest queued for the next call', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const r = await runNode(a.ns, `
      import { RawSocket } from '$SRC/net/raw-socket.ts';
      const s = RawSocket.open({ family: 4, protocol: 253 });
      for (let i = 0; i < 20; i++) s.send(Buffer.from([i]), '127.0.0.1');
      const first = s.drain(5).map((d) => d.data[0]);
      const rest = s.drain().map((d) => d.data[0]);
      const none = s.drain();
      s.close();
      console.log(JSON.stringify({ first, rest, none: none.length, dropped: s.dropped }));`);
    assert.deepEqual(r.first, [0, 1, 2, 3, 4]);
    assert.deepEqual(r.rest, Array.from({ length: 15 }, (_, i) => i + 5));
    assert.equal(r.none, 0);
    assert.deepEqual(r.dropped, { malformed: 0, truncated: 0 });
  });
});

test('opening a raw socket without privileges fails with EPERM in words', async (t) => {
  // The snippet starts as root (it may read a checkout only root can read, e.g. under /root),
  // loads every module and the addon, then drops to nobody in-process: setuid from root to a
  // non-zero uid clears every capability, which is exactly "an unprivileged process".
  if (!needRoot(t)) return;
  const r = await runNode('', `
    import { native } from '$SRC/net/native.ts';
    import { RawSocket } from '$SRC/net/raw-socket.ts';
    import { PacketSocket } from '$SRC/net/packet-socket.ts';
    native();
    process.setgroups([]); process.setgid(65534); process.setuid(65534);
    const out = { uid: process.getuid(), euid: process.geteuid() };
    try { RawSocket.open({ family: 4, protocol: 112 }); } catch (e) { out.raw = [e.code, e.message]; }
    try { PacketSocket.open(0); } catch (e) { out.packet = [e.code, e.message]; }
    console.log(JSON.stringify(out));`);
  assert.equal(r.uid, 65534);
  assert.equal(r.euid, 65534);
  assert.equal(r.raw?.[0], 'EPERM', JSON.stringify(r));
  assert.match(r.raw[1], /^open raw IPv4 socket \(protocol 112\): EPERM \(operation not permitted \(needs root or CAP_NET_ADMIN\/CAP_NET_RAW\)\)/);
  assert.equal(r.packet?.[0], 'EPERM', JSON.stringify(r));
});
