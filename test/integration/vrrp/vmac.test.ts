// use_vmac against keepalived on a namespace LAN: both directors run the instance on a VMAC
// (macvlan, mode private, MAC 00:00:5e:00:01:VRID). The client's neighbour entry for the VIP holds
// the virtual MAC and keeps it across a failover to keepalived and back; the VIP sits on the VMAC,
// never on eth0; vipkeeper's VMAC is gone after it stops. With vmac_xmit_base the adverts use
// eth0, and a reload keeps the VMAC. An interface that already has the VMAC's name is reported in
// words and left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Bench, VIP, VIP6, confText, sleep, waitFor, type ConfOpts, type Daemon } from './support.js';
import type { Host } from '../../support/netns.js';

const VRID = 51;
const VMAC = 'vrrp.51';
const MAC = '00:00:5e:00:01:33';

interface LinkRow { ifname: string; address: string; flags: string[]; addr_info?: { local: string }[]; linkinfo?: { info_kind?: string; info_data?: { mode?: string } } }

function link(h: Host, name: string): LinkRow | undefined {
  const out = h.run('sh', '-c', `ip -d -j addr show dev ${name} 2>/dev/null || true`);
  return out ? (JSON.parse(out) as LinkRow[])[0] : undefined;
}

const vipOn = (h: Host, dev: string): boolean => (link(h, dev)?.addr_info ?? []).some((a) => a.local === VIP);

/** Pings the VIP from the client: true when it answers. */
function reachable(bench: Bench): boolean {
  return bench.client.run('sh', '-c', `ping -c1 -W1 ${VIP} >/dev/null 2>&1 && echo ok || true`).trim() === 'ok';
}

test('use_vmac: the VIP answers from 00:00:5e:00:01:VRID through failovers to keepalived and back; the VMAC goes at stop', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip', 'ping', 'tcpdump')) return;
  const o: ConfOpts = { version: 3, vrid: VRID, instanceLines: ['  use_vmac'] };
  const bench = new Bench();
  let vk: Daemon | undefined;
  let ka: Daemon | undefined;
  const dump = () => `--- vipkeeper (a)\n${vk?.output().slice(-4000)}\n--- keepalived (b)\n${ka?.output().slice(-2500)}`;
  const holder = (h: Host) => vipOn(h, VMAC);
  try {
    // keepalived 2.2.7 leaves arp_announce alone: b's replies to the client leave by eth0 and its
    // ARP for the client names the VIP with eth0's MAC, moving the client's entry. An operator
    // sets this for keepalived; vipkeeper sets it on its own base interface (checked below).
    bench.b.run('sysctl', '-qw', 'net.ipv4.conf.eth0.arp_announce=2');
    ka = bench.start('keepalived', 'b', confText(o, 'b', 100));
    vk = bench.start('vipkeeper', 'a', confText(o, 'a', 200));
    assert.ok(await waitFor(() => holder(bench.a) && !holder(bench.b), 10_000), `vipkeeper is master, the VIP on its VMAC\n${dump()}`);
    const l = link(bench.a, VMAC)!;
    assert.equal(l.address, MAC, 'the VMAC carries the virtual MAC');
    assert.equal(l.linkinfo?.info_kind, 'macvlan');
    assert.equal(l.linkinfo?.info_data?.mode, 'private', 'mode private, as keepalived creates it');
    assert.ok(l.flags.includes('UP'), 'the VMAC is up');
    assert.ok(!vipOn(bench.a, 'eth0'), 'the VIP is not on eth0');
    assert.equal(bench.a.run('cat', '/proc/sys/net/ipv4/conf/eth0/arp_ignore').trim(), '1', 'eth0 does not answer ARP for the VIP');
    assert.equal(bench.a.run('cat', '/proc/sys/net/ipv4/conf/eth0/arp_announce').trim(), '2', 'nor names it in its own ARP requests');
    assert.ok(await waitFor(() => bench.clientNeighbour() === MAC && reachable(bench), 5000), `client reaches the VIP at the virtual MAC: ${bench.clientNeighbour()}\n${dump()}`);

    bench.lan.setCable('a', false);
    assert.ok(await waitFor(() => holder(bench.b), 10_000), `link cut: keepalived takes over\n${dump()}`);
    assert.ok(await waitFor(() => !holder(bench.a), 5000), 'the cut node drops the VIP');
    assert.ok(await waitFor(() => reachable(bench), 5000), `client reaches the VIP on keepalived\n${dump()}`);
    assert.equal(bench.clientNeighbour(), MAC, 'the neighbour entry did not change');

    bench.lan.setCable('a', true);
    assert.ok(await waitFor(() => holder(bench.a) && !holder(bench.b), 10_000), `link back: vipkeeper preempts\n${dump()}`);
    await sleep(300);
    assert.ok(await waitFor(() => reachable(bench), 5000), `client reaches the VIP on vipkeeper again\n${dump()}`);
    assert.equal(bench.clientNeighbour(), MAC, 'still the virtual MAC');
    // The adverts leave by the VMAC: the switch (here the bridge) learns the virtual MAC from them.
    const cap = bench.client.run('timeout', '5', 'tcpdump', '-i', 'eth0', '-c', '2', '-e', '-n', '-l', 'ip proto 112');
    assert.match(cap, new RegExp(`${MAC} > 01:00:5e:00:00:12.*10\\.9\\.0\\.1 > 224\\.0\\.0\\.18: VRRPv3`), cap);
    assert.doesNotMatch(vk.output(), /could not create VMAC/);

    assert.equal(await vk.stop(), 0, 'graceful stop exits 0');
    assert.equal(link(bench.a, VMAC), undefined, `the VMAC is gone after stop\n${dump()}`);
    assert.ok(await waitFor(() => holder(bench.b), 10_000), 'keepalived takes over after the stop');
    assert.equal(bench.a.run('cat', '/proc/sys/net/ipv4/conf/eth0/arp_ignore').trim(), '0', 'eth0 ARP settings restored');
    assert.equal(bench.a.run('cat', '/proc/sys/net/ipv4/conf/eth0/arp_announce').trim(), '0');
  } finally {
    await bench.cleanup();
  }
});

