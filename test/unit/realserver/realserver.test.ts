// The real-server setup over the fake host: DR and TUN settings, exact restoration, idempotent
// setup keeping the first originals, rollback of a half-done setup, and the command's exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRealServerHost } from '../../../src/realserver/fake-host.js';
import { setup, teardown } from '../../../src/realserver/apply.js';
import { desiredSysctls, vipCidr } from '../../../src/realserver/plan.js';
import { runRealServerCommand } from '../../../src/cli/commands/realserver.js';
import command from '../../../src/cli/commands/realserver.js';
import { UsageError } from '../../../src/cli/command.js';

const snapshot = (h: FakeRealServerHost) => ({ sysctls: new Map(h.sysctls), links: structuredClone(h.links) });

test('vipCidr: host addresses only, canonical', () => {
  assert.equal(vipCidr('10.0.0.1'), '10.0.0.1/32');
  assert.equal(vipCidr('10.0.0.1/32'), '10.0.0.1/32');
  assert.equal(vipCidr('2001:DB8:0::1'), '2001:db8::1/128');
  assert.throws(() => vipCidr('10.0.0.1/24'), /host address \(\/32\)/);
  assert.throws(() => vipCidr('10.0.0.300'));
});

test('DR setup: arp_ignore=1 and arp_announce=2 on all and lo, the VIPs /32 and /128 on lo; teardown restores every value', async () => {
  const h = new FakeRealServerHost();
  h.sysctls.set('net/ipv4/conf/lo/arp_announce', '1');
  const before = snapshot(h);
  const r = await setup(h, 'dr', ['10.0.0.100/32', '2001:db8::100/128']);
  assert.equal(r.ok, true, r.error);
  for (const k of ['all', 'lo']) {
    assert.equal(h.sysctls.get(`net/ipv4/conf/${k}/arp_ignore`), '1');
    assert.equal(h.sysctls.get(`net/ipv4/conf/${k}/arp_announce`), '2');
  }
  assert.equal(h.sysctls.get('net/ipv4/conf/all/rp_filter'), '0');
  assert.deepEqual(h.links.get('lo')!.addresses, ['127.0.0.1/8', '::1/128', '10.0.0.100/32', '2001:db8::100/128']);
  assert.ok(r.lines.includes('net.ipv4.conf.lo.arp_announce = 2 (was 1)'), r.lines.join('\n'));
  assert.deepEqual(h.state?.sysctls.find((s) => s.path.join('.') === 'net.ipv4.conf.lo.arp_announce')?.original, '1');

  const t = await teardown(h, 'dr', ['10.0.0.100/32', '2001:db8::100/128']);
  assert.equal(t.ok, true, t.error);
  assert.deepEqual(snapshot(h), before);
  assert.equal(h.state, undefined);
});

test('a second setup keeps the first originals; an address present before setup is kept by teardown', async () => {
  const h = new FakeRealServerHost();
  h.links.get('lo')!.addresses.push('10.0.0.101/32');
  const before = snapshot(h);
  assert.equal((await setup(h, 'dr', ['10.0.0.100/32'])).ok, true);
  const first = structuredClone(h.state);
  const again = await setup(h, 'dr', ['10.0.0.100/32', '10.0.0.101/32']);
  assert.equal(again.ok, true);
  assert.deepEqual(again.lines, ['nothing to change: already set up']);
  assert.deepEqual(h.state!.sysctls, first!.sysctls, 'originals are the first-found ones, not the values setup wrote');
  assert.ok(h.state!.sysctls.every((s) => s.original === '0'));
  assert.deepEqual(h.state!.addresses, ['10.0.0.100/32'], 'only what setup added');
  const t = await teardown(h, 'dr', ['10.0.0.100/32', '10.0.0.101/32']);
  assert.ok(t.lines.includes('kept 10.0.0.101/32: it was there before setup'));
  assert.deepEqual(snapshot(h), before);
});

test('teardown of some VIPs keeps the sysctls while other VIPs setup added remain', async () => {
  const h = new FakeRealServerHost();
  await setup(h, 'dr', ['10.0.0.1/32', '10.0.0.2/32']);
  const t = await teardown(h, 'dr', ['10.0.0.1/32']);
  assert.equal(t.ok, true);
  assert.equal(h.sysctls.get('net/ipv4/conf/all/arp_ignore'), '1');
  assert.deepEqual(h.state!.addresses, ['10.0.0.2/32']);
  await teardown(h, 'dr', ['10.0.0.2/32']);
  assert.equal(h.sysctls.get('net/ipv4/conf/all/arp_ignore'), '0');
  assert.equal(h.state, undefined);
});

