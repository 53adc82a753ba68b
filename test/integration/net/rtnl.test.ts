// rtnetlink against a real kernel in a namespace: VIPs seen by `ip addr`, distinct
// already-present / not-present results, ENODEV in words, link-down notifications.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNode, startNode, waitForLine, withLan } from './ns-node.js';

interface IpAddr { ifname: string; addr_info: { local: string; prefixlen: number; label?: string; family: string; dadfailed?: boolean; tentative?: boolean }[] }

test('a VIP added through rtnetlink shows in `ip addr` with its label and /32, and goes away again', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24', '2001:db8::1/64']);
    // The Lan turns DAD off; turn it back on so that a missing IFA_F_NODAD would show (tentative).
    a.run('sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=1');
    const added = await runNode(a.ns, `
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const r = Rtnl.open();
      const eth0 = await r.getLink('eth0');
      const out = {
        first: await r.addAddress({ ifindex: eth0.index, address: '10.9.0.100/32', label: 'eth0:vip' }),
        again: await r.addAddress({ ifindex: eth0.index, address: '10.9.0.100/32', label: 'eth0:vip' }),
        v6: await r.addAddress({ ifindex: eth0.index, address: '2001:db8::100/64', noDad: true }),
        v6dad: await r.addAddress({ ifindex: eth0.index, address: '2001:db8::101/64' }),
        listed: (await r.listAddresses({ ifindex: eth0.index })).map((x) => [x.address, x.prefixLen, x.label ?? null]),
      };
      r.close();
      console.log(JSON.stringify(out));`);
    assert.equal(added.first, 'added');
    assert.equal(added.again, 'already-present');
    assert.equal(added.v6, 'added');
    assert.deepEqual(added.listed.find((x: unknown[]) => x[0] === '10.9.0.100'), ['10.9.0.100', 32, 'eth0:vip']);
    const ip = JSON.parse(a.run('ip', '-j', 'addr', 'show', 'dev', 'eth0')) as IpAddr[];
    const vip = ip[0]!.addr_info.find((x) => x.local === '10.9.0.100');
    assert.ok(vip, '`ip addr` shows the VIP');
    assert.equal(vip.prefixlen, 32);
    assert.equal(vip.label, 'eth0:vip');
    const v6 = ip[0]!.addr_info.find((x) => x.local === '2001:db8::100');
    assert.ok(v6 && v6.prefixlen === 64 && !v6.tentative, 'IPv6 VIP present without DAD (not tentative)');
    assert.equal(ip[0]!.addr_info.find((x) => x.local === '2001:db8::101')?.tentative, true, 'control: without noDad DAD runs');

    const removed = await runNode(a.ns, `
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const r = Rtnl.open();
      const eth0 = await r.getLink('eth0');
      const out = {
        first: await r.deleteAddress({ ifindex: eth0.index, address: '10.9.0.100/32' }),
        again: await r.deleteAddress({ ifindex: eth0.index, address: '10.9.0.100/32' }),
        v6: await r.deleteAddress({ ifindex: eth0.index, address: '2001:db8::100/64' }),
        v6again: await r.deleteAddress({ ifindex: eth0.index, address: '2001:db8::100/64' }),
      };
      r.close();
      console.log(JSON.stringify(out));`);
    assert.deepEqual(removed, { first: 'deleted', again: 'not-present', v6: 'deleted', v6again: 'not-present' });
    const after = a.run('ip', 'addr', 'show', 'dev', 'eth0');
    assert.ok(!after.includes('10.9.0.100') && !after.includes('2001:db8::100'), after);
    assert.ok(after.includes('10.9.0.1/24'), 'other addresses untouched');
  });
});

