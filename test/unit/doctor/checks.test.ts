// doctor's decisions over plain facts: what fails, what only warns, and the words and fixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/model.js';
import { hostNeeds } from '../../../src/doctor/needs.js';
import {
  checkForwarding, checkInterfaces, checkIpvs, checkPrivileges, checkRpFilter, checkScheduler, checkCommands, sysctlsWanted,
} from '../../../src/doctor/checks.js';
import { listenPlan, peerFindings } from '../../../src/doctor/vrrp-peers.js';

async function conf(text: string): Promise<Config> {
  const r = await loadConfigText('t.conf', text, {});
  assert.ok(r.model, r.diagnostics.map((d) => d.message).join('\n'));
  return r.model;
}

const DR = `
global_defs {
  vrrp_strict
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  track_interface {
    eth9
  }
  virtual_ipaddress {
    10.0.0.100/24
    10.0.0.101/32 dev eth1
  }
}
virtual_server 10.0.0.100 80 {
  protocol TCP
  lb_algo wrr
  lb_kind DR
  real_server 10.0.1.1 80 {
  }
}
virtual_server 10.0.0.101 80 {
  protocol TCP
  lb_algo sh
  lb_kind NAT
  real_server 10.0.1.2 80 {
  }
}
`;

const vs = (vip: string, rs: string, kind: string) => `virtual_server ${vip} 80 {\n protocol TCP\n lb_kind ${kind}\n real_server ${rs} 80 {\n }\n}\n`;

test('needs: interfaces with their uses, schedulers, forwarding kinds and VRIDs come from the config', async () => {
  const n = hostNeeds(await conf(DR));
  assert.deepEqual(n.interfaces.map((i) => [i.name, i.required, i.multicast]), [['eth0', true, true], ['eth1', true, false], ['eth9', false, false]]);
  assert.deepEqual(n.interfaces[1]!.uses, ['a VIP of VI_1']);
  assert.deepEqual(n.schedulers.sort(), ['sh', 'wrr']);
  assert.deepEqual(n.kinds.map((k) => `${k.kind}/${k.family}`).sort(), ['DR/4', 'NAT/4']);
  assert.deepEqual(n.vrids, [{ instance: 'VI_1', iface: 'eth0', family: 4, vrid: 51, advertIntervalMs: 1000, multicast: true, vips: ['10.0.0.100', '10.0.0.101'] }]);
  assert.equal(n.vrrpStrict, true);
  assert.deepEqual(sysctlsWanted(n).map((p) => p.join('.')), ['net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.eth0.rp_filter']);
});

test('privileges: both capabilities ok; a missing one fails and names it', () => {
  assert.equal(checkPrivileges((1n << 12n) | (1n << 13n)).level, 'ok');
  const f = checkPrivileges(1n << 12n);
  assert.equal(f.level, 'fail');
  assert.match(f.message, /^CAP_NET_RAW is not effective/);
  assert.match(f.fix!, /AmbientCapabilities/);
  assert.match(checkPrivileges(0n).message, /CAP_NET_ADMIN and CAP_NET_RAW are not effective/);
  assert.equal(checkPrivileges(undefined).level, 'warn');
});

test('ip_vs: absent from the kernel fails for a config with virtual servers, in words, and tells built-without from not-loaded', async () => {
  const n = hostNeeds(await conf(DR));
  const none = checkIpvs(n, { state: 'unavailable' }, 'missing');
  assert.equal(none.level, 'fail');
  assert.match(none.message, /this kernel has no IPVS .*not installed as a module.*2 virtual servers/);
  assert.match(none.fix!, /CONFIG_IP_VS/);
  const installed = checkIpvs(n, { state: 'unavailable' }, 'installed');
  assert.match(installed.message, /installed but not loaded/);
  assert.match(installed.fix!, /^modprobe ip_vs/);
  assert.equal(checkIpvs(n, { state: 'available' }, 'loaded').level, 'ok');
  // VRRP only: IPVS is not needed, but the line still says the kernel has none.
  const vrrpOnly = hostNeeds(await conf('vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n'));
  const f = checkIpvs(vrrpOnly, { state: 'unavailable' }, 'missing');
  assert.equal(f.level, 'ok');
  assert.match(f.message, /this kernel has no IPVS.*not needed/);
  // No config at all: a warning, nothing to block.
  assert.equal(checkIpvs(undefined, { state: 'unavailable' }, 'missing').level, 'warn');
  assert.equal(checkIpvs(n, { state: 'unknown', detail: 'EPERM' }, 'loaded').level, 'warn');
});