test('use_vmac: an existing interface of that name is reported in words and left alone', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  try {
    // Someone else's interface, named like the VMAC would be.
    bench.a.run('ip', 'link', 'add', 'vrrp.52', 'type', 'veth', 'peer', 'name', 'other52');
    const before = link(bench.a, 'vrrp.52')!.address;
    const vk = bench.start('vipkeeper', 'a', confText({ version: 3, vrid: 52, instanceLines: ['  use_vmac'] }, 'a', 200));
    assert.ok(await waitFor(() => /could not create VMAC interface vrrp\.52: .*already exists \(veth/.test(vk.output()), 10_000), vk.output().slice(-3000));
    await sleep(1500);
    assert.ok(!vipOn(bench.a, 'vrrp.52') && !vipOn(bench.a, 'eth0'), 'no VIP went anywhere');
    assert.equal(await vk.stop(), 0);
    const after = link(bench.a, 'vrrp.52');
    assert.equal(after?.address, before, 'the interface is still there, unchanged');
    assert.equal(after?.linkinfo?.info_kind, 'veth');
  } finally {
    await bench.cleanup();
  }
});

test('vmac_xmit_base: adverts leave by eth0 with its own MAC, the VIP still answers from the VMAC; a reload keeps the VMAC', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip', 'ping', 'tcpdump')) return;
  const bench = new Bench();
  const conf = (prio: number) => confText({ version: 3, vrid: VRID, instanceLines: ['  use_vmac', '  vmac_xmit_base'] }, 'a', prio);
  try {
    const vk = bench.start('vipkeeper', 'a', conf(200));
    assert.ok(await waitFor(() => vipOn(bench.a, VMAC), 10_000), vk.output().slice(-3000));
    const cap = bench.client.run('timeout', '5', 'tcpdump', '-i', 'eth0', '-c', '2', '-e', '-n', '-l', 'ip proto 112');
    assert.match(cap, new RegExp(`${bench.a.mac} > 01:00:5e:00:00:12`), cap);
    assert.ok(await waitFor(() => bench.clientNeighbour() === MAC && reachable(bench), 5000), `${bench.clientNeighbour()}`);
    const index = bench.a.run('cat', `/sys/class/net/${VMAC}/ifindex`).trim();
    // SIGHUP with another priority: the instance is updated in place and its VMAC stays as it is.
    writeFileSync(join(bench.dir, 'vipkeeper-a-1.conf'), conf(210));
    const before = vk.output().length;
    vk.proc.kill('SIGHUP');
    assert.ok(await waitFor(() => /configuration reloaded/.test(vk.output().slice(before)), 10_000), vk.output().slice(-3000));
    await sleep(500);
    assert.equal(bench.a.run('cat', `/sys/class/net/${VMAC}/ifindex`).trim(), index, 'the same interface, not made again');
    assert.ok(vipOn(bench.a, VMAC), 'the VIP stayed on it');
    assert.equal(await vk.stop(), 0);
    assert.equal(link(bench.a, VMAC), undefined, 'gone after stop');
  } finally {
    await bench.cleanup();
  }
});

test('use_vmac: the VMAC a killed run left is reused by the next run and removed at its stop', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  const text = confText({ version: 3, vrid: VRID, instanceLines: ['  use_vmac'] }, 'a', 200);
  try {
    const first = bench.start('vipkeeper', 'a', text);
    assert.ok(await waitFor(() => vipOn(bench.a, VMAC), 10_000), first.output().slice(-3000));
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    assert.ok(link(bench.a, VMAC), 'a killed run leaves its VMAC');
    const second = bench.start('vipkeeper', 'a', text);
    assert.ok(await waitFor(() => /VMAC interface left by an earlier run: reusing it/.test(second.output()), 10_000), second.output().slice(-3000));
    assert.ok(await waitFor(() => vipOn(bench.a, VMAC), 10_000), 'the second run is master on it');
    assert.equal(await second.stop(), 0);
    assert.equal(link(bench.a, VMAC), undefined, 'removed at the stop');
  } finally {
    await bench.cleanup();
  }
});