test('a label not beginning with the interface name, or too long, is refused clearly and nothing is added', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const r = await runNode(a.ns, `
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const r = Rtnl.open();
      const eth0 = await r.getLink('eth0');
      const out = {};
      for (const [k, label] of [['foreign', 'vip'], ['long', 'eth0:0123456789ab']]) {
        try { out[k] = await r.addAddress({ ifindex: eth0.index, address: '10.9.0.100/32', label }); } catch (e) { out[k] = [e.code, e.message]; }
      }
      try { await r.addAddress({ ifindex: 9999, address: '10.9.0.100/32', label: 'eth0:vip' }); } catch (e) { out.missing = [e.code, e.message]; }
      out.scoped = await r.addAddress({ ifindex: eth0.index, address: '10.9.0.101/32', label: 'eth0:h', scope: 'host' });
      r.close();
      console.log(JSON.stringify(out));`);
    assert.equal(r.foreign[0], 'bad-label');
    assert.match(r.foreign[1], /^add address 10\.9\.0\.100\/32 on ifindex \d+: label "vip" must begin with the interface name "eth0"/);
    assert.equal(r.long[0], 'bad-label');
    assert.match(r.long[1], /longer than 15 bytes/);
    assert.equal(r.missing[0], 'ENODEV');
    assert.match(r.missing[1], /^add address 10\.9\.0\.100\/32 on ifindex 9999: ENODEV/);
    assert.equal(r.scoped, 'added');
    const ip = JSON.parse(a.run('ip', '-j', 'addr', 'show', 'dev', 'eth0')) as { addr_info: { local: string; scope: string; label?: string }[] }[];
    assert.equal(ip[0]!.addr_info.find((x) => x.local === '10.9.0.100'), undefined, 'nothing half-applied');
    const scoped = ip[0]!.addr_info.find((x) => x.local === '10.9.0.101');
    assert.equal(scoped?.scope, 'host');
    assert.equal(scoped?.label, 'eth0:h');
  });
});

test('deleting an address present with another prefix length is an error, not "not-present"', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24', '10.9.0.100/24', '2001:db8::100/64']);
    const r = await runNode(a.ns, `
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const r = Rtnl.open();
      const eth0 = await r.getLink('eth0');
      const out = {};
      for (const address of ['10.9.0.100/32', '2001:db8::100/128', '10.9.0.200/32']) {
        try { out[address] = await r.deleteAddress({ ifindex: eth0.index, address }); } catch (e) { out[address] = [e.code, e.message]; }
      }
      r.close();
      console.log(JSON.stringify(out));`);
    assert.deepEqual(r['10.9.0.100/32'][0], 'prefix-mismatch');
    assert.match(r['10.9.0.100/32'][1], /^delete address 10\.9\.0\.100\/32 on ifindex \d+: the address is present as 10\.9\.0\.100\/24, with another prefix length; not removed$/);
    assert.deepEqual(r['2001:db8::100/128'][0], 'prefix-mismatch');
    assert.equal(r['10.9.0.200/32'], 'not-present');
    const after = a.run('ip', 'addr', 'show', 'dev', 'eth0');
    assert.ok(after.includes('10.9.0.100/24') && after.includes('2001:db8::100/64'), after);
  });
});

test('a dump given up on (timeout) does not make the next dump fail with EBUSY', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', []);
    // Enough links that the kernel needs several reads for one dump: it is still running when we give up.
    for (let i = 0; i < 8; i++) a.run('ip', 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', `w${i}`);
    const r = await runNode(a.ns, `
      import { NetlinkSocket, NETLINK_ROUTE } from '$SRC/net/netlink-socket.ts';
      import { RTM, encodeLinkRequest } from '$SRC/codec/netlink/rtnl.ts';
      import { NLM_F } from '$SRC/codec/netlink/message.ts';
      const s = NetlinkSocket.open(NETLINK_ROUTE);
      const dump = (timeoutMs) => s.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest(), { timeoutMs }).then((m) => m.length, (e) => e.code);
      const both = Promise.all([dump(0), dump(5000)]);
      // Let the first dump go out, then hold the loop so its timer fires before any answer is read.
      for (let i = 0; i < 5; i++) await null;
      const t0 = Date.now(); while (Date.now() - t0 < 20) { /* busy */ }
      const [first, second] = await both;
      const notes = [];
      s.onNotification((m) => notes.push(m.type));
      await new Promise((res) => setTimeout(res, 50));
      s.close();
      console.log(JSON.stringify({ first, second, notes }));`);
    assert.equal(r.first, 'ETIMEDOUT');
    assert.equal(r.second, 18, 'lo, eth0 and 8 veth pairs');
    assert.deepEqual(r.notes, [], 'the abandoned dump\'s parts are not notifications');
  });
});