test('schedulers: a module the kernel can load is fine; a missing one fails naming lb_algo', () => {
  for (const m of ['loaded', 'builtin', 'installed'] as const) assert.equal(checkScheduler('wrr', m).level, 'ok', m);
  const f = checkScheduler('mh', 'missing');
  assert.equal(f.level, 'fail');
  assert.match(f.message, /ip_vs_mh is not loaded, not built in and not installed.*lb_algo mh/);
});

test('interfaces: missing and down fail when required, only warn when tracked; multicast off fails a multicast instance', async () => {
  const n = hostNeeds(await conf(DR));
  const link = (name: string, o = {}) => ({ name, up: true, lowerUp: true, multicast: true, ...o });
  const fs = checkInterfaces(n, [link('lo'), link('eth0', { multicast: false }), link('eth1', { up: false })]);
  assert.deepEqual(fs.map((f) => [f.check, f.level]), [['interface eth0', 'fail'], ['interface eth1', 'fail'], ['interface eth9', 'warn']]);
  assert.match(fs[0]!.message, /multicast off/);
  assert.equal(fs[0]!.fix, 'ip link set eth0 multicast on, or give the instance unicast_peer');
  assert.match(fs[1]!.message, /is down \(a VIP of VI_1\): its instances would start in FAULT/);
  assert.equal(fs[1]!.fix, 'ip link set eth1 up');
  assert.match(fs[2]!.message, /does not exist \(track_interface of VI_1\)/);
  assert.match(fs[2]!.fix!, /present: lo, eth0, eth1/);
  const good = checkInterfaces(n, [link('eth0'), link('eth1'), link('eth9', { lowerUp: false })]);
  assert.deepEqual(good.map((f) => f.level), ['ok', 'ok', 'ok']);
  assert.equal(checkInterfaces(n, { error: 'EPERM' })[0]!.level, 'warn');
});

test('ip_forward: NAT needs 1; 0 fails with the sysctl to set; IPv6 NAT reads conf.all.forwarding', async () => {
  const n = hostNeeds(await conf(DR));
  const off = checkForwarding(n, new Map([['net/ipv4/ip_forward', '0']]));
  assert.equal(off.length, 1);
  assert.equal(off[0]!.level, 'fail');
  assert.match(off[0]!.message, /^is 0: NAT \(virtual_server 10\.0\.0\.101:80\/TCP\) needs the director to forward packets/);
  assert.match(off[0]!.fix!, /^sysctl -w net\.ipv4\.ip_forward=1/);
  assert.equal(checkForwarding(n, new Map([['net/ipv4/ip_forward', '1']]))[0]!.level, 'ok');
  const v6 = hostNeeds(await conf(vs('2001:db8::1', '2001:db8::10', 'NAT')));
  const f6 = checkForwarding(v6, new Map());
  assert.equal(f6[0]!.check, 'net.ipv6.conf.all.forwarding');
  assert.equal(f6[0]!.level, 'fail');
  assert.deepEqual(checkForwarding(hostNeeds(await conf(vs('10.0.0.1', '10.0.0.2', 'DR'))), new Map()), []);
});