test('use_vmac on IPv6: the client\'s neighbour entry for the VIP holds 00:00:5e:00:02:VRID through failovers to keepalived and back', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, 'keepalived', 'ip', 'ping', 'tcpdump')) return;
  const MAC6 = '00:00:5e:00:02:33';
  const o: ConfOpts = { version: 3, family: 6, vrid: VRID, instanceLines: ['  use_vmac'] };
  const bench = new Bench(6);
  let vk: Daemon | undefined;
  let ka: Daemon | undefined;
  const dump = () => `--- vipkeeper (a)\n${vk?.output().slice(-4000)}\n--- keepalived (b)\n${ka?.output().slice(-2500)}`;
  const on = (h: Host, dev: string) => (link(h, dev)?.addr_info ?? []).some((a) => a.local === VIP6);
  const ping6 = () => bench.client.run('sh', '-c', `ping -6 -c1 -W1 ${VIP6} >/dev/null 2>&1 && echo ok || true`).trim() === 'ok';
  const neigh = () => (JSON.parse(bench.client.run('ip', '-j', '-6', 'neigh', 'show', VIP6) || '[]') as { lladdr?: string }[])[0]?.lladdr;
  try {
    ka = bench.start('keepalived', 'b', confText(o, 'b', 100));
    vk = bench.start('vipkeeper', 'a', confText(o, 'a', 200));
    assert.ok(await waitFor(() => on(bench.a, VMAC) && !on(bench.b, VMAC), 15_000), `vipkeeper is master, the VIP on its VMAC\n${dump()}`);
    const l = link(bench.a, VMAC)!;
    assert.equal(l.address, MAC6, 'the IPv6 virtual MAC');
    assert.ok(!on(bench.a, 'eth0'), 'the VIP is not on eth0');
    // As keepalived: no link-local of its own (addrgenmode none), a deprecated copy of eth0's.
    const ll = (h: Host, dev: string) => (JSON.parse(h.run('ip', '-j', '-6', 'addr', 'show', 'dev', dev, 'scope', 'link')) as { addr_info: { local?: string; preferred_life_time?: number }[] }[])
      .flatMap((x) => x.addr_info).filter((a) => a.local !== undefined);
    const baseLl = ll(bench.a, 'eth0')[0]!.local!;
    assert.deepEqual(ll(bench.a, VMAC).map((a) => [a.local, a.preferred_life_time]), [[baseLl, 0]]);
    assert.match(bench.a.run('ip', '-d', 'link', 'show', VMAC), /addrgenmode none/);
    // Adverts leave the VMAC with the virtual MAC, from eth0's link-local address.
    const cap = bench.client.run('timeout', '5', 'tcpdump', '-i', 'eth0', '-c', '2', '-e', '-n', '-l', 'ip6 proto 112');
    assert.match(cap, new RegExp(`${MAC6} > 33:33:00:00:00:12.*${baseLl} > ff02::12: VRRPv3`), cap);
    assert.ok(await waitFor(() => ping6() && neigh() === MAC6, 8000), `client reaches the VIP at the virtual MAC: ${neigh()}\n${dump()}`);

    bench.lan.setCable('a', false);
    assert.ok(await waitFor(() => on(bench.b, VMAC), 10_000), `link cut: keepalived takes over\n${dump()}`);
    assert.ok(await waitFor(() => ping6(), 8000), `client reaches the VIP on keepalived\n${dump()}`);
    assert.equal(neigh(), MAC6, 'the neighbour entry did not change');

    // The takeover's unsolicited neighbour advertisement for the VIP comes from the virtual MAC.
    let na = '';
    const tcpdump = bench.client.spawn('timeout', ['10', 'tcpdump', '-i', 'eth0', '-e', '-n', '-l', '-c', '1', `icmp6 and ip6[40] == 136 and ether src ${MAC6}`]);
    tcpdump.stdout!.on('data', (d: Buffer) => { na += d; });
    await sleep(1000);
    bench.lan.setCable('a', true);
    assert.ok(await waitFor(() => on(bench.a, VMAC) && !on(bench.b, VMAC), 10_000), `link back: vipkeeper preempts\n${dump()}`);
    assert.ok(await waitFor(() => /neighbor advertisement/i.test(na), 8000), `an unsolicited NA from ${MAC6}: ${na}\n${dump()}`);
    assert.match(na, new RegExp(`${MAC6} > 33:33:00:00:00:01.*tgt is ${VIP6}`), na);
    await sleep(300);
    assert.ok(await waitFor(() => ping6(), 8000), `client reaches the VIP on vipkeeper again\n${dump()}`);
    assert.equal(neigh(), MAC6, 'still the virtual MAC');
    assert.doesNotMatch(vk.output(), /could not create VMAC|could not add virtual address/);

    assert.equal(await vk.stop(), 0, 'graceful stop exits 0');
    assert.equal(link(bench.a, VMAC), undefined, `the VMAC is gone after stop\n${dump()}`);
  } finally {
    await bench.cleanup();
  }
});