test('adding an address to a missing interface fails with ENODEV in words', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', []);
    const r = await runNode(a.ns, `
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const r = Rtnl.open();
      const out = {};
      try { await r.addAddress({ ifindex: 9999, address: '10.9.0.100/32' }); } catch (e) { out.add = [e.code, e.message]; }
      try { await r.getLink('nosuch0'); } catch (e) { out.get = [e.code, e.message]; }
      r.close();
      console.log(JSON.stringify(out));`);
    assert.equal(r.add[0], 'ENODEV');
    assert.match(r.add[1], /^add address 10\.9\.0\.100\/32 on ifindex 9999: ENODEV \(no such network device\)/);
    assert.equal(r.get[0], 'ENODEV');
    assert.match(r.get[1], /get link nosuch0: ENODEV \(no such network device\)/);
  });
});

test('a pulled cable is reported by the link subscription (latency printed, not asserted)', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const run = startNode(a.ns, `
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const keep = setInterval(() => {}, 1000);
      const sub = Rtnl.subscribe((e) => {
        if (e.type === 'link' && e.link.name === 'eth0' && !e.link.lowerUp) {
          console.log(JSON.stringify({ down: performance.timeOrigin + performance.now(), operstate: e.link.operstate, up: e.link.up }));
          sub.close(); clearInterval(keep);
        }
      }, { links: true, ipv4: false, ipv6: false });
      console.log('ready');`);
    try {
      await waitForLine(run, (l) => l === 'ready');
      const t0 = performance.timeOrigin + performance.now();
      lan.setCable('a', false);
      const t1 = performance.timeOrigin + performance.now();
      const line = await waitForLine(run, (l) => l.startsWith('{'), 5000);
      const ev = JSON.parse(line) as { down: number; operstate: string; up: boolean };
      const ms = ev.down - t0;
      t.diagnostic(`link down seen ${ms.toFixed(1)} ms after starting \`ip link set down\` on the bridge port (includes spawning ip), ${(ev.down - t1).toFixed(1)} ms after it returned`);
      assert.equal(ev.up, true, 'administratively still up');
      assert.notEqual(ev.operstate, 'up');
      assert.ok(ms < 5000);
    } finally {
      run.child.kill('SIGKILL');
      await run.done;
    }
  });
});

test('a subscription that falls behind reports an overrun instead of silently missing changes', async (t) => {
  await withLan(t, ['ip'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const r = await runNode(a.ns, `
      import { Rtnl } from '$SRC/net/rtnl.ts';
      const r = Rtnl.open();
      const eth0 = await r.getLink('eth0');
      const seen = { address: 0, overrun: 0 };
      // A tiny receive buffer, and a busy event loop while 200 changes happen.
      const sub = Rtnl.subscribe((e) => { seen[e.type === 'overrun' ? 'overrun' : 'address']++; }, { links: false, ipv6: false, rcvbuf: 4096 });
      const block = () => { const t0 = Date.now(); while (Date.now() - t0 < 100) { /* busy: the kernel queue fills */ } };
      await Promise.all(Array.from({ length: 100 }, (_, i) => r.addAddress({ ifindex: eth0.index, address: '10.9.1.' + i + '/32' })));
      block();
      await Promise.all(Array.from({ length: 100 }, (_, i) => r.deleteAddress({ ifindex: eth0.index, address: '10.9.1.' + i + '/32' })));
      block();
      await new Promise((res) => setTimeout(res, 300));
      sub.close(); r.close();
      console.log(JSON.stringify(seen));`);
    t.diagnostic(`notifications delivered ${r.address}, overruns reported ${r.overrun}`);
    assert.ok(r.overrun >= 1, 'ENOBUFS surfaced as an overrun event');
    assert.ok(r.address < 200, 'some notifications were indeed lost');
  });
});