test('rp_filter: strict on all or on the device warns for DR/TUN (the larger value wins); loose is fine', async () => {
  const n = hostNeeds(await conf(DR));
  const strictAll = checkRpFilter(n, new Map([['net/ipv4/conf/all/rp_filter', '1'], ['net/ipv4/conf/eth0/rp_filter', '0']]));
  assert.equal(strictAll[0]!.level, 'warn');
  assert.match(strictAll[0]!.message, /is 1 \(strict; all=1, eth0=0\)/);
  assert.match(strictAll[0]!.fix!, /rp_filter=2/);
  assert.equal(checkRpFilter(n, new Map([['net/ipv4/conf/all/rp_filter', '0'], ['net/ipv4/conf/eth0/rp_filter', '1']]))[0]!.level, 'warn');
  assert.equal(checkRpFilter(n, new Map([['net/ipv4/conf/all/rp_filter', '2'], ['net/ipv4/conf/eth0/rp_filter', '1']]))[0]!.level, 'ok');
});

test('nft: needed only by instances with accept mode off (vrrp_strict\'s default, or no_accept)', async () => {
  const n = hostNeeds(await conf(DR));
  assert.equal(checkCommands(n, new Map())[0]!.level, 'fail');
  assert.match(checkCommands(n, new Map())[0]!.fix!, /apt-get install nftables/);
  assert.equal(checkCommands(n, new Map([['nft', true]]))[0]!.level, 'ok');
  assert.deepEqual(n.noAccept, ['VI_1']);
  assert.match(checkCommands(n, new Map())[0]!.message, /no_accept \(vrrp_strict\) of VI_1/);
  assert.deepEqual(checkCommands({ ...n, noAccept: [] }, new Map()), []);
  assert.deepEqual(hostNeeds(await conf(DR.replace('vrrp_strict', ''))).noAccept, [], 'accept is the default without vrrp_strict');
});

test('VRRP speakers: same VIPs is the peer, other VIPs on our VRID a conflict naming VRID, source and addresses; other VRIDs no conflict', async () => {
  const n = hostNeeds(await conf(DR));
  const plan = listenPlan(n);
  assert.deepEqual(plan, [{ iface: 'eth0', family: 4, durationMs: 3000, group: '224.0.0.18' }]);
  assert.equal(listenPlan(n, 250)[0]!.durationMs, 250);
  const adv = (src: string, vrid: number, addresses: string[]) => ({ src, vrid, priority: 100, version: 2 as const, intervalMs: 1000, addresses });
  const heard = [
    adv('10.0.0.2', 51, ['10.0.0.101', '10.0.0.100']), adv('10.0.0.2', 51, ['10.0.0.101', '10.0.0.100']),
    adv('10.0.0.7', 51, ['10.0.0.200']), adv('10.0.0.8', 60, ['10.0.0.250']), adv('10.0.0.1', 51, ['10.0.0.100', '10.0.0.101']),
  ];
  const fs = peerFindings(n, [{ ...plan[0]!, heard }], ['10.0.0.1']);
  assert.deepEqual(fs.map((f) => f.level), ['ok', 'ok', 'fail', 'ok']);
  assert.match(fs[0]!.message, /^10\.0\.0\.1 .*this host/);
  assert.match(fs[1]!.message, /^10\.0\.0\.2 \(VRRPv2, priority 100\) advertises 10\.0\.0\.101, 10\.0\.0\.100: the expected peer of VI_1/);
  assert.equal(fs[2]!.check, 'VRID 51 on eth0');
  assert.match(fs[2]!.message, /another VRRP cluster uses this VRID: 10\.0\.0\.7 .* advertises 10\.0\.0\.200, but VI_1 has 10\.0\.0\.100, 10\.0\.0\.101/);
  assert.match(fs[2]!.fix!, /virtual_router_id/);
  assert.match(fs[3]!.message, /VRID 60 from 10\.0\.0\.8/);
  const quiet = peerFindings(n, [{ ...plan[0]!, heard: [] }], []);
  assert.deepEqual(quiet.map((f) => [f.level, f.message]), [['ok', 'no other VRRP speaker heard in 3 s (VI_1)']]);
  const err = peerFindings(n, [{ ...plan[0]!, heard: { error: 'EPERM' } }], []);
  assert.equal(err[0]!.level, 'warn');
});
