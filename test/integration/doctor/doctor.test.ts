// `vipkeeper doctor` against real namespaces: a missing interface and ip_forward off are failures
// in words (exit 1); a keepalived on our VRID with other VIPs is a conflict, with ours the peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode, withLan } from '../net/ns-node.js';
import { hasAddress, startDirector } from '../../support/directors.js';
import { waitFor } from '../../support/wait.js';

interface Run { code: number; out: string[]; err: string[] }

/** Runs the doctor command module inside `ns` (the command is not wired into src/cli.ts here). */
function doctorIn(ns: string, args: string[], asUser?: number): Promise<Run> {
  return runNode<Run>(ns, `
    import cmd from '$SRC/cli/commands/doctor.ts';
    const out = [], err = [];
    const code = await cmd.run(${JSON.stringify(args)}, { out: (t) => { out.push(t); }, err: (t) => { err.push(t); } });
    console.log(JSON.stringify({ code, out, err }));`, { timeoutMs: 30_000, ...(asUser === undefined ? {} : { asUser }) });
}

const instance = (vip: string, extra = '') => `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    ${vip}/24${extra}
  }
}
`;

test('doctor in a namespace: a VIP device that does not exist and ip_forward off for NAT fail in words; fixing ip_forward turns its line ok', async (t) => {
  await withLan(t, ['ip', 'sysctl'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const dir = mkdtempSync(join(tmpdir(), 'vk-doctor-'));
    try {
      const file = join(dir, 'k.conf');
      writeFileSync(file, `${instance('10.9.0.100')}vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  advert_int 1
  virtual_ipaddress {
    10.9.1.100/24 dev vkmissing0
  }
}
virtual_server 10.9.0.100 80 {
  protocol TCP
  lb_kind NAT
  real_server 10.9.0.50 80 {
  }
}
`);
      a.run('sysctl', '-qw', 'net.ipv4.ip_forward=0');
      const r = await doctorIn(a.ns, ['-f', file, '--listen-ms', '300']);
      const text = r.out.join('\n');
      assert.equal(r.code, 1, text);
      assert.match(text, /^FAIL {2}interface vkmissing0: does not exist \(a VIP of VI_2\) -> fix: create it, or correct the interface name in the config \(present: lo, eth0\)$/m);
      assert.match(text, /^FAIL {2}net\.ipv4\.ip_forward: is 0: NAT \(virtual_server 10\.9\.0\.100:80\/TCP\) needs the director to forward packets -> fix: sysctl -w net\.ipv4\.ip_forward=1/m);
      assert.match(text, /^ok {4}interface eth0: is up, multicast on \(vrrp_instance VI_1, vrrp_instance VI_2\)$/m);
      assert.match(text, /^ok {4}privileges: /m);
      // This kernel has no IPVS: doctor says so, in words.
      assert.match(text, /^(FAIL {2}ip_vs: this kernel has no IPVS|ok {4}ip_vs: IPVS is available)/m);

      a.run('sysctl', '-qw', 'net.ipv4.ip_forward=1');
      const again = await doctorIn(a.ns, ['-f', file, '--listen-ms', '0']);
      assert.match(again.out.join('\n'), /^ok {4}net\.ipv4\.ip_forward: is 1, as NAT forwarding needs/m);
      assert.equal(again.code, 1, 'the missing interface still blocks');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('doctor hears a keepalived on the configured VRID: other VIPs are a conflict naming VRID, source and addresses; the same VIPs the peer', async (t) => {
  await withLan(t, ['ip', 'keepalived'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const b = lan.addHost('b', ['10.9.0.2/24']);
    const dir = mkdtempSync(join(tmpdir(), 'vk-doctor-'));
    const ka = startDirector(b, dir, 'ka-b', 'keepalived', `global_defs {
  router_id b
  script_user root
  enable_script_security
}
vrrp_instance VI_B {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    10.9.0.200/24
  }
}
`);
    try {
      assert.ok(await waitFor(() => hasAddress(b, '10.9.0.200'), 15_000), `keepalived became master: ${ka.output()}`);
      const theirs = join(dir, 'other.conf');
      writeFileSync(theirs, instance('10.9.0.100'));
      const r = await doctorIn(a.ns, ['-f', theirs, '--listen-ms', '2500']);
      const text = r.out.join('\n');
      assert.equal(r.code, 1, text);
      assert.match(text, /^FAIL {2}VRID 51 on eth0: another VRRP cluster uses this VRID: 10\.9\.0\.2 \(VRRPv2, priority 150\) advertises 10\.9\.0\.200, but VI_1 has 10\.9\.0\.100 -> fix: give VI_1 a virtual_router_id no other cluster on this network uses$/m);

      const ours = join(dir, 'peer.conf');
      writeFileSync(ours, instance('10.9.0.200'));
      const p = await doctorIn(a.ns, ['-f', ours, '--listen-ms', '2500', '--json']);
      const j = JSON.parse(p.out.join('')) as { ok: boolean; findings: { level: string; check: string; message: string }[] };
      assert.equal(p.code, 0, JSON.stringify(j.findings));
      assert.equal(j.ok, true);
      const peer = j.findings.find((f) => f.check === 'VRID 51 on eth0');
      assert.deepEqual(peer && [peer.level, peer.message], ['ok', '10.9.0.2 (VRRPv2, priority 150) advertises 10.9.0.200: the expected peer of VI_1']);
    } finally {
      await ka.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('doctor as an unprivileged user: the capabilities are missing, in words, and it cannot listen for VRRP (a warning)', async (t) => {
  await withLan(t, ['ip', 'setpriv'], async (lan) => {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const dir = mkdtempSync(join(tmpdir(), 'vk-doctor-'));
    try {
      const file = join(dir, 'k.conf');
      writeFileSync(file, instance('10.9.0.100'), { mode: 0o644 });
      chmodSync(dir, 0o755); // the user reads the config
      const r = await doctorIn(a.ns, ['-f', file, '--listen-ms', '200'], 65534);
      const text = r.out.join('\n');
      assert.equal(r.code, 1, text);
      assert.match(text, /^FAIL {2}privileges: CAP_NET_ADMIN and CAP_NET_RAW are not effective: VIPs, IPVS and VRRP sockets need them -> fix: run as root/m);
      assert.match(text, /^warn {2}VRRP on eth0: could not listen for other VRRP speakers \(IPv4\): .*EPERM/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
