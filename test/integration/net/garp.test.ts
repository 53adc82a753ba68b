// Gratuitous ARP and unsolicited NA on a real bridge: the neighbour in another namespace moves
// its entry for the VIP to the sender's MAC, and tcpdump decodes the frames as keepalived's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNode, startNode, waitForLine, withLan } from './ns-node.js';
import { gratuitousArpFrame } from '../../../src/codec/arp.js';
import { parseIPv4, parseMac } from '../../../src/lib/ip.js';

const STALE_MAC = '02:00:00:00:00:99';

async function announceFrom(ns: string, vip: string): Promise<{ frames: number }> {
  return runNode(ns, `
    import { GarpSender } from '$SRC/net/garp.ts';
    import { Rtnl } from '$SRC/net/rtnl.ts';
    const r = Rtnl.open();
    const eth0 = await r.getLink('eth0');
    r.close();
    const g = GarpSender.open();
    const res = await g.announce(eth0.index, eth0.mac, ['${vip}'], { count: 3, intervalMs: 20 });
    g.close();
    console.log(JSON.stringify(res));`);
}

for (const c of [
  { name: 'gratuitous ARP', vip: '10.9.0.100', addrs: ['10.9.0.1/24', '10.9.0.2/24'], filter: 'arp', sysctl: ['net.ipv4.neigh.eth0.locktime=0'],
    expect: /> ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length 42: Ethernet \(len 6\), IPv4 \(len 4\), Request who-has 10\.9\.0\.100 (\(ff:ff:ff:ff:ff:ff\) )?tell 10\.9\.0\.100/ },
  { name: 'unsolicited NA', vip: '2001:db8::100', addrs: ['2001:db8::1/64', '2001:db8::2/64'], filter: 'icmp6', sysctl: [],
    expect: /> 33:33:00:00:00:01, ethertype IPv6 \(0x86dd\), length 86: \(hlim 255, next-header ICMPv6 \(58\) payload length: 32\) 2001:db8::100 > ff02::1: \[icmp6 sum ok\] ICMP6, neighbor advertisement, length 32, tgt is 2001:db8::100, Flags \[override\]/ },
]) {
  test(`${c.name} moves the neighbour entry for the VIP to the sender's MAC`, async (t) => {
    await withLan(t, ['ip', 'tcpdump'], async (lan) => {
      const a = lan.addHost('a', [c.addrs[0]!]);
      const b = lan.addHost('b', [c.addrs[1]!]);
      if (c.sysctl.length) b.run('sysctl', '-qw', ...c.sysctl);
      // An existing, outdated entry: announcements update entries, they need not create them.
      b.run('ip', 'neigh', 'replace', c.vip, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale');
      const tcpdump = b.spawn('tcpdump', ['-l', '-n', '-e', '-v', '-i', 'eth0', c.filter]);
      let out = '';
      tcpdump.stdout!.on('data', (d: Buffer) => { out += d; });
      const listening = new Promise<void>((resolve) => tcpdump.stderr!.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(); }));
      await Promise.race([listening, new Promise((r) => setTimeout(r, 3000))]);
      const res = await announceFrom(a.ns, c.vip);
      assert.equal(res.frames, 3);
      await new Promise((r) => setTimeout(r, 300));
      tcpdump.kill('SIGINT');
      await new Promise((r) => tcpdump.on('close', r));
      assert.match(out, c.expect, out);
      assert.ok(out.includes(`${a.mac} > `), `frames come from the sender's MAC ${a.mac}`);
      const neigh = b.run('ip', 'neigh', 'show', c.vip, 'dev', 'eth0');
      assert.match(neigh, new RegExp(`lladdr ${a.mac}`), `neighbour entry: ${neigh.trim()}`);
    });
  });
}

test('a packet socket on the neighbour receives the GARP frame exactly as built', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const b = lan.addHost('b', ['10.9.0.2/24']);
    const rx = startNode(b.ns, `
      import { PacketSocket, ETH_P_ARP } from '$SRC/net/packet-socket.ts';
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const r = Rtnl.open(); const eth0 = await r.getLink('eth0'); r.close();
      const s = PacketSocket.open(ETH_P_ARP);
      s.bindInterface(eth0.index);
      s.onFrame((f) => { console.log(JSON.stringify({ hex: f.data.toString('hex'), ifindex: f.ifindex, eth0: eth0.index, protocol: f.protocol })); s.close(); });
      console.log('ready');`);
    try {
      await waitForLine(rx, (l) => l === 'ready');
      await announceFrom(a.ns, '10.9.0.100');
      const got = JSON.parse(await waitForLine(rx, (l) => l.startsWith('{'), 5000));
      const want = gratuitousArpFrame(parseIPv4('10.9.0.100'), parseMac(a.mac)).toString('hex');
      assert.equal(got.hex, want);
      assert.equal(got.ifindex, got.eth0);
      assert.equal(got.protocol, 0x0806);
    } finally {
      rx.child.kill('SIGKILL');
      await rx.done;
    }
  });
});
