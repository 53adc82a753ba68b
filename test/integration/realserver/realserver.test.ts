// `vipkeeper realserver` in a namespace: setup makes the real server silent on ARP for its VIPs,
// a second setup keeps the first originals, and teardown leaves every sysctl and address as found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode, withLan } from '../net/ns-node.js';
import type { Host } from '../../support/netns.js';

interface Run { code: number; out: string[]; err: string[] }

function realserverIn(ns: string, args: string[]): Promise<Run> {
  return runNode<Run>(ns, `
    import cmd from '$SRC/cli/commands/realserver.ts';
    const out = [], err = [];
    const code = await cmd.run(${JSON.stringify(args)}, { out: (t) => { out.push(t); }, err: (t) => { err.push(t); } });
    console.log(JSON.stringify({ code, out, err }));`, { timeoutMs: 30_000 });
}

/** Every net.* sysctl of the namespace, without the ones that change by themselves. */
function netSysctls(h: Host): Map<string, string> {
  const read = () => new Map(h.run('sysctl', '-a').split('\n').filter((l) => l.startsWith('net.'))
    .map((l) => { const i = l.indexOf(' = '); return [l.slice(0, i), l.slice(i + 3)] as [string, string]; }));
  const a = read(), b = read();
  for (const [k, v] of a) if (b.get(k) !== v) a.delete(k);
  return a;
}

const addrs = (h: Host): string[] => (JSON.parse(h.run('ip', '-j', 'addr', 'show')) as { ifname: string; addr_info: { local: string; prefixlen: number }[] }[])
  .flatMap((i) => i.addr_info.map((a) => `${i.ifname} ${a.local}/${a.prefixlen}`)).sort();

const sysctl = (h: Host, name: string): string => h.run('sysctl', '-n', name).trim();

/** The MAC the client learned for `ip` after one ping, if anyone answered its ARP request. */
function arpAnswer(client: Host, ip: string): string | undefined {
  client.run('ip', 'neigh', 'flush', 'dev', 'eth0');
  client.run('sh', '-c', `ping -c1 -W1 ${ip} >/dev/null 2>&1 || true`);
  const j = JSON.parse(client.run('ip', '-j', 'neigh', 'show', ip) || '[]') as { lladdr?: string }[];
  return j[0]?.lladdr;
}

test('realserver DR in a namespace: VIPs on lo answered by no ARP; setup twice keeps the originals; teardown restores every sysctl and address', async (t) => {
  await withLan(t, ['ip', 'sysctl', 'ping'], async (lan) => {
    const r = lan.addHost('r', ['10.9.0.10/24']);
    const client = lan.addHost('c', ['10.9.0.50/24']);
    const dir = mkdtempSync(join(tmpdir(), 'vk-rs-'));
    const state = join(dir, 'state.json');
    try {
      // A non-default original, and an address on lo that was there before setup.
      r.run('sysctl', '-qw', 'net.ipv4.conf.lo.arp_announce=1');
      r.run('ip', 'addr', 'add', '10.9.0.101/32', 'dev', 'lo');
      r.run('ip', 'link', 'set', 'lo', 'up');
      assert.equal(arpAnswer(client, '10.9.0.101'), r.mac, 'control: without arp_ignore the server answers ARP for an address on lo');
      const sysBefore = netSysctls(r);
      const addrBefore = addrs(r);

      const args = ['--vip', '10.9.0.100,10.9.0.101,fd00::100', '--mode', 'dr', '--state-file', state];
      const s1 = await realserverIn(r.ns, ['setup', ...args]);
      assert.equal(s1.code, 0, s1.err.join('\n'));
      for (const d of ['all', 'lo']) {
        assert.equal(sysctl(r, `net.ipv4.conf.${d}.arp_ignore`), '1');
        assert.equal(sysctl(r, `net.ipv4.conf.${d}.arp_announce`), '2');
      }
      assert.ok(addrs(r).includes('lo 10.9.0.100/32') && addrs(r).includes('lo fd00::100/128'), addrs(r).join(' '));
      assert.equal(arpAnswer(client, '10.9.0.101'), undefined, 'after setup the VIP on lo is not answered on the LAN');
      const saved = JSON.parse(readFileSync(state, 'utf8'));
      assert.equal(saved.sysctls.find((x: { path: string[] }) => x.path.join('.') === 'net.ipv4.conf.lo.arp_announce').original, '1');
      assert.deepEqual(saved.addresses, ['10.9.0.100/32', 'fd00::100/128']);

      const s2 = await realserverIn(r.ns, ['setup', ...args]);
      assert.equal(s2.code, 0, s2.err.join('\n'));
      assert.deepEqual(JSON.parse(readFileSync(state, 'utf8')), saved, 'the second setup does not overwrite the saved originals');

      const td = await realserverIn(r.ns, ['teardown', ...args]);
      assert.equal(td.code, 0, td.err.join('\n'));
      assert.ok(td.out.includes('kept 10.9.0.101/32: it was there before setup'), td.out.join('\n'));
      assert.deepEqual(netSysctls(r), sysBefore);
      assert.deepEqual(addrs(r), addrBefore);
      assert.equal(existsSync(state), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('realserver TUN in a namespace: with ipip, tunl0 carries the VIP and teardown restores; without it, exit 1 in words and nothing changed', async (t) => {
  await withLan(t, ['ip', 'sysctl'], async (lan) => {
    const r = lan.addHost('r', ['10.9.0.10/24']);
    const dir = mkdtempSync(join(tmpdir(), 'vk-rs-'));
    const state = join(dir, 'state.json');
    try {
      const sysBefore = netSysctls(r);
      const addrBefore = addrs(r);
      const args = ['--vip', '10.9.0.100', '--mode', 'tun', '--state-file', state];
      const s = await realserverIn(r.ns, ['setup', ...args]);
      const ipip = existsSync('/sys/module/ipip') || spawnSync('modprobe', ['-n', 'ipip']).status === 0;
      if (!ipip) {
        assert.equal(s.code, 1);
        assert.match(s.err.join('\n'), /^vipkeeper realserver setup: TUN needs the ipip module \(tunl0\): modprobe ipip: .*ipip/m);
        assert.deepEqual(netSysctls(r), sysBefore);
        assert.deepEqual(addrs(r), addrBefore);
        assert.equal(existsSync(state), false);
        return;
      }
      assert.equal(s.code, 0, s.err.join('\n'));
      assert.ok(addrs(r).includes('tunl0 10.9.0.100/32'));
      for (const k of ['all', 'tunl0']) assert.equal(sysctl(r, `net.ipv4.conf.${k}.rp_filter`), '0');
      const td = await realserverIn(r.ns, ['teardown', ...args]);
      assert.equal(td.code, 0, td.err.join('\n'));
      // tunl0 itself stays (the module is not unloaded); everything that existed before is as it was.
      const after = netSysctls(r);
      for (const [k, v] of sysBefore) assert.equal(after.get(k), v, k);
      assert.deepEqual(addrs(r), addrBefore);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