test('TUN: modprobe ipip, tunl0 up, rp_filter 0 on all and tunl0; teardown puts tunl0 back down and rp_filter back', async () => {
  const h = new FakeRealServerHost();
  h.modules.set('ipip', 'tunl0');
  h.sysctls.set('net/ipv4/conf/all/rp_filter', '2');
  const r = await setup(h, 'tun', ['10.0.0.100/32']);
  assert.equal(r.ok, true, r.error);
  assert.equal(h.log[0], 'modprobe ipip');
  assert.equal(h.links.get('tunl0')!.up, true);
  assert.deepEqual(h.links.get('tunl0')!.addresses, ['10.0.0.100/32']);
  for (const d of desiredSysctls('tun')) assert.equal(h.sysctls.get(d.path.join('/')), d.value, d.path.join('.'));
  assert.equal(h.sysctls.get('net/ipv4/conf/tunl0/rp_filter'), '0');
  assert.equal((await teardown(h, 'tun', ['10.0.0.100/32'])).ok, true);
  assert.equal(h.sysctls.get('net/ipv4/conf/all/rp_filter'), '2');
  assert.equal(h.links.get('tunl0')!.up, false);
  assert.deepEqual(h.links.get('tunl0')!.addresses, []);
});

test('failures: no ipip module, IPv6 over TUN, a step failing half-way (undone), a mode mismatch, no state', async () => {
  const h = new FakeRealServerHost();
  const noIpip = await setup(h, 'tun', ['10.0.0.1/32']);
  assert.equal(noIpip.ok, false);
  assert.match(noIpip.error!, /TUN needs the ipip module \(tunl0\): modprobe: FATAL: Module ipip not found/);
  assert.equal(h.state, undefined);

  h.modules.set('ipip', 'tunl0');
  assert.match((await setup(h, 'tun', ['2001:db8::1/128'])).error!, /IPv6 VIPs over TUN/);

  const h2 = new FakeRealServerHost();
  const before = snapshot(h2);
  h2.failOn = 'add 10.0.0.2/32';
  const half = await setup(h2, 'dr', ['10.0.0.1/32', '10.0.0.2/32']);
  assert.equal(half.ok, false);
  assert.match(half.error!, /^added 10\.0\.0\.2\/32 on lo failed: injected failure.*; every change was undone$/);
  assert.deepEqual(snapshot(h2), before);
  assert.equal(h2.state, undefined, 'no state left from a setup that was undone');

  const h3 = new FakeRealServerHost();
  await setup(h3, 'dr', ['10.0.0.1/32']);
  assert.match((await setup(h3, 'tun', ['10.0.0.1/32'])).error!, /already set up for DR/);
  assert.match((await teardown(h3, 'tun', ['10.0.0.1/32'])).error!, /set up for DR, not TUN/);
  assert.match((await teardown(new FakeRealServerHost(), 'dr', ['10.0.0.1/32'])).error!, /no state file/);
});

test('realserver command: exit 0 with the changes listed, 1 with words, usage errors', async () => {
  const h = new FakeRealServerHost();
  const out: string[] = [], err: string[] = [];
  const io = { out: (t: string) => { out.push(t); }, err: (t: string) => { err.push(t); } };
  let stateFile: string | undefined;
  const code = await runRealServerCommand(['setup', '--vip', '10.0.0.1, 10.0.0.2', '--mode', 'dr', '--state-file', '/x/s.json'], io, (p) => { stateFile = p; return h; });
  assert.equal(code, 0);
  assert.equal(stateFile, '/x/s.json');
  assert.ok(out.includes('added 10.0.0.2/32 on lo'));
  assert.equal(out.at(-1), 'realserver setup (DR, 10.0.0.1/32, 10.0.0.2/32): done');
  assert.equal(await runRealServerCommand(['teardown', '--vip', '10.0.0.1,10.0.0.2', '--mode', 'tun'], io, () => h), 1);
  assert.match(err.at(-1)!, /^vipkeeper realserver teardown: this host was set up for DR, not TUN$/);
  for (const argv of [[], ['start', '--vip', '10.0.0.1', '--mode', 'dr'], ['setup', '--mode', 'dr'], ['setup', '--vip', '10.0.0.1'],
    ['setup', '--vip', '10.0.0.1', '--mode', 'nat'], ['setup', '--vip', '10.0.0.0/24', '--mode', 'dr'], ['setup', 'x', '--vip', '10.0.0.1', '--mode', 'dr']]) {
    await assert.rejects(command.run(argv, io), UsageError, argv.join(' '));
  }
});
